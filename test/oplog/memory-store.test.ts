import { createMemoryOpStore } from "../../src/oplog/memory-store.js";
import { runOpStoreContract } from "./op-store-contract.js";

runOpStoreContract("memory", (opts) => createMemoryOpStore(opts));
