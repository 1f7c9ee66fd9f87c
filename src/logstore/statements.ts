/**
 * The prepared statements of the log store, each prepared once per connection. This file
 * and migrations.ts hold all of the store's SQL.
 */
import { inflateRawSync } from "node:zlib";
import type Database from "better-sqlite3";

/** Prepares every statement of the log store on `db`. */
export function createLogStatements(db: Database.Database) {
  return {
    insertLog: db.prepare("INSERT INTO logs (ref, created_ms) VALUES (?, ?)"),
    logExists: db.prepare("SELECT 1 FROM logs WHERE ref = ?").pluck(),
    insertChunk: db.prepare("INSERT INTO log_chunks (ref, seq, data) VALUES (?, ?, ?)"),
    addBytes: db.prepare("UPDATE logs SET bytes = bytes + ?, truncated = ? WHERE ref = ?"),
    endLog: db.prepare("UPDATE logs SET ended_ms = ? WHERE ref = ? AND ended_ms IS NULL"),
    chunks: db
      .prepare("SELECT data FROM log_chunks WHERE ref = ? AND seq < ? ORDER BY seq")
      .pluck(),
    unended: db.prepare(
      `SELECT ref, truncated, (SELECT coalesce(max(seq), -1) FROM log_chunks c
         WHERE c.ref = logs.ref) AS last_seq FROM logs WHERE ended_ms IS NULL`,
    ),
    expired: db.prepare("SELECT ref FROM logs WHERE ended_ms < ?").pluck(),
    deleteChunks: db.prepare("DELETE FROM log_chunks WHERE ref = ?"),
    deleteLog: db.prepare("DELETE FROM logs WHERE ref = ?"),
  };
}

/** The statements of createLogStatements. */
export type LogStatements = ReturnType<typeof createLogStatements>;

/**
 * The compressed chunks of a log with seq below `beforeSeq` (all when omitted), in order,
 * fetched at once: a cursor must not stay open across a follower's awaits. At most the log's
 * cap, compressed.
 */
export function compressedChunks(
  s: LogStatements,
  ref: string,
  beforeSeq = Number.MAX_SAFE_INTEGER,
): Buffer[] {
  return s.chunks.all(ref, beforeSeq) as Buffer[];
}

/** Decompresses one stored chunk. */
export const inflateChunk = (data: Buffer): Buffer => inflateRawSync(data);

/** Deletes a log and its chunks. Must run inside a write transaction. */
export function deleteLogRows(s: LogStatements, ref: string): boolean {
  s.deleteChunks.run(ref);
  return s.deleteLog.run(ref).changes > 0;
}
