/**
 * The audit log: who (user or key, address, user agent) did what and how it ended, kept for
 * a configured number of days.
 */
export { describeConfigChanges } from "./config-changes.js";
export { openAuditStore } from "./sqlite-store.js";
export type {
  AuditEvent,
  AuditEventInput,
  AuditQuery,
  AuditRecorder,
  AuditStore,
} from "./types.js";
