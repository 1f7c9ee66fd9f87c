import { createMemoryOpStore } from "../../src/oplog/memory-store.js";
import { runAnalyticsContract } from "./analytics-contract.js";

runAnalyticsContract("memory", () => createMemoryOpStore());
