/** Schedules, pausing and preconditions through the real daemon. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startBackupFixture } from "../helpers/fixture.js";
import { callJson, type OpJson, waitFor } from "../helpers/http.js";

describe("schedules", async () => {
  const fx = await startBackupFixture({
    files: 3,
    extraPlans: [
      {
        id: "hourly",
        repo: "local",
        paths: ["/etc/hostname"],
        schedule: { maxFrequencyHours: 24 },
      },
      {
        id: "guarded",
        repo: "local",
        paths: ["/etc/hostname"],
        precondition: { tcpAddress: "127.0.0.1:1" },
      },
    ],
  });
  const url = fx.daemon.url;
  const opsOf = async (planId: string) =>
    (
      (await callJson(url, "v1.Backrest/GetOperations", { selector: { planId } })).body as {
        operations?: OpJson[];
      }
    ).operations ?? [];

  it("a plan that never ran runs by itself, and its next run shows as a pending operation", async () => {
    const ran = await waitFor(
      async () => (await opsOf("hourly")).find((o) => o.status === "STATUS_SUCCESS"),
      60_000,
      "the scheduled backup",
    );
    assert.ok(
      (ran.operationBackup as { scheduledTimeMs?: string }).scheduledTimeMs,
      "recorded as a scheduled run",
    );
    const next = await waitFor(
      async () => (await opsOf("hourly")).find((o) => o.status === "STATUS_PENDING"),
      30_000,
      "the next run to be planned",
    );
    const at = Number(next.unixTimeStartMs);
    assert.ok(
      at > Date.now() + 23 * 3_600_000,
      `next run in about a day, got ${new Date(at).toISOString()}`,
    );
  });

  it("SetPaused pauses and resumes a plan (kept in the config)", async () => {
    const paused = await callJson(url, "v1.Backrest/SetPaused", { planId: "hourly", paused: true });
    assert.equal(paused.status, 200, paused.text);
    const plan = (paused.body as { plans: { id: string; paused?: boolean }[] }).plans.find(
      (p) => p.id === "hourly",
    );
    assert.equal(plan?.paused, true);
    const all = await callJson(url, "v1.Backrest/SetPaused", { paused: true });
    assert.equal((all.body as { settings?: { paused?: boolean } }).settings?.paused, true);
    await callJson(url, "v1.Backrest/SetPaused", { paused: false });
    const resumed = await callJson(url, "v1.Backrest/SetPaused", {
      planId: "hourly",
      paused: false,
    });
    assert.equal(
      (resumed.body as { plans: { id: string; paused?: boolean }[] }).plans.find(
        (p) => p.id === "hourly",
      )?.paused,
      undefined,
    );
    const missing = await callJson(url, "v1.Backrest/SetPaused", { planId: "nope", paused: true });
    assert.equal((missing.body as { code: string }).code, "not_found");
  });

  it("a backup whose precondition does not hold is recorded as skipped with the reason", async () => {
    const res = await callJson(url, "v1.Backrest/Backup", { value: "guarded" });
    assert.equal(res.status, 200, res.text);
    const op = res.body as OpJson;
    assert.equal(op.status, "STATUS_SKIPPED");
    assert.match(op.displayMessage ?? "", /127\.0\.0\.1:1 is not reachable/);
  });
});
