/**
 * The operation log on SQLite: each operation is stored as protobuf bytes beside the indexed
 * columns that selectors filter on. The only SQL outside this folder's tests lives here and in
 * migrations.ts / migration-analytics.ts / migration-scale-indexes.ts / sqlite-query.ts /
 * dashboard.ts / sqlite-history.ts / sqlite-stats.ts / sqlite-snapshot-index.ts.
 *
 * Ids come from `INTEGER PRIMARY KEY AUTOINCREMENT`: increasing and never reused, even after
 * the newest operations are deleted, so a client that cached an id never sees it come back for
 * another operation. `modno` is a store-wide counter persisted in the `meta` table, so it never
 * goes backwards either (max(modno) would, after deletes), and `modnoGte` finds every change.
 */

import { fromBinary, toBinary } from "@bufbuild/protobuf";
import Database from "better-sqlite3";
import { type Operation, OperationSchema } from "../../gen/v1/operations_pb.js";
import { ConflictError, NotFoundError } from "../errors.js";
import type { AnalyticsOpStore } from "./analytics.js";
import { createSqliteDashboard } from "./dashboard.js";
import { createListeners, type ListenerErrorHandler } from "./listeners.js";
import { migrate } from "./migrations.js";
import { opColumns } from "./op-columns.js";
import { effectiveSelector } from "./selector.js";
import { createSharedVersions } from "./shared-versions.js";
import { createSqliteHistory, LIVE_SNAPSHOT_IDS_SQL } from "./sqlite-history.js";
import { selectSql } from "./sqlite-query.js";
import { createSqliteSnapshotIndex } from "./sqlite-snapshot-index.js";
import { createSqliteStatsHistory } from "./sqlite-stats.js";
import { copyOperations } from "./stamp.js";
import type { OpQuery } from "./types.js";

/** Options of openSqliteOpStore. */
export interface SqliteOpStoreOptions {
  /**
   * The clock in ms (default Date.now), read only to space out the checks for other
   * connections' commits; ids come from AUTOINCREMENT, not from the time.
   */
  now?: () => number;
  /** Receives errors thrown by subscribers (default: console.error). */
  onListenerError?: ListenerErrorHandler;
  /** How long to wait for another connection's lock, in ms (default 5000). */
  busyTimeoutMs?: number;
}

/**
 * Opens (creating and migrating as needed) the operation log at `path` (":memory:" works too).
 * Throws SchemaVersionError when the file was written by a newer Restwell. The caller owns
 * the store and must close() it. The store also answers dashboard and retention queries
 * (OpAnalytics) with SQL over the indexed columns.
 */
export function openSqliteOpStore(path: string, opts: SqliteOpStoreOptions = {}): AnalyticsOpStore {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma(`busy_timeout = ${Math.trunc(opts.busyTimeoutMs ?? 5000)}`);
    db.defaultSafeIntegers(true);
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return createStore(db, opts);
}

/**
 * Like stampOperation, but copies only the top level: this store keeps encoded bytes, not the
 * objects, so the stored state is never shared; the returned operation may share nested
 * payload objects with the argument. Cloning every payload cost as much as encoding it.
 */
function stampShallow(op: Operation, id: bigint, modno: bigint): Operation {
  return { ...op, id, modno, flowId: op.flowId === 0n ? id : op.flowId };
}

