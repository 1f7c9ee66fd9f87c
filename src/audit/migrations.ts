/**
 * Schema of the audit log database (`PRAGMA user_version`, append only).
 */
import type { Migration } from "../oplog/migrations.js";

/** The audit store's schema history. */
export const AUDIT_MIGRATIONS: readonly Migration[] = [
  // 1: events, paged by id (newest first), filtered by actor and action, expired by time.
  (db) => {
    db.exec(`
      CREATE TABLE audit_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        time_ms INTEGER NOT NULL,
        actor TEXT NOT NULL,
        address TEXT NOT NULL,
        user_agent TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        outcome TEXT NOT NULL,
        request_id TEXT NOT NULL,
        detail TEXT NOT NULL
      );
      CREATE INDEX audit_events_time_ms ON audit_events (time_ms);
      CREATE INDEX audit_events_actor ON audit_events (actor, id);
      CREATE INDEX audit_events_action ON audit_events (action, id);
    `);
  },
];
