/**
 * The behaviour every OpAnalytics implementation must have (SQLite and memory stores).
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { type Operation, OperationStatus } from "../../gen/v1/operations_pb.js";
import type { AnalyticsOpStore } from "../../src/oplog/analytics.js";
import type { OpEvent } from "../../src/oplog/types.js";
import {
  backupOp,
  DAY_MS,
  daysAgo,
  forgetOp,
  indexSnapshotOp,
  NOW_MS,
} from "./activity-fixtures.js";
import { idsOf } from "./fixtures.js";
import { describePruneHistory } from "./prune-history-contract.js";
import { describeStatsHistory } from "./stats-history-contract.js";

/** Makes a fresh, empty store. */
export type MakeAnalyticsStore = () => AnalyticsOpStore;

const S = OperationStatus;
const SINCE_MS = NOW_MS - 30 * DAY_MS;

/** Registers the analytics contract tests for one store implementation. */
export function runAnalyticsContract(name: string, makeStore: MakeAnalyticsStore): void {
  describe(`OpAnalytics contract: ${name}`, () => {
    let store: AnalyticsOpStore;
    beforeEach(() => {
      store = makeStore();
    });
    afterEach(() => store.close());

    describeSummaries(() => store);
    describeCharts(() => store);
    describePruneHistory(() => store);
    describeClearHistory(() => store);
    describeStatsHistory(() => store);

    it("countByKindAndStatus counts operations by payload kind and status", () => {
      store.add(
        backupOp({ start: daysAgo(1) }),
        backupOp({ start: daysAgo(2) }),
        backupOp({ start: daysAgo(3), status: S.STATUS_ERROR }),
        indexSnapshotOp({ snapshotId: "cccc" }),
      );
      const counts = store
        .countByKindAndStatus()
        .map((c) => `${c.kind}/${S[c.status]}=${c.count}`)
        .sort();
      assert.deepEqual(counts, [
        "operationBackup/STATUS_ERROR=1",
        "operationBackup/STATUS_SUCCESS=2",
        "operationIndexSnapshot/STATUS_SUCCESS=1",
      ]);
    });

    it("liveSnapshotIds lists the snapshots of index operations not marked forgotten", () => {
      store.add(
        indexSnapshotOp({ snapshotId: "aaaa", start: daysAgo(1) }),
        indexSnapshotOp({ snapshotId: "bbbb", start: daysAgo(1), forgot: true }),
        backupOp({ start: daysAgo(1) }),
      );
      assert.deepEqual(store.liveSnapshotIds(), ["aaaa"]);
    });
  });
}

/** Adds one at a time, so ids follow the argument order; returns the stored copies. */
const addEach = (store: AnalyticsOpStore, ...ops: Operation[]): Operation[] =>
  ops.flatMap((op) => store.add(op));

/**
 * Plan p1 on r1: backups 40 days ago (outside), exactly at the window's start, 20d, 10d
 * (warning), 5d (error, no summary), 1d (user-cancelled), 1h (in progress). Plan p2 on r1: one
 * success 2 days ago. Added out of time order, so ids do not follow start times.
 */
function seedBackups(store: AnalyticsOpStore) {
  const [inProgress, old, d20, boundary, d10, d5, d1, p2] = addEach(
    store,
    backupOp({ start: daysAgo(1 / 24), status: S.STATUS_INPROGRESS }),
    backupOp({ start: daysAgo(40), added: 1000n, processed: 10_000n, durationS: 10 }),
    backupOp({ start: daysAgo(20), added: 100n, processed: 1000n, durationS: 2 }),
    backupOp({ start: BigInt(SINCE_MS), added: 1n, processed: 1n, durationS: 1 }),
    backupOp({
      start: daysAgo(10),
      status: S.STATUS_WARNING,
      added: 300n,
      processed: 2000n,
      durationS: 3.5,
    }),
    backupOp({ start: daysAgo(5), end: daysAgo(5) + 7000n, status: S.STATUS_ERROR }),
    backupOp({ start: daysAgo(1), end: daysAgo(1) + 500n, status: S.STATUS_USER_CANCELLED }),
    backupOp({ planId: "p2", start: daysAgo(2), added: 50n, processed: 500n, durationS: 4 }),
    forgetOp({ start: daysAgo(3) }),
  ) as [Operation, Operation, Operation, Operation, Operation, Operation, Operation, Operation];
  return { inProgress, old, d20, boundary, d10, d5, d1, p2 };
}

