/** Retention policies decide exactly which of a plan's snapshots are kept, and only that plan's. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { restic } from "../helpers/data.js";
import { startBackupFixture } from "../helpers/fixture.js";
import { callJson, type OpJson, runAndWait, waitFor } from "../helpers/http.js";

interface SnapJson {
  id: string;
  unixTimeMs: string;
  planId?: string;
}

describe("retention", async () => {
  const fx = await startBackupFixture({
    files: 2,
    extraPlans: [
      {
        id: "bucketed",
        repo: "local",
        paths: ["/etc/hostname"],
        retention: { policyTimeBucketed: { daily: 2, weekly: 1, monthly: 2 } },
      },
      { id: "lastn", repo: "local", paths: ["/etc/hostname"], retention: { policyKeepLastN: 2 } },
    ],
  });
  const url = fx.daemon.url;
  const snapshots = async (planId: string) =>
    (
      (await callJson(url, "v1.Backrest/ListSnapshots", { repoId: "local", planId })).body as {
        snapshots?: SnapJson[];
      }
    ).snapshots ?? [];

  it("a time-bucketed policy keeps exactly the snapshots its buckets select", async () => {
    const times = [
      "2026-10-01 12:00:00",
      "2026-11-14 12:00:00",
      "2026-11-20 10:00:00",
      "2026-11-20 18:00:00",
      "2026-11-21 09:00:00",
      "2026-11-21 20:00:00",
    ];
    for (const time of times) {
      const r = await restic(fx.repoPath, [
        "backup",
        "--time",
        time,
        "--tag",
        "plan:bucketed",
        "--tag",
        "created-by:test-host",
        fx.sourceDir,
      ]);
      assert.equal(r.exitCode, 0, r.stderr);
    }
    // Another plan's snapshot at an old time must not be touched.
    const r = await restic(fx.repoPath, [
      "backup",
      "--time",
      "2026-01-01 00:00:00",
      "--tag",
      "plan:plan1",
      "--tag",
      "created-by:test-host",
      fx.sourceDir,
    ]);
    assert.equal(r.exitCode, 0, r.stderr);

    const op = await runAndWait(url, "v1.Backrest/Forget", { repoId: "local", planId: "bucketed" });
    assert.equal(op.status, "STATUS_SUCCESS", op.displayMessage);
    const iso = (ms: string) => new Date(Number(ms)).toISOString().slice(0, 16);
    const kept = (await snapshots("bucketed")).map((s) => iso(s.unixTimeMs)).sort();
    assert.deepEqual(kept, ["2026-10-01T12:00", "2026-11-20T18:00", "2026-11-21T20:00"]);
    const removed = ((op.operationForget as { forget?: SnapJson[] }).forget ?? [])
      .map((s) => iso(s.unixTimeMs))
      .sort();
    assert.deepEqual(removed, ["2026-11-14T12:00", "2026-11-20T10:00", "2026-11-21T09:00"]);
    assert.equal((await snapshots("plan1")).length, 1, "other plans' snapshots are untouched");
  });

  it("keep-last-N runs after each successful backup, in the backup's flow", async () => {
    for (let i = 0; i < 3; i++) {
      const res = await callJson(url, "v1.Backrest/Backup", { value: "lastn" });
      assert.equal((res.body as OpJson).status, "STATUS_SUCCESS", res.text);
    }
    const last = (
      await callJson(url, "v1.Backrest/GetOperations", { selector: { planId: "lastn" }, lastN: 1 })
    ).body as { operations: OpJson[] };
    await waitFor(async () => (await snapshots("lastn")).length === 2, 60_000, "retention to run");
    const flow = await waitFor(
      async () => {
        const res = await callJson(url, "v1.Backrest/GetOperations", {
          selector: { flowId: last.operations[0]?.flowId },
        });
        const ops = (res.body as { operations: OpJson[] }).operations;
        const forget = ops.find((o) => o.operationForget);
        return forget && forget.status !== "STATUS_PENDING" && forget.status !== "STATUS_INPROGRESS"
          ? ops
          : undefined;
      },
      60_000,
      "the forget operation in the backup's flow",
    );
    const forget = flow.find((o) => o.operationForget) as OpJson;
    assert.equal(forget.status, "STATUS_SUCCESS");
    assert.equal(((forget.operationForget as { forget?: unknown[] }).forget ?? []).length, 1);
  });

  it("Forget with a snapshot id forgets exactly that snapshot; an unknown one is NOT_FOUND", async () => {
    const [first] = await snapshots("plan1");
    const op = await runAndWait(url, "v1.Backrest/Forget", {
      repoId: "local",
      snapshotId: first?.id,
    });
    assert.equal(op.status, "STATUS_SUCCESS", op.displayMessage);
    assert.equal((await snapshots("plan1")).length, 0);
    const missing = await runAndWait(url, "v1.Backrest/Forget", {
      repoId: "local",
      snapshotId: "deadbeef",
    });
    assert.equal(missing.status, "STATUS_ERROR");
    assert.match(missing.displayMessage ?? "", /snapshot "deadbeef" does not exist/);
  });
});
