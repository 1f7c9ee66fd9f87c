/**
 * The audit log on SQLite (`<dataDir>/audit.sqlite`, WAL). This file and migrations.ts hold
 * all of the audit log's SQL.
 */
import Database from "better-sqlite3";
import { migrate } from "../oplog/migrations.js";
import { AUDIT_MIGRATIONS } from "./migrations.js";
import type { AuditEvent, AuditEventInput, AuditQuery, AuditStore } from "./types.js";

/** Longest stored text of each field, in characters; longer values are cut. */
const MAX_CHARS = { short: 256, userAgent: 512, target: 1024, detail: 4096 };

/** Above every character an action can contain, for a prefix range (action >= p AND action < p + this). */
const MAX_CHAR = "\u{10FFFF}";

interface Row {
  id: number;
  time_ms: number;
  actor: string;
  address: string;
  user_agent: string;
  action: string;
  target: string;
  outcome: string;
  request_id: string;
  detail: string;
}

/**
 * Opens (creating and migrating as needed) the audit log at `path`. Throws SchemaVersionError
 * for a file written by a newer Restwell. The caller must close() it.
 */
export function openAuditStore(path: string, opts: { now?: () => number } = {}): AuditStore {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 5000");
    migrate(db, AUDIT_MIGRATIONS);
    return createStore(db, opts.now ?? Date.now);
  } catch (error) {
    db.close();
    throw error;
  }
}

function createStore(db: Database.Database, now: () => number): AuditStore {
  const insert = db.prepare(
    `INSERT INTO audit_events
       (time_ms, actor, address, user_agent, action, target, outcome, request_id, detail)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const expire = db.prepare("DELETE FROM audit_events WHERE time_ms < ?");
  // One statement per combination of filters, prepared on first use (at most 16).
  const queries = new Map<string, Database.Statement>();
  const queryFor = (q: AuditQuery) => {
    const where: string[] = [];
    if (q.beforeId !== undefined) where.push("id < @beforeId");
    if (q.actionPrefix) where.push("action >= @prefix AND action < @prefixEnd");
    if (q.actor !== undefined) where.push("actor = @actor");
    if (q.sinceMs !== undefined) where.push("time_ms >= @sinceMs");
    const sql = `SELECT * FROM audit_events ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY id DESC LIMIT @limit`;
    let stmt = queries.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      queries.set(sql, stmt);
    }
    return stmt;
  };

  return {
    record(e: AuditEventInput) {
      const result = insert.run(
        e.timeMs ?? now(),
        cut(e.actor, MAX_CHARS.short),
        cut(e.address, MAX_CHARS.short),
        cut(e.userAgent, MAX_CHARS.userAgent),
        cut(e.action, MAX_CHARS.short),
        cut(e.target, MAX_CHARS.target),
        cut(e.outcome, MAX_CHARS.short),
        cut(e.requestId, MAX_CHARS.short),
        cut(e.detail, MAX_CHARS.detail),
      );
      return Number(result.lastInsertRowid);
    },
    list(q) {
      const rows = queryFor(q).all({
        limit: q.limit,
        ...(q.beforeId !== undefined ? { beforeId: q.beforeId } : {}),
        ...(q.actionPrefix ? { prefix: q.actionPrefix, prefixEnd: q.actionPrefix + MAX_CHAR } : {}),
        ...(q.actor !== undefined ? { actor: q.actor } : {}),
        ...(q.sinceMs !== undefined ? { sinceMs: q.sinceMs } : {}),
      }) as Row[];
      return rows.map(toEvent);
    },
    expire(beforeMs) {
      return expire.run(beforeMs).changes;
    },
    close() {
      db.close();
    },
  };
}

function toEvent(r: Row): AuditEvent {
  return {
    id: r.id,
    timeMs: r.time_ms,
    actor: r.actor,
    address: r.address,
    userAgent: r.user_agent,
    action: r.action,
    target: r.target,
    outcome: r.outcome,
    requestId: r.request_id,
    detail: r.detail,
  };
}

function cut(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}