/** The store's report for a 30-day window. */
const summarizer =
  (store: () => AnalyticsOpStore) => (planIds: string[], repoIds: string[], recentLimit?: number) =>
    store().summarizeActivity({ sinceMs: SINCE_MS, planIds, repoIds, recentLimit });

function describeSummaries(store: () => AnalyticsOpStore): void {
  const summarize = summarizer(store);

  it("counts, sums and averages the backups that started in the window", () => {
    seedBackups(store());
    const [p1] = summarize(["p1"], []).plans;
    assert.ok(p1);
    assert.equal(p1.id, "p1");
    assert.deepEqual(
      [p1.backupsSuccess, p1.backupsWarning, p1.backupsFailed, p1.backupsCancelled],
      [2, 1, 1, 1],
    );
    assert.equal(p1.bytesAdded, 401n);
    assert.equal(p1.bytesScanned, 3001n);
    // Means over the three backups with a summary, truncated: 401/3, 3001/3, 6500/3.
    assert.equal(p1.bytesAddedAvg, 133n);
    assert.equal(p1.bytesScannedAvg, 1000n);
    assert.equal(p1.durationAvgMs, 2166n);
  });

  it("sums a repository over its plans and keeps requested order, dropping repeats", () => {
    seedBackups(store());
    const report = summarize(["p2", "nope", "p1", "p2"], ["r1", "r2"]);
    assert.deepEqual(
      report.plans.map((s) => s.id),
      ["p2", "nope", "p1"],
    );
    assert.deepEqual(
      report.repos.map((s) => [s.id, s.backupsSuccess, s.bytesAdded]),
      [
        ["r1", 3, 451n],
        ["r2", 0, 0n],
      ],
    );
    const nope = report.plans[1];
    assert.deepEqual(nope, {
      id: "nope",
      backupsSuccess: 0,
      backupsWarning: 0,
      backupsFailed: 0,
      backupsCancelled: 0,
      bytesScanned: 0n,
      bytesAdded: 0n,
      bytesScannedAvg: 0n,
      bytesAddedAvg: 0n,
      durationAvgMs: 0n,
      totalSnapshots: 0,
      recent: [],
    });
  });

  it("reads numbers written by an update (a backup that finished after it was added)", () => {
    const [running] = store().add(backupOp({ start: daysAgo(1), status: S.STATUS_INPROGRESS }));
    assert.ok(running);
    const done = backupOp({ start: daysAgo(1), added: 70n, processed: 700n, durationS: 0.25 });
    done.id = running.id;
    store().update(done);
    const [p1] = summarize(["p1"], []).plans;
    assert.deepEqual([p1?.backupsSuccess, p1?.bytesAdded, p1?.durationAvgMs], [1, 70n, 250n]);
    assert.equal(p1?.last?.status, S.STATUS_SUCCESS);
  });

  it("counts snapshots from index operations that are not forgotten", () => {
    const [, forgottenLater] = store().add(
      indexSnapshotOp({ snapshotId: "a".repeat(64) }),
      indexSnapshotOp({ snapshotId: "b".repeat(64) }),
      indexSnapshotOp({ snapshotId: "c".repeat(64), forgot: true }),
      indexSnapshotOp({ snapshotId: "d".repeat(64), planId: "p2" }),
      indexSnapshotOp({ snapshotId: "e".repeat(64), start: daysAgo(400) }),
    );
    const counts = () => {
      const report = summarize(["p1", "p2"], ["r1"]);
      return [...report.plans, ...report.repos].map((s) => s.totalSnapshots);
    };
    assert.deepEqual(counts(), [3, 1, 4]);
    assert.ok(forgottenLater);
    if (forgottenLater.op.case === "operationIndexSnapshot") forgottenLater.op.value.forgot = true;
    store().update(forgottenLater);
    assert.deepEqual(counts(), [2, 1, 3]);
  });
}

