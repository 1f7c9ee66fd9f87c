/**
 * The benchmark's operation log generator: shape, determinism, and that what it writes reads
 * back through the store the way the daemon reads it. (The benchmarks themselves never run
 * in the test suite; this keeps their generator from rotting.)
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { toBinary } from "@bufbuild/protobuf";
import { cachedHistory, defaultShape, writeHistory } from "../../bench/generate-oplog.js";
import {
  DAY_MS,
  generateHistory,
  type HistoryShape,
  historyLayout,
  KEEP_WITHIN_MS,
} from "../../bench/lib/oplog-history.js";
import { OperationSchema, OperationStatus } from "../../gen/v1/operations_pb.js";
import { openSqliteOpStore } from "../../src/oplog/sqlite-store.js";

const tmp = mkdtempSync(join(tmpdir(), "restwell-bench-gen-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const END = Date.UTC(2026, 10, 22);
const shape: HistoryShape = { ...defaultShape(6_000, END), plans: 6, repos: 2, days: 60 };

describe("operation log generator", () => {
  const ops = [...generateHistory(shape)];

  it("makes exactly the asked number of operations, ids 1..N in creation order", () => {
    assert.equal(ops.length, shape.operations);
    assert.deepEqual(
      ops.map((op) => op.id),
      ops.map((_, i) => BigInt(i + 1)),
    );
  });

  it("spreads backups over every plan and the whole span, in flows", () => {
    const layout = historyLayout(shape);
    const backups = ops.filter((op) => op.op.case === "operationBackup");
    assert.deepEqual(
      new Set(backups.map((op) => op.planId)),
      new Set(layout.plans.map((p) => p.id)),
    );
    const start = END - shape.days * DAY_MS;
    for (const op of ops) {
      assert.ok(op.unixTimeStartMs >= BigInt(start) && op.unixTimeStartMs <= BigInt(END + DAY_MS));
      assert.ok(op.flowId > 0n && op.flowId <= op.id, `flow of ${op.id}`);
      assert.ok(op.status !== OperationStatus.STATUS_PENDING);
      assert.ok(op.status !== OperationStatus.STATUS_INPROGRESS);
    }
    const first = backups[0];
    const last = backups.at(-1);
    assert.ok(first && last && Number(last.unixTimeStartMs - first.unixTimeStartMs) > 50 * DAY_MS);
    // A successful backup's flow: two hooks, a forget and the index of its snapshot.
    const ok = backups.find((op) => op.status === OperationStatus.STATUS_SUCCESS);
    const flow = ops.filter((op) => op.flowId === ok?.id).map((op) => op.op.case);
    assert.deepEqual(flow, [
      "operationBackup",
      "operationRunHook",
      "operationRunHook",
      "operationForget",
      "operationIndexSnapshot",
    ]);
  });

  it("has failures, warnings, summaries and repository maintenance, like a real log", () => {
    const count = (pred: (op: (typeof ops)[number]) => boolean) => ops.filter(pred).length;
    assert.ok(count((op) => op.status === OperationStatus.STATUS_ERROR) > 0);
    assert.ok(count((op) => op.status === OperationStatus.STATUS_WARNING) > 0);
    assert.ok(count((op) => op.op.case === "operationStats") >= shape.days * shape.repos - 2);
    assert.ok(count((op) => op.op.case === "operationPrune") > 0);
    const withSummary = count(
      (op) => op.op.case === "operationBackup" && op.op.value.lastStatus?.entry.case === "summary",
    );
    assert.ok(withSummary > count((op) => op.op.case === "operationBackup") * 0.9);
  });

  it("keeps recent and weekly snapshots live and forgets the rest", () => {
    const index = ops.flatMap((op) =>
      op.op.case === "operationIndexSnapshot" ? [op.op.value] : [],
    );
    const live = index.filter((v) => !v.forgot);
    assert.ok(live.length > 0 && live.length < index.length / 2);
    for (const v of index) {
      const recent = Number(v.snapshot?.unixTimeMs) >= END - KEEP_WITHIN_MS;
      if (recent) assert.equal(v.forgot, false);
    }
  });

  it("is the same for the same seed", () => {
    const again = [...generateHistory(shape)];
    const bytes = (list: typeof ops) =>
      list.map((op) => Buffer.from(toBinary(OperationSchema, op)));
    assert.deepEqual(bytes(again), bytes(ops));
  });

  it("writes a log the store reads back by plan, and the dashboard summarizes", () => {
    const path = join(tmp, "written.sqlite");
    const stats = writeHistory(path, shape);
    assert.equal(stats.operations, shape.operations);
    assert.equal(
      Object.values(stats.byKind).reduce((a, b) => a + b, 0),
      shape.operations,
    );
    const store = openSqliteOpStore(path);
    try {
      const plan = historyLayout(shape).plans[0]?.id ?? "";
      const last = store.query({ selector: { planId: plan }, lastN: 100 });
      assert.equal(last.length, 100);
      assert.ok(last.every((op) => op.planId === plan));
      const report = store.summarizeActivity({
        sinceMs: END - 30 * DAY_MS,
        planIds: [plan],
        repoIds: ["repo-1"],
      });
      assert.ok((report.plans[0]?.backupsSuccess ?? 0) > 0);
      assert.ok((report.plans[0]?.totalSnapshots ?? 0) > 0);
    } finally {
      store.close();
    }
  });

  it("caches the written log and reuses it", () => {
    const dir = join(tmp, "cache");
    const first = cachedHistory(500, dir);
    assert.equal(first.generated, true);
    assert.equal(first.stats.operations, 500);
    const second = cachedHistory(500, dir);
    assert.equal(second.generated, false);
    assert.equal(second.path, first.path);
  });
});
