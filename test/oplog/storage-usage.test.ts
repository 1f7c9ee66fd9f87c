/** storageUsage over the memory store: newest size, 30-day growth and history, alerts, totals. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OperationStatus } from "../../gen/v1/operations_pb.js";
import { NotFoundError } from "../../src/errors.js";
import { createMemoryOpStore } from "../../src/oplog/memory-store.js";
import { storageUsage } from "../../src/oplog/storage-usage.js";
import { daysAgo, NOW_MS } from "./activity-fixtures.js";
import { newOp } from "./fixtures.js";

function statsOp(repoId: string, start: bigint, size?: bigint, snapshots = 1n) {
  return newOp({
    planId: "",
    repoId,
    status: OperationStatus.STATUS_SUCCESS,
    unixTimeStartMs: start,
    op: {
      case: "operationStats",
      value:
        size === undefined
          ? {}
          : {
              stats: {
                totalSize: size,
                totalUncompressedSize: size + 1n,
                restoreSize: size * 3n,
                snapshotCount: snapshots,
              },
            },
    },
  });
}

function seeded() {
  const ops = createMemoryOpStore();
  for (const op of [
    statsOp("a", daysAgo(45), 50n),
    statsOp("a", daysAgo(25), 100n),
    statsOp("a", daysAgo(5), 160n, 4n),
    statsOp("a", daysAgo(1)), // failed before measuring
    statsOp("b", daysAgo(40), 900n, 7n), // only older than the window
    statsOp("c", daysAgo(2), 10n, 2n), // one run: no growth yet
  ]) {
    ops.add(op);
  }
  return ops;
}

const REPOS = [
  { id: "a", alertBytes: 150n },
  { id: "b", alertBytes: 1000n },
  { id: "c", alertBytes: 0n },
  { id: "d", alertBytes: 5n },
];

describe("storageUsage", () => {
  it("reports each repo's newest size, growth over 30 days, history and alert state", () => {
    const report = storageUsage(seeded(), { repos: REPOS, repoId: "", nowMs: NOW_MS });
    const [a, b, c, d] = report.repos;
    assert.deepEqual(
      report.repos.map((r) => r.repoId),
      ["a", "b", "c", "d"],
    );
    assert.ok(a && b && c && d);
    assert.deepEqual(
      [a.totalSize, a.totalUncompressedSize, a.restoreSize, a.snapshotCount, a.growth],
      [160n, 161n, 480n, 4n, 60n],
    );
    assert.deepEqual(a.history, [
      { timeMs: daysAgo(25), totalSize: 100n },
      { timeMs: daysAgo(5), totalSize: 160n },
    ]);
    assert.equal(a.measuredAtMs, daysAgo(5));
    assert.deepEqual([a.alertBytes, a.overAlert], [150n, true]);
    // b: measured only before the window: its size stands, but it has no growth or history.
    assert.deepEqual([b.totalSize, b.growth, b.history.length, b.overAlert], [900n, 0n, 0, false]);
    assert.deepEqual([c.totalSize, c.growth, c.overAlert], [10n, 0n, false]);
    // d: never measured, so never over its alert.
    assert.deepEqual([d.totalSize, d.measuredAtMs, d.overAlert], [0n, 0n, false]);
    assert.deepEqual(
      [report.totalSize, report.totalUncompressedSize, report.totalSnapshots, report.growth],
      [1070n, 1073n, 13n, 60n],
    );
  });

  it("reports one repo when asked, and refuses an unknown one", () => {
    const report = storageUsage(seeded(), { repos: REPOS, repoId: "c", nowMs: NOW_MS });
    assert.deepEqual(
      report.repos.map((r) => r.repoId),
      ["c"],
    );
    assert.equal(report.totalSize, 10n);
    assert.throws(
      () => storageUsage(seeded(), { repos: REPOS, repoId: "zzz", nowMs: NOW_MS }),
      NotFoundError,
    );
  });

  it("a shrinking repo has negative growth", () => {
    const ops = createMemoryOpStore();
    ops.add(statsOp("a", daysAgo(20), 500n));
    ops.add(statsOp("a", daysAgo(2), 300n));
    const [a] = storageUsage(ops, { repos: REPOS, repoId: "a", nowMs: NOW_MS }).repos;
    assert.equal(a?.growth, -200n);
  });
});
