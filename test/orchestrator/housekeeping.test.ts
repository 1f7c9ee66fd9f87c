/** Housekeeping with the memory op store and a fake log store. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { SettingsSchema } from "../../gen/v1/config_pb.js";
import { OperationSchema, OperationStatus } from "../../gen/v1/operations_pb.js";
import { silentLogger } from "../../src/log.js";
import { createMemoryOpStore } from "../../src/oplog/memory-store.js";
import { runHousekeeping } from "../../src/orchestrator/housekeeping.js";
import { baseConfig, createConfigSource } from "./fakes.js";

const DAY = 24 * 60 * 60 * 1000;
const NOW = 1_800_000_000_000;

describe("housekeeping", () => {
  it("expires logs older than the setting and prunes history beyond count and age, keeping live snapshots", () => {
    const cfg = baseConfig();
    cfg.settings = create(SettingsSchema, {
      logRetentionDays: 7,
      historyKeepCount: 1,
      historyKeepDays: 10,
    });
    const config = createConfigSource(cfg);
    const ops = createMemoryOpStore();
    const old = (snapshotId: string, daysAgo: number) =>
      create(OperationSchema, {
        status: OperationStatus.STATUS_SUCCESS,
        planId: "p1",
        repoId: "r1",
        snapshotId,
        unixTimeStartMs: BigInt(NOW - daysAgo * DAY),
        op: { case: "operationBackup", value: {} },
      });
    const [kept, gone, newest] = ops.add(old("live0001", 30), old("dead0001", 20), old("", 15));
    ops.add(
      create(OperationSchema, {
        status: OperationStatus.STATUS_SUCCESS,
        repoId: "r1",
        snapshotId: `live0001${"f".repeat(56)}`,
        unixTimeStartMs: BigInt(NOW),
        op: { case: "operationIndexSnapshot", value: { snapshot: { id: "live0001" } } },
      }),
    );
    let expiredBefore = 0;
    const result = runHousekeeping({
      config,
      ops,
      logs: {
        expire: (before) => {
          expiredBefore = before;
          return 3;
        },
      },
      clock: { now: () => NOW },
      log: silentLogger,
    });
    assert.equal(expiredBefore, NOW - 7 * DAY);
    assert.deepEqual(result, { logs: 3, operations: 1 });
    assert.ok(ops.get(kept?.id ?? 0n), "tied to a live snapshot");
    assert.equal(ops.get(gone?.id ?? 0n), undefined, "old, beyond the count, no live snapshot");
    assert.ok(ops.get(newest?.id ?? 0n), "the newest of its kind");
  });
});
