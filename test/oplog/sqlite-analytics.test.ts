import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { toBinary } from "@bufbuild/protobuf";
import Database from "better-sqlite3";
import { type Operation, OperationSchema, OperationStatus } from "../../gen/v1/operations_pb.js";
import type { ActivityQuery, AnalyticsOpStore } from "../../src/oplog/analytics.js";
import { dashboardSql } from "../../src/oplog/dashboard.js";
import { createMemoryOpStore } from "../../src/oplog/memory-store.js";
import { MIGRATIONS, migrate } from "../../src/oplog/migrations.js";
import { clearCandidatesSql } from "../../src/oplog/sqlite-history.js";
import { openSqliteOpStore } from "../../src/oplog/sqlite-store.js";
import { backupOp, DAY_MS, daysAgo, indexSnapshotOp, NOW_MS } from "./activity-fixtures.js";
import { runAnalyticsContract } from "./analytics-contract.js";
import { tempDir } from "./fixtures.js";

const tmp = tempDir();
after(() => tmp.cleanup());
let dbCount = 0;
const newDbPath = () => join(tmp.dir, `analytics-${++dbCount}.sqlite`);

runAnalyticsContract("sqlite", () => openSqliteOpStore(newDbPath()));

/** A varied log: 5 plans x 2 repos, backups with and without summaries, index entries. */
function variedOps(count: number): Operation[] {
  const statuses = [
    OperationStatus.STATUS_SUCCESS,
    OperationStatus.STATUS_WARNING,
    OperationStatus.STATUS_ERROR,
    OperationStatus.STATUS_SUCCESS,
    OperationStatus.STATUS_USER_CANCELLED,
    OperationStatus.STATUS_INPROGRESS,
  ];
  return Array.from({ length: count }, (_, i) => {
    const where = { planId: `p${i % 5}`, repoId: `r${i % 2}`, start: daysAgo((i * 37) % 90) };
    if (i % 4 === 3) {
      return indexSnapshotOp({
        ...where,
        snapshotId: `${i}`.padStart(64, "0"),
        forgot: i % 8 === 7,
      });
    }
    const status = statuses[i % statuses.length];
    const summarized =
      status === OperationStatus.STATUS_SUCCESS || status === OperationStatus.STATUS_WARNING;
    return backupOp({
      ...where,
      status,
      end: where.start + BigInt(i % 1000),
      snapshotId: summarized ? `${i}`.padStart(8, "0") : "",
      ...(summarized
        ? { added: BigInt(i * 3), processed: BigInt(i * 11), durationS: (i % 17) / 4 }
        : {}),
    });
  });
}

const QUERY: ActivityQuery = {
  sinceMs: NOW_MS - 30 * DAY_MS,
  planIds: ["p0", "p1", "p2", "p3", "p4", "p9"],
  repoIds: ["r0", "r1", "r9"],
  recentLimit: 7,
};

/** The same operations (same ids) in a memory store, as the reference implementation. */
function memoryCopy(ops: Operation[]): AnalyticsOpStore {
  const memory = createMemoryOpStore();
  for (let i = 0; i < ops.length; i += 5000) memory.add(...ops.slice(i, i + 5000));
  return memory;
}

