/**
 * Migration 4's indexes and the queries that rely on them: retention reads only index entries
 * of the groups it may prune and agrees with the memory store on every tricky case, the live
 * snapshot list reads the small partial index. (Their timings on 1,000,000 operations are in
 * bench/oplog-scale.ts and BENCHMARKS.md, never asserted here.)
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { type Operation, OperationStatus } from "../../gen/v1/operations_pb.js";
import type { AnalyticsOpStore, PruneHistoryOptions } from "../../src/oplog/analytics.js";
import { createMemoryOpStore } from "../../src/oplog/memory-store.js";
import { LIVE_SNAPSHOT_IDS_SQL, PRUNE_SQL } from "../../src/oplog/sqlite-history.js";
import { openSqliteOpStore } from "../../src/oplog/sqlite-store.js";
import { createPrng } from "../helpers/prng.js";
import { backupOp, daysAgo, forgetOp, indexSnapshotOp, NOW_MS } from "./activity-fixtures.js";
import { idsOf, tempDir } from "./fixtures.js";

const tmp = tempDir();
after(() => tmp.cleanup());
let dbCount = 0;
const newDbPath = () => join(tmp.dir, `scale-${++dbCount}.sqlite`);

function planOf(db: Database.Database, sql: string, params: Record<string, unknown>): string {
  const used = Object.fromEntries(Object.entries(params).filter(([k]) => sql.includes(`@${k}`)));
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(used) as { detail: string }[];
  return rows.map((row) => row.detail).join(" | ");
}

const S = OperationStatus;
const STATUSES = [
  S.STATUS_SUCCESS,
  S.STATUS_SUCCESS,
  S.STATUS_WARNING,
  S.STATUS_ERROR,
  S.STATUS_USER_CANCELLED,
  S.STATUS_PENDING,
  S.STATUS_INPROGRESS,
];

/**
 * A log that makes retention work for its keep: three plans, one of which moved to another
 * repository, repo-level operations (no plan), several kinds, many equal start times (ties
 * broken by id), and pending and running operations among old ones.
 */
function trickyLog(seed: number, count: number): Operation[] {
  const prng = createPrng(seed);
  return Array.from({ length: count }, (_, i) => {
    const planId = prng.pick(["p1", "p2", "p3", ""]);
    const repoId = planId === "p3" ? prng.pick(["r1", "r2"]) : planId === "p2" ? "r2" : "r1";
    // Whole days only, so many operations share a start time.
    const start = daysAgo(prng.int(0, 60));
    const status = prng.pick(STATUSES);
    const kind = prng.int(0, 2);
    if (kind === 0) return { ...backupOp({ planId, repoId, start }), status };
    if (kind === 1) return { ...forgetOp({ planId, repoId, start }), status };
    return {
      ...indexSnapshotOp({ planId, repoId, start, snapshotId: `snap-${i}`, forgot: i % 3 === 0 }),
      status,
    };
  });
}

function storesWith(ops: Operation[]): [AnalyticsOpStore, AnalyticsOpStore] {
  const sqlite = openSqliteOpStore(newDbPath());
  const memory = createMemoryOpStore();
  sqlite.add(...ops);
  memory.add(...ops);
  return [sqlite, memory];
}

describe("migration 4: indexes for large logs", () => {
  it("serves every prune statement from operations_retention, reading rows only to delete", () => {
    const path = newDbPath();
    openSqliteOpStore(path).close();
    const db = new Database(path, { readonly: true });
    try {
      const params = {
        planId: "p",
        kind: "k",
        repoId: "r",
        cutoffMs: 0,
        skip: 0,
        startMs: 0,
        id: 0,
      };
      for (const [name, sql] of Object.entries(PRUNE_SQL)) {
        const details = planOf(db, sql, params);
        const context = `${name}: ${details}`;
        assert.match(details, /operations USING (COVERING )?INDEX operations_retention/, context);
        // firstGroup reads the index's first entry (LIMIT 1); every other statement seeks.
        if (name !== "firstGroup") assert.doesNotMatch(details, /SCAN operations/, context);
        // Only the candidates (which are then deleted) are read from the table.
        if (name !== "candidates") assert.match(details, /COVERING INDEX/, context);
        if (name !== "oldRepos") assert.doesNotMatch(details, /TEMP B-TREE/, context);
      }
      const live = planOf(db, LIVE_SNAPSHOT_IDS_SQL, {});
      assert.match(live, /COVERING INDEX operations_plan_live_snapshots/, live);
    } finally {
      db.close();
    }
  });

  it("prunes exactly what the memory store prunes, for many logs and options", () => {
    const keepCounts = [0, 1, 2, 7, 1000];
    const keepDays = [0, 5, 30, 1000];
    let pruned = 0;
    for (const seed of [1, 2, 3]) {
      const ops = trickyLog(seed, 600);
      for (const keepCount of keepCounts) {
        for (const days of keepDays) {
          const [sqlite, memory] = storesWith(ops);
          try {
            const opts: PruneHistoryOptions = {
              keepCount,
              keepDays: days,
              nowMs: NOW_MS,
              liveSnapshotIds: ["snap-1", "snap-20", "snap-300"],
            };
            const context = `seed ${seed}, keepCount ${keepCount}, keepDays ${days}`;
            const deleted = sqlite.pruneHistory(opts);
            pruned += deleted.length;
            assert.deepEqual(deleted, memory.pruneHistory(opts), context);
            assert.deepEqual(idsOf(sqlite.query()), idsOf(memory.query()), context);
            assert.deepEqual(
              deleted,
              [...deleted].sort((a, b) => (a < b ? -1 : 1)),
              `ascending: ${context}`,
            );
          } finally {
            sqlite.close();
            memory.close();
          }
        }
      }
    }
    assert.ok(pruned > 1000, `only ${pruned} operations pruned in all`);
  });

  it("lists live snapshots like the memory store, after updates mark them forgotten", () => {
    const ops = trickyLog(4, 300);
    const [sqlite, memory] = storesWith(ops);
    try {
      const sorted = (ids: string[]) => [...ids].sort();
      assert.deepEqual(sorted(sqlite.liveSnapshotIds()), sorted(memory.liveSnapshotIds()));
      const live = sqlite.query().filter((op) => op.op.case === "operationIndexSnapshot");
      const forget = live.slice(0, 20).map((op) => {
        if (op.op.case === "operationIndexSnapshot") op.op.value.forgot = true;
        return op;
      });
      sqlite.update(...forget);
      memory.update(...forget);
      assert.deepEqual(sorted(sqlite.liveSnapshotIds()), sorted(memory.liveSnapshotIds()));
    } finally {
      sqlite.close();
      memory.close();
    }
  });
});