function describeCharts(store: () => AnalyticsOpStore): void {
  const summarize = summarizer(store);

  it("charts the newest backups oldest first, and reports the newest finished one", () => {
    const b = seedBackups(store());
    const [p1] = summarize(["p1"], [], 4).plans;
    assert.deepEqual(
      p1?.recent.map((r) => r.id),
      [b.d10.id, b.d5.id, b.d1.id, b.inProgress.id],
    );
    assert.deepEqual(p1?.recent[0], {
      id: b.d10.id,
      flowId: b.d10.flowId,
      startMs: b.d10.unixTimeStartMs,
      durationMs: 3500n,
      status: S.STATUS_WARNING,
      bytesAdded: 300n,
    });
    // Without restic's summary: elapsed time when finished, 0 while running.
    assert.deepEqual(
      p1?.recent.map((r) => [r.durationMs, r.bytesAdded]),
      [
        [3500n, 300n],
        [7000n, 0n],
        [500n, 0n],
        [0n, 0n],
      ],
    );
    assert.deepEqual(p1?.last, {
      startMs: b.d1.unixTimeStartMs,
      endMs: b.d1.unixTimeEndMs,
      status: S.STATUS_USER_CANCELLED,
    });
    const all = summarize(["p1"], []).plans[0]?.recent ?? [];
    assert.deepEqual(
      all.map((r) => r.id),
      [b.old.id, b.boundary.id, b.d20.id, b.d10.id, b.d5.id, b.d1.id, b.inProgress.id],
    );
    assert.deepEqual(summarize(["p1"], [], 0).plans[0]?.recent, []);
  });

  it("breaks equal start times by id, newest id last in the chart", () => {
    const [a, b] = addEach(
      store(),
      backupOp({ start: daysAgo(1) }),
      backupOp({ start: daysAgo(1) }),
    );
    const [p1] = summarize(["p1"], [], 1).plans;
    assert.deepEqual(
      p1?.recent.map((r) => r.id),
      [b?.id],
    );
    assert.ok(a !== undefined && b !== undefined && a.id < b.id);
  });
}

function describeClearHistory(store: () => AnalyticsOpStore): void {
  const seed = () =>
    addEach(
      store(),
      ...[
        S.STATUS_SUCCESS,
        S.STATUS_ERROR,
        S.STATUS_WARNING,
        S.STATUS_USER_CANCELLED,
        S.STATUS_SYSTEM_CANCELLED,
        S.STATUS_INPROGRESS,
        S.STATUS_PENDING,
      ].map((status) => backupOp({ start: daysAgo(1), status })),
      backupOp({ planId: "p2", start: daysAgo(1), status: S.STATUS_ERROR }),
    ) as Operation[];

  it("onlyFailed deletes errors and cancellations of the selection, not warnings", () => {
    const [ok, error, warning, userCancel, systemCancel, running, pending, p2Error] = idsOf(seed());
    const events: OpEvent[] = [];
    store().subscribe((e) => events.push(e));
    const deleted = store().clearHistory({ selector: { planId: "p1" }, onlyFailed: true });
    assert.deepEqual(deleted, [error, userCancel, systemCancel]);
    assert.deepEqual(events, [{ type: "deleted", ids: deleted }]);
    assert.deepEqual(idsOf(store().query()), [ok, warning, running, pending, p2Error]);
  });

  it("deletes every finished operation of the selection, never pending or running ones", () => {
    const [, , , , , running, pending, p2Error] = idsOf(seed());
    store().clearHistory({ selector: { planId: "p1" } });
    assert.deepEqual(idsOf(store().query()), [running, pending, p2Error]);
    const events: OpEvent[] = [];
    store().subscribe((e) => events.push(e));
    assert.deepEqual(store().clearHistory({}), [p2Error]);
    assert.deepEqual(idsOf(store().query()), [running, pending]);
    assert.deepEqual(store().clearHistory({ onlyFailed: true }), []);
    assert.deepEqual(events, [{ type: "deleted", ids: [p2Error] }]);
  });
}