function createStore(db: Database.Database, opts: SqliteOpStoreOptions): AnalyticsOpStore {
  const listeners = createListeners(opts.onListenerError);
  const sql = createStatements(db);
  const history = createSqliteHistory(db);
  const liveIds = db.prepare(LIVE_SNAPSHOT_IDS_SQL);
  const countsByKind = db.prepare(
    "SELECT kind, status, COUNT(*) AS count FROM operations GROUP BY kind, status",
  );
  const healthWrite = db.prepare(
    "INSERT OR REPLACE INTO meta (key, value) VALUES ('health_check', ?)",
  );
  // Writes through this connection, and other connections' commits (data_version), decide
  // when the dashboard's cached summaries and queryShared's last answers are out of date.
  // Reading data_version takes a read lock (three system calls), which a busy daemon paid
  // on every GetOperations, so other connections' commits are looked for at most once per
  // OTHER_COMMITS_CHECK_MS; this connection's own writes count at once.
  let writes = 0;
  const dataVersion = db.prepare("PRAGMA data_version").pluck();
  const now = opts.now ?? Date.now;
  let otherCommits: unknown;
  let otherCommitsCheckedAt = Number.NEGATIVE_INFINITY;
  const logVersion = () => {
    const t = now();
    if (t - otherCommitsCheckedAt >= OTHER_COMMITS_CHECK_MS) {
      otherCommits = dataVersion.get();
      otherCommitsCheckedAt = t;
    }
    return `${writes}:${otherCommits}`;
  };
  const recentShared = new Map<string, { version: string; ops: readonly Readonly<Operation>[] }>();
  const emitDeleted = (ids: bigint[]): bigint[] => {
    if (ids.length > 0) listeners.emit({ type: "deleted", ids: [...ids] });
    return ids;
  };

  const add = db.transaction((ops: Operation[]) => {
    const firstModno = sql.bumpModno(ops.length);
    return ops.map((op, i) => {
      const stored = stampShallow(op, op.id === 0n ? sql.nextId() : op.id, firstModno + BigInt(i));
      sql.insert(stored);
      return stored;
    });
  });

  const update = db.transaction((ops: Operation[]) => {
    const firstModno = sql.bumpModno(ops.length);
    return ops.map((op, i) => {
      const stored = stampShallow(op, op.id, firstModno + BigInt(i));
      if (!sql.replace(stored)) throw new NotFoundError("operation", String(op.id));
      return stored;
    });
  });

  const remove = db.transaction((ids: bigint[]) => ids.filter((id) => sql.delete(id)));

  return {
    add(...ops) {
      if (ops.length === 0) return [];
      writes++;
      const stored = add.immediate(ops);
      if (listeners.size > 0)
        listeners.emit({ type: "created", operations: copyOperations(stored) });
      return stored;
    },
    update(...ops) {
      if (ops.length === 0) return [];
      writes++;
      const stored = update.immediate(ops);
      if (listeners.size > 0)
        listeners.emit({ type: "updated", operations: copyOperations(stored) });
      return stored;
    },
    get: (id) => sql.get(id),
    query: (q) => sql.query(q),
    queryShared(q = {}) {
      // Pollers ask the same question again and again: the last answers stay right while the
      // log has not changed (the same version, as for the dashboard's summaries).
      const version = logVersion();
      const key = queryKey(q);
      const hit = recentShared.get(key);
      if (hit?.version === version) return hit.ops;
      const ops = Object.freeze(sql.queryShared(q));
      if (!recentShared.has(key) && recentShared.size >= MAX_RECENT_QUERIES) recentShared.clear();
      recentShared.set(key, { version, ops });
      return ops;
    },
    delete(ids) {
      writes++;
      return emitDeleted(remove.immediate([...new Set(ids)]));
    },
    summarizeActivity: createSqliteDashboard(db, logVersion),
    pruneHistory(options) {
      writes++;
      return emitDeleted(history.prune(options));
    },
    clearHistory(options) {
      writes++;
      return emitDeleted(history.clear(options));
    },
    liveSnapshotIds: () => liveIds.all().map((row) => (row as { snapshot_id: string }).snapshot_id),
    statsHistory: createSqliteStatsHistory(db),
    snapshotIndexState: createSqliteSnapshotIndex(db),
    subscribe: (listener) => listeners.subscribe(listener),
    countByKindAndStatus: () =>
      // The database hands integers back as bigints.
      (countsByKind.all() as { kind: string | null; status: bigint; count: bigint }[]).map((r) => ({
        kind: r.kind ?? "",
        status: Number(r.status),
        count: Number(r.count),
      })),
    checkWritable() {
      healthWrite.run(Date.now());
    },
    close() {
      listeners.clear();
      db.close();
    },
  };
}

const INSERT_SQL = `
  INSERT INTO operations (id, modno, flow_id, repo_id, repo_guid, plan_id, instance_id,
    snapshot_id, status, unix_time_start_ms, operation, kind, unix_time_end_ms, bytes_added,
    bytes_processed, duration_ms, snapshot_live)
  VALUES (@id, @modno, @flowId, @repoId, @repoGuid, @planId, @instanceId,
    @snapshotId, @status, @unixTimeStartMs, @operation, @kind, @unixTimeEndMs, @bytesAdded,
    @bytesProcessed, @durationMs, @snapshotLive)`;

const REPLACE_SQL = `
  UPDATE operations SET modno = @modno, flow_id = @flowId, repo_id = @repoId,
    repo_guid = @repoGuid, plan_id = @planId, instance_id = @instanceId,
    snapshot_id = @snapshotId, status = @status, unix_time_start_ms = @unixTimeStartMs,
    operation = @operation, kind = @kind, unix_time_end_ms = @unixTimeEndMs,
    bytes_added = @bytesAdded, bytes_processed = @bytesProcessed, duration_ms = @durationMs,
    snapshot_live = @snapshotLive
  WHERE id = @id`;

