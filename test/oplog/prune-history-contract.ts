/**
 * The pruneHistory part of the OpAnalytics contract (see analytics-contract.ts).
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { type Operation, OperationStatus } from "../../gen/v1/operations_pb.js";
import type { AnalyticsOpStore, PruneHistoryOptions } from "../../src/oplog/analytics.js";
import type { OpEvent } from "../../src/oplog/types.js";
import { backupOp, daysAgo, forgetOp, indexSnapshotOp, NOW_MS } from "./activity-fixtures.js";
import { idsOf } from "./fixtures.js";

const S = OperationStatus;
const FULL_ID = `abcd1234${"0".repeat(56)}`;

/** Adds one at a time, so ids follow the argument order. */
const addEach = (store: AnalyticsOpStore, ...ops: Operation[]): bigint[] =>
  idsOf(ops.flatMap((op) => store.add(op)));

const prune = (store: AnalyticsOpStore, opts: Partial<PruneHistoryOptions> = {}) =>
  store.pruneHistory({ keepCount: 2, keepDays: 30, nowMs: NOW_MS, liveSnapshotIds: [], ...opts });

/** Registers the pruneHistory tests against the store `store()` returns. */
export function describePruneHistory(store: () => AnalyticsOpStore): void {
  it("keeps the newest keepCount finished operations of each plan, repo and kind", () => {
    // Added newest first, so the oldest have the highest ids: age, not id, decides.
    const [b96, b97, b98, b99, b100] = addEach(
      store(),
      ...[96, 97, 98, 99, 100].map((days) => backupOp({ start: daysAgo(days) })),
    );
    const [otherPlan1, otherPlan2, otherRepo, forget1, forget2] = addEach(
      store(),
      backupOp({ planId: "p2", start: daysAgo(200) }),
      backupOp({ planId: "p2", start: daysAgo(201) }),
      backupOp({ repoId: "r2", start: daysAgo(300) }),
      forgetOp({ start: daysAgo(150) }),
      forgetOp({ start: daysAgo(151) }),
    );
    const events: OpEvent[] = [];
    store().subscribe((e) => events.push(e));
    const deleted = prune(store());
    assert.deepEqual(deleted, [b98, b99, b100]);
    assert.deepEqual(events, [{ type: "deleted", ids: deleted }]);
    assert.deepEqual(idsOf(store().query()), [
      b96,
      b97,
      otherPlan1,
      otherPlan2,
      otherRepo,
      forget1,
      forget2,
    ]);
  });

  it("keeps everything younger than keepDays, even beyond keepCount", () => {
    const [young1, young2, young3, old] = addEach(
      store(),
      ...[1, 10, 29.9, 30.1].map((days) => backupOp({ start: daysAgo(days) })),
    );
    assert.deepEqual(prune(store(), { keepCount: 0 }), [old]);
    assert.deepEqual(idsOf(store().query()), [young1, young2, young3]);
  });

  it("never deletes pending or running operations, and they take no keepCount slot", () => {
    const [pending, running, newest, older, oldest] = addEach(
      store(),
      backupOp({ start: daysAgo(300), status: S.STATUS_PENDING }),
      backupOp({ start: daysAgo(250), status: S.STATUS_INPROGRESS }),
      backupOp({ start: daysAgo(100), status: S.STATUS_ERROR }),
      backupOp({ start: daysAgo(101), status: S.STATUS_WARNING }),
      backupOp({ start: daysAgo(102) }),
    );
    assert.deepEqual(prune(store(), { keepCount: 2 }), [oldest]);
    assert.deepEqual(idsOf(store().query()), [pending, running, newest, older]);
  });

  it("keeps operations of live snapshots, matching short and full ids both ways", () => {
    const [shortInOp, fullInOp, unrelated, gone, noSnapshot] = addEach(
      store(),
      backupOp({ start: daysAgo(100), snapshotId: "abcd1234" }),
      indexSnapshotOp({ snapshotId: `feed5678${"f".repeat(56)}`, start: daysAgo(100) }),
      backupOp({ start: daysAgo(101), snapshotId: "abcd9999" }),
      indexSnapshotOp({ snapshotId: "9".repeat(64), start: daysAgo(101), forgot: true }),
      backupOp({ start: daysAgo(102) }),
    );
    const deleted = prune(store(), { keepCount: 0, liveSnapshotIds: [FULL_ID, "feed5678", ""] });
    assert.deepEqual(deleted, [unrelated, gone, noSnapshot]);
    assert.deepEqual(idsOf(store().query()), [shortInOp, fullInOp]);
  });

  it("returns [] and emits nothing when nothing is due", () => {
    addEach(store(), backupOp({ start: daysAgo(1) }), backupOp({ start: daysAgo(400) }));
    const events: OpEvent[] = [];
    store().subscribe((e) => events.push(e));
    assert.deepEqual(prune(store(), { keepCount: 5 }), []);
    assert.deepEqual(prune(store(), { keepCount: 0, keepDays: 1000 }), []);
    assert.deepEqual(events, []);
    assert.equal(store().query().length, 2);
  });
}
