/**
 * The statsHistory part of the OpAnalytics contract (see analytics-contract.ts).
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { type Operation, OperationStatus } from "../../gen/v1/operations_pb.js";
import type { AnalyticsOpStore, StatsHistory } from "../../src/oplog/analytics.js";
import { backupOp, DAY_MS, daysAgo, NOW_MS } from "./activity-fixtures.js";
import { idsOf, newOp } from "./fixtures.js";

const SINCE_MS = NOW_MS - 30 * DAY_MS;

/** A finished stats run of `repoId` that measured `size` bytes (no stats when size is undefined). */
function statsOp(init: {
  start: bigint;
  end?: bigint;
  size?: bigint;
  repoId?: string;
  status?: OperationStatus;
}): Operation {
  return newOp({
    planId: "",
    repoId: init.repoId ?? "r1",
    status: init.status ?? OperationStatus.STATUS_SUCCESS,
    unixTimeStartMs: init.start,
    unixTimeEndMs: init.end ?? 0n,
    op: {
      case: "operationStats",
      value:
        init.size === undefined
          ? {}
          : {
              stats: {
                totalSize: init.size,
                totalUncompressedSize: init.size * 2n,
                snapshotCount: 3n,
                restoreSize: init.size * 4n,
              },
            },
    },
  });
}

/** Adds one at a time, so ids follow the argument order. */
const addEach = (store: AnalyticsOpStore, ...ops: Operation[]): bigint[] =>
  idsOf(ops.flatMap((op) => store.add(op)));

/** The history as (opId, time, size) triples, for compact assertions. */
const brief = (h: StatsHistory) => ({
  latest: h.latest && [h.latest.opId, h.latest.timeMs, h.latest.stats.totalSize],
  points: h.points.map((p) => [p.opId, p.timeMs, p.stats.totalSize]),
});

/** Registers the statsHistory tests against the store `store()` returns. */
export function describeStatsHistory(store: () => AnalyticsOpStore): void {
  it("statsHistory lists a repo's stats runs in the window oldest first, and its newest of all", () => {
    // Added out of time order: start time, not id, orders them.
    const [d10, d40, d20, boundary, d1NoStats, d2Failed, otherRepo, backup] = addEach(
      store(),
      statsOp({ start: daysAgo(10), end: daysAgo(10) + 5000n, size: 300n }),
      statsOp({ start: daysAgo(40), size: 100n }),
      statsOp({ start: daysAgo(20), end: daysAgo(20) + 7000n, size: 200n }),
      statsOp({ start: BigInt(SINCE_MS), size: 150n }),
      statsOp({ start: daysAgo(1), status: OperationStatus.STATUS_ERROR }),
      statsOp({ start: daysAgo(2), size: 350n, status: OperationStatus.STATUS_ERROR }),
      statsOp({ start: daysAgo(1), size: 999n, repoId: "r2" }),
      backupOp({ start: daysAgo(1), added: 5n }),
    );
    assert.ok(d40 && d1NoStats && otherRepo && backup);
    assert.deepEqual(brief(store().statsHistory("r1", SINCE_MS)), {
      // The failed run at 2 days measured before it failed: it counts; the one at 1 day did not.
      latest: [d2Failed, daysAgo(2), 350n],
      points: [
        [boundary, BigInt(SINCE_MS), 150n],
        [d20, daysAgo(20) + 7000n, 200n],
        [d10, daysAgo(10) + 5000n, 300n],
        [d2Failed, daysAgo(2), 350n],
      ],
    });
    assert.deepEqual(brief(store().statsHistory("r2", SINCE_MS)).points, [
      [otherRepo, daysAgo(1), 999n],
    ]);
  });

  it("statsHistory reports the newest run even when it is older than the window", () => {
    const [old, older] = addEach(
      store(),
      statsOp({ start: daysAgo(45), size: 70n }),
      statsOp({ start: daysAgo(50), size: 60n }),
    );
    assert.ok(older);
    const history = store().statsHistory("r1", SINCE_MS);
    assert.deepEqual(brief(history), { latest: [old, daysAgo(45), 70n], points: [] });
    assert.equal(history.latest?.stats.totalUncompressedSize, 140n);
    assert.equal(history.latest?.stats.restoreSize, 280n);
    assert.equal(history.latest?.stats.snapshotCount, 3n);
  });

  it("statsHistory of a repo without stats runs is empty", () => {
    store().add(backupOp({ start: daysAgo(1), added: 5n }));
    assert.deepEqual(store().statsHistory("r1", SINCE_MS), { points: [] });
    assert.deepEqual(store().statsHistory("nope", SINCE_MS), { points: [] });
  });

  it("statsHistory with equal start times orders by id", () => {
    const [a, b] = addEach(
      store(),
      statsOp({ start: daysAgo(3), size: 1n }),
      statsOp({ start: daysAgo(3), size: 2n }),
    );
    assert.deepEqual(brief(store().statsHistory("r1", SINCE_MS)), {
      latest: [b, daysAgo(3), 2n],
      points: [
        [a, daysAgo(3), 1n],
        [b, daysAgo(3), 2n],
      ],
    });
  });
}