/** The prepared statements of one connection, each prepared once. */
function createStatements(db: Database.Database) {
  const bump = db
    .prepare("UPDATE meta SET value = value + ? WHERE key = 'modno' RETURNING value")
    .pluck();
  // AUTOINCREMENT's high-water mark, so deleted ids are never handed out again.
  const lastId = db
    .prepare("SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'operations'")
    .pluck();
  const insert = db.prepare(INSERT_SQL);
  const replace = db.prepare(REPLACE_SQL);
  const getOne = db.prepare("SELECT operation FROM operations WHERE id = ?").pluck();
  const deleteOne = db.prepare("DELETE FROM operations WHERE id = ?");
  const queries = new Map<string, Database.Statement>();
  const shared = createSharedVersions();
  /** Reads, decodes and keeps operation `id` (undefined if it is gone). */
  const keepStored = (id: bigint) => {
    const bytes = getOne.get(id) as Uint8Array | undefined;
    return bytes === undefined ? undefined : shared.keep(bytes);
  };
  /** Rows of a query: one column plucked, or several as arrays. */
  const select = (q: OpQuery, columns: string) => {
    // Capped: a client's int64 can exceed what SQLite binds as an integer ("datatype mismatch").
    const lastN = Math.min(Math.max(0, Math.trunc(q.lastN ?? 0)), Number.MAX_SAFE_INTEGER);
    const { sql, params } = selectSql(effectiveSelector(q.selector), lastN, columns);
    let statement = queries.get(sql);
    if (statement === undefined) {
      statement = columns.includes(",") ? db.prepare(sql).raw() : db.prepare(sql).pluck();
      queries.set(sql, statement);
    }
    return { lastN, rows: statement.all(params) };
  };

  return {
    /** Reserves n modnos; returns the first. Must run inside a write transaction. */
    bumpModno: (n: number) => (bump.get(n) as bigint) - BigInt(n) + 1n,
    /** The id the next inserted row gets. Must run inside a write transaction. */
    nextId: () => (lastId.get() as bigint) + 1n,
    insert(op: Operation): void {
      try {
        insert.run(rowOf(op));
      } catch (error) {
        if (!isPrimaryKeyConflict(error)) throw error;
        throw new ConflictError(`operation "${op.id}" already exists`, { cause: error });
      }
    },
    /** Rewrites a stored operation; false when its id is not stored. */
    replace: (op: Operation) => replace.run(rowOf(op)).changes > 0,
    get(id: bigint): Operation | undefined {
      const bytes = getOne.get(id) as Uint8Array | undefined;
      return bytes === undefined ? undefined : fromBinary(OperationSchema, bytes);
    },
    delete: (id: bigint) => deleteOne.run(id).changes > 0,
    query(q: OpQuery = {}): Operation[] {
      const { lastN, rows } = select(q, "operation");
      const ops = (rows as Uint8Array[]).map((b) => fromBinary(OperationSchema, b));
      return lastN > 0 ? ops.reverse() : ops;
    },
    queryShared(q: OpQuery = {}): Readonly<Operation>[] {
      // Ids and versions first (no payload to copy); only versions not kept are read and decoded.
      const { lastN, rows } = select(q, "id, modno");
      const ops: Readonly<Operation>[] = [];
      for (const [id, modno] of rows as [bigint, bigint][]) {
        const op = shared.known(modno) ?? keepStored(id);
        if (op) ops.push(op);
      }
      return lastN > 0 ? ops.reverse() : ops;
    },
  };
}

/** The indexed and derived columns and the protobuf bytes of an operation, as named parameters. */
function rowOf(op: Operation) {
  return {
    ...opColumns(op),
    operation: toBinary(OperationSchema, op),
    id: op.id,
    modno: op.modno,
    flowId: op.flowId,
    repoId: op.repoId,
    repoGuid: op.repoGuid,
    planId: op.planId,
    instanceId: op.instanceId,
    snapshotId: op.snapshotId,
    status: op.status,
    unixTimeStartMs: op.unixTimeStartMs,
  };
}

function isPrimaryKeyConflict(error: unknown): boolean {
  return error instanceof Database.SqliteError && error.code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

/** Distinct queries whose last shared answer is kept (queryShared). */
const MAX_RECENT_QUERIES = 32;
/** Other connections' commits are seen by queryShared and the dashboard within this many ms. */
const OTHER_COMMITS_CHECK_MS = 10;

/**
 * A query (or a value in it) as a map key: plain values told apart as JSON does (undefined
 * fields left out), int64 fields (bigints, which JSON.stringify refuses) as `12n`. A quarter
 * of the time of JSON.stringify with a replacer for the bigints.
 */
function queryKey(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (Array.isArray(v)) {
    let s = "[";
    for (const x of v) s += `${queryKey(x)},`;
    return `${s}]`;
  }
  if (v !== null && typeof v === "object") {
    let s = "{";
    for (const k in v) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) s += `${k}:${queryKey(x)},`;
    }
    return `${s}}`;
  }
  return JSON.stringify(v) ?? "";
}
