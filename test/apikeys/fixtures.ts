/** What the API key tests share: an admin creator and both key stores. */
import { join } from "node:path";
import {
  createMemoryKeyStore,
  type KeyStore,
  openSqliteKeyStore,
} from "../../src/apikeys/index.js";
import type { Principal } from "../../src/auth/principal.js";
import { tempDir } from "../helpers/temp.js";

/** A creator holding every permission. */
export const admin: Principal = { kind: "user", name: "alice", role: "admin" };

/** Each key store, fresh per call. */
export const KEY_STORES: [string, () => KeyStore][] = [
  ["memory", createMemoryKeyStore],
  ["sqlite", () => openSqliteKeyStore(join(tempDir(), "keys.sqlite"))],
];