/** Writes operations the way schema version 2 did: only the columns it had. */
function insertV2Rows(db: Database.Database, ops: Operation[]): void {
  const insert = db.prepare(`
    INSERT INTO operations (id, modno, flow_id, repo_id, repo_guid, plan_id, instance_id,
      snapshot_id, status, unix_time_start_ms, operation)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  db.transaction(() => {
    for (const [i, op] of ops.entries()) {
      const id = BigInt(i + 1);
      Object.assign(op, { id, modno: id, flowId: id });
      insert.run(
        id,
        id,
        id,
        op.repoId,
        op.repoGuid,
        op.planId,
        op.instanceId,
        op.snapshotId,
        op.status,
        op.unixTimeStartMs,
        toBinary(OperationSchema, op),
      );
    }
    db.prepare("UPDATE meta SET value = ? WHERE key = 'modno'").run(ops.length);
  })();
}

/** EXPLAIN QUERY PLAN details joined by " | "; dashboard parameters are filled in as needed. */
function queryPlan(db: Database.Database, sql: string, params?: Record<string, unknown>): string {
  const defaults = { ids: '["a","b"]', sinceMs: 0, id: "a", limit: 60 };
  const used =
    params ?? Object.fromEntries(Object.entries(defaults).filter(([k]) => sql.includes(`@${k}`)));
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(used) as { detail: string }[];
  return rows.map((row) => row.detail).join(" | ");
}

describe("sqlite analytics", () => {
  it("migration 3 backfills the derived columns of a version 2 database", () => {
    const path = newDbPath();
    const ops = variedOps(2500);
    const v2 = new Database(path);
    migrate(v2, MIGRATIONS.slice(0, 2));
    insertV2Rows(v2, ops);
    v2.close();

    const store = openSqliteOpStore(path);
    const memory = memoryCopy(ops);
    try {
      assert.deepEqual(store.summarizeActivity(QUERY), memory.summarizeActivity(QUERY));
      const check = new Database(path, { readonly: true });
      const row = (id: number) =>
        check
          .prepare(
            "SELECT kind, unix_time_end_ms AS endMs, bytes_added AS added, bytes_processed AS processed, duration_ms AS duration, snapshot_live AS live FROM operations WHERE id = ?",
          )
          .get(id);
      // ops[0]: success backup; ops[2]: error backup without summary; ops[3], ops[7]: index entries.
      assert.deepEqual(row(1), {
        kind: "operationBackup",
        endMs: Number(ops[0]?.unixTimeEndMs),
        added: 0,
        processed: 0,
        duration: 0,
        live: null,
      });
      assert.deepEqual(row(2), {
        kind: "operationBackup",
        endMs: Number(ops[1]?.unixTimeEndMs),
        added: 3,
        processed: 11,
        duration: 250,
        live: null,
      });
      assert.deepEqual(row(3), {
        kind: "operationBackup",
        endMs: Number(ops[2]?.unixTimeEndMs),
        added: null,
        processed: null,
        duration: null,
        live: null,
      });
      assert.deepEqual(row(4), {
        kind: "operationIndexSnapshot",
        endMs: 0,
        added: null,
        processed: null,
        duration: null,
        live: 1,
      });
      assert.deepEqual(row(8), {
        kind: "operationIndexSnapshot",
        endMs: 0,
        added: null,
        processed: null,
        duration: null,
        live: 0,
      });
      const unfilled = check
        .prepare("SELECT count(*) FROM operations WHERE kind = ''")
        .pluck()
        .get();
      assert.equal(unfilled, 0);
      assert.equal(check.pragma("user_version", { simple: true }), MIGRATIONS.length);
      check.close();
    } finally {
      store.close();
      memory.close();
    }
  });

  it("serves the dashboard queries from backup_days and the partial indexes, no table row", () => {
    const path = newDbPath();
    openSqliteOpStore(path).close();
    const db = new Database(path, { readonly: true });
    try {
      for (const column of ["plan_id", "repo_id"] as const) {
        const prefix = `operations_${column.slice(0, 4)}`;
        const sql = dashboardSql(column);
        for (const [name, text] of Object.entries(sql)) {
          const details = queryPlan(db, text);
          const context = `${column} ${name}: ${details}`;
          assert.doesNotMatch(details, /SCAN operations/, context);
          const index = name === "snapshots" ? `${prefix}_live_snapshots` : `${prefix}_backups`;
          // The window: whole days from backup_days, the first day's backups from the index.
          const bounds =
            name === "aggregate" ? " AND unix_time_start_ms>\\? AND unix_time_start_ms<\\?" : "";
          const search = `SEARCH operations USING COVERING INDEX ${index} \\(${column}=\\?${bounds}\\)`;
          assert.match(details, new RegExp(search), context);
          if (name === "aggregate") {
            const days = column === "plan_id" ? "PRIMARY KEY" : "COVERING INDEX backup_days_repo";
            const rollup = `SEARCH backup_days USING ${days} \\(${column}=\\? AND day>\\?\\)`;
            assert.match(details, new RegExp(rollup), context);
          }
        }
        // The chart and the last backup come in index order: no sort of the plan's history.
        assert.doesNotMatch(queryPlan(db, sql.recent), /TEMP B-TREE/);
        assert.doesNotMatch(queryPlan(db, sql.last), /TEMP B-TREE/);
      }
      const clear = clearCandidatesSql({ selector: { planId: "p" }, onlyFailed: true });
      assert.doesNotMatch(queryPlan(db, clear.sql, clear.params), /SCAN operations/);
    } finally {
      db.close();
    }
  });

  it("summarizes and prunes 100,000 operations like the memory store does", () => {
    const ops = variedOps(100_000);
    const store = openSqliteOpStore(newDbPath());
    try {
      for (let i = 0; i < ops.length; i += 5000) store.add(...ops.slice(i, i + 5000));
      const memory = memoryCopy(ops);
      const report = store.summarizeActivity(QUERY);
      assert.deepEqual(report, memory.summarizeActivity(QUERY));
      const total = report.plans.reduce(
        (n, s) => n + s.backupsSuccess + s.backupsWarning + s.backupsFailed + s.backupsCancelled,
        0,
      );
      assert.ok(total > 10_000, `only ${total} backups in the window`);
      assert.equal(report.plans[0]?.recent.length, 7);

      const events: unknown[] = [];
      store.subscribe((e) => events.push(e));
      const opts = {
        keepCount: 100,
        keepDays: 45,
        nowMs: NOW_MS,
        liveSnapshotIds: ["00000001", `${"0".repeat(60)}9999`],
      };
      const deleted = store.pruneHistory(opts);
      assert.deepEqual(deleted, memory.pruneHistory(opts));
      assert.ok(deleted.length > 20_000, `only ${deleted.length} deleted`);
      assert.equal(events.length, 1);
      assert.equal(store.query().length, 100_000 - deleted.length);
      memory.close();
    } finally {
      store.close();
    }
  });
});
