/**
 * The dashboard's cached summaries: answered again only while the log and the window's backups
 * are unchanged, on the cache alone and through the SQLite store (whose answers must always
 * equal a fresh computation, here the memory store's).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { OperationStatus } from "../../gen/v1/operations_pb.js";
import type { ActivityQuery, ActivityReport, AnalyticsOpStore } from "../../src/oplog/analytics.js";
import { firstInWindowSql } from "../../src/oplog/dashboard.js";
import { cachedSummaries } from "../../src/oplog/dashboard-cache.js";
import { createMemoryOpStore } from "../../src/oplog/memory-store.js";
import { openSqliteOpStore } from "../../src/oplog/sqlite-store.js";
import { backupOp, DAY_MS, daysAgo, indexSnapshotOp, NOW_MS } from "./activity-fixtures.js";
import { tempDir } from "./fixtures.js";

const tmp = tempDir();
after(() => tmp.cleanup());
let dbCount = 0;
const newDbPath = () => join(tmp.dir, `dashboard-cache-${++dbCount}.sqlite`);

const WINDOW_MS = 30 * DAY_MS;
const query = (sinceMs: number, recentLimit?: number): ActivityQuery => ({
  sinceMs,
  planIds: ["p1", "p2"],
  repoIds: ["r1"],
  ...(recentLimit === undefined ? {} : { recentLimit }),
});

describe("cachedSummaries", () => {
  const setup = (firstInWindowMs: number | undefined) => {
    let version = "v1";
    const computed: ActivityQuery[] = [];
    const summarize = cachedSummaries({
      compute(q) {
        computed.push(q);
        return { report: { plans: [], repos: [] }, firstInWindowMs };
      },
      logVersion: () => version,
    });
    return { summarize, computed, setVersion: (v: string) => (version = v) };
  };

  it("answers the same query again from its last report while nothing changed", () => {
    const { summarize, computed } = setup(1_000);
    const first = summarize(query(500));
    assert.equal(summarize(query(500)), first);
    assert.equal(computed.length, 1);
  });

  it("computes again once the log changed", () => {
    const { summarize, computed, setVersion } = setup(1_000);
    const first = summarize(query(500));
    setVersion("v2");
    assert.notEqual(summarize(query(500)), first);
    assert.equal(computed.length, 2);
  });

  it("follows the window up to its earliest backup, and no further or back", () => {
    const { summarize, computed } = setup(1_000);
    summarize(query(500));
    summarize(query(999.7));
    summarize(query(1_000));
    assert.equal(computed.length, 1, "no backup left the window");
    summarize(query(1_001));
    assert.equal(computed.length, 2, "the earliest backup left the window");
    summarize(query(400));
    assert.equal(computed.length, 3, "a window reaching further back may hold more");
  });

  it("keeps a report with no backup in its window for any later window", () => {
    const { summarize, computed } = setup(undefined);
    summarize(query(500));
    summarize(query(5_000_000));
    assert.equal(computed.length, 1);
  });

  it("tells queries apart by plans, repos and recent limit, and freezes its reports", () => {
    const { summarize, computed } = setup(1_000);
    summarize(query(500));
    summarize(query(500, 1));
    summarize({ ...query(500), planIds: ["p1"] });
    summarize({ ...query(500), repoIds: [] });
    assert.equal(computed.length, 4);
    summarize(query(500, 1));
    assert.equal(computed.length, 4, "each kept its own report");
    const report = summarize(query(500)) as ActivityReport;
    assert.ok(Object.isFrozen(report) && Object.isFrozen(report.plans));
  });
});

describe("summarizeActivity of the SQLite store, cached", () => {
  /** The same operations in the SQLite store and the memory store. */
  const both = () => {
    const sqlite = openSqliteOpStore(newDbPath());
    const memory = createMemoryOpStore();
    const stores: AnalyticsOpStore[] = [sqlite, memory];
    return {
      sqlite,
      add: (...ops: Parameters<AnalyticsOpStore["add"]>) => stores.map((s) => s.add(...ops)),
      /** The SQLite answer, after checking it against the memory store's. */
      summary(q: ActivityQuery) {
        const report = sqlite.summarizeActivity(q);
        assert.deepEqual(report, memory.summarizeActivity(q));
        return report;
      },
      update(...ops: Parameters<AnalyticsOpStore["update"]>) {
        for (const store of stores) store.update(...ops);
      },
      delete(ids: bigint[]) {
        for (const store of stores) store.delete(ids);
      },
      close() {
        for (const store of stores) store.close();
      },
    };
  };

  it("reflects every add, update, delete and prune at once", () => {
    const s = both();
    try {
      const q = query(NOW_MS - WINDOW_MS);
      s.add(backupOp({ planId: "p1", start: daysAgo(2), added: 10n, processed: 20n }));
      assert.equal(s.summary(q).plans[0]?.backupsSuccess, 1);
      assert.equal(s.summary(q), s.sqlite.summarizeActivity(q), "the same report again");
      const [[stored]] = s.add(
        backupOp({ planId: "p1", start: daysAgo(1), status: OperationStatus.STATUS_INPROGRESS }),
      ) as [[NonNullable<ReturnType<AnalyticsOpStore["get"]>>]];
      assert.equal(s.summary(q).plans[0]?.recent.length, 2);
      s.update({ ...stored, status: OperationStatus.STATUS_ERROR });
      assert.equal(s.summary(q).plans[0]?.backupsFailed, 1);
      s.add(indexSnapshotOp({ planId: "p1", repoId: "r1", start: daysAgo(1), snapshotId: "a" }));
      assert.equal(s.summary(q).plans[0]?.totalSnapshots, 1);
      s.delete([stored.id]);
      assert.equal(s.summary(q).plans[0]?.backupsFailed, 0);
      s.sqlite.clearHistory({});
      assert.equal(s.sqlite.summarizeActivity(q).plans[0]?.backupsSuccess, 0);
    } finally {
      s.close();
    }
  });

  it("moves with the window: a backup leaving it is no longer counted", () => {
    const s = both();
    try {
      s.add(
        backupOp({ planId: "p1", start: daysAgo(29), added: 1n }),
        backupOp({ planId: "p2", start: daysAgo(10), added: 1n }),
      );
      const at = (daysLater: number) => query(NOW_MS - WINDOW_MS + daysLater * DAY_MS);
      assert.equal(s.summary(at(0)).plans[0]?.backupsSuccess, 1);
      assert.equal(s.summary(at(0.5)).plans[0]?.backupsSuccess, 1);
      assert.equal(s.summary(at(1.5)).plans[0]?.backupsSuccess, 0);
      assert.equal(s.summary(at(1.5)).plans[1]?.backupsSuccess, 1);
      assert.equal(s.summary(at(20.5)).plans[1]?.backupsSuccess, 0);
    } finally {
      s.close();
    }
  });

  it("sees what another connection wrote, within 10 ms", () => {
    const path = newDbPath();
    let nowMs = NOW_MS;
    const daemon = openSqliteOpStore(path, { now: () => nowMs });
    const other = openSqliteOpStore(path);
    try {
      const q = query(NOW_MS - WINDOW_MS);
      assert.equal(daemon.summarizeActivity(q).plans[0]?.backupsSuccess, 0);
      other.add(backupOp({ planId: "p1", start: daysAgo(1), added: 1n }));
      nowMs += 10;
      assert.equal(daemon.summarizeActivity(q).plans[0]?.backupsSuccess, 1);
    } finally {
      daemon.close();
      other.close();
    }
  });

  it("finds the window's earliest backup with one index seek per id", () => {
    const path = newDbPath();
    openSqliteOpStore(path).close();
    const db = new Database(path, { readonly: true });
    try {
      for (const column of ["plan_id", "repo_id"] as const) {
        const plan = db
          .prepare(`EXPLAIN QUERY PLAN ${firstInWindowSql(column)}`)
          .all({ ids: "[]", sinceMs: 0 })
          .map((row) => (row as { detail: string }).detail)
          .join("; ");
        const index = `operations_${column.slice(0, 4)}_backups`;
        assert.match(
          plan,
          new RegExp(
            `SEARCH operations USING COVERING INDEX ${index} \\(${column}=\\? AND unix_time_start_ms>\\?\\)`,
          ),
          plan,
        );
        assert.doesNotMatch(plan, /SCAN operations|TEMP B-TREE/, plan);
      }
    } finally {
      db.close();
    }
  });
});
