/**
 * The operation log: stores, queries by selector, subscriptions and event streams.
 */
export {
  type ActivityQuery,
  type ActivityReport,
  type ActivitySummary,
  type AnalyticsOpStore,
  type ClearHistoryOptions,
  FAILED_STATUSES,
  type OpAnalytics,
  type PruneHistoryOptions,
  type RecentBackup,
} from "./analytics.js";
export {
  type KeepAlive,
  type OpEventStreamOptions,
  type OpStreamItem,
  SlowConsumerError,
  streamOpEvents,
} from "./event-stream.js";
export { createMemoryOpStore, type MemoryOpStoreOptions } from "./memory-store.js";
export { SchemaVersionError } from "./migrations.js";
export { recoverInterrupted, UNFINISHED_STATUSES } from "./recover.js";
export { openSqliteOpStore, type SqliteOpStoreOptions } from "./sqlite-store.js";
export {
  createThrottledUpdater,
  type SetTimer,
  type ThrottledUpdater,
  type ThrottledUpdaterOptions,
} from "./throttled-updater.js";
export type { OpEvent, OpQuery, OpSelector, OpStore } from "./types.js";
