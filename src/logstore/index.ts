/**
 * Operation logs: text output of operations, streamed live, stored compressed, capped, expiring.
 */
export { SlowFollowerError } from "./follow.js";
export { type LogStoreOptions, openLogStore } from "./sqlite-log-store.js";
export type { LogStore, LogWriter } from "./types.js";
