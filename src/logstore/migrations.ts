/**
 * Schema of the operation log database (`PRAGMA user_version`, append only).
 */
import type { Migration } from "../oplog/migrations.js";

/** The log store's schema history. */
export const LOG_MIGRATIONS: readonly Migration[] = [
  // 1: logs and their compressed chunks. Chunks are up to flushBytes compressed, so they
  // live in a rowid table (WITHOUT ROWID suits small rows only).
  (db) => {
    db.exec(`
      CREATE TABLE logs (
        ref TEXT PRIMARY KEY,
        created_ms INTEGER NOT NULL,
        ended_ms INTEGER,
        bytes INTEGER NOT NULL DEFAULT 0,
        truncated INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;
      CREATE INDEX logs_ended_ms ON logs (ended_ms);
      CREATE TABLE log_chunks (
        ref TEXT NOT NULL,
        seq INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (ref, seq)
      );
    `);
  },
];
