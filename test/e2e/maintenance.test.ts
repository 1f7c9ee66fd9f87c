/** Repository maintenance, commands, logs, cancel, history and the dashboard, against the real restic. */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { restic } from "../helpers/data.js";
import { startBackupFixture } from "../helpers/fixture.js";
import { callJson, type OpJson, runAndWait, waitFor, waitForOperation } from "../helpers/http.js";

/** Reads a Connect server stream of {value: base64} frames (GetLogs) into text. */
async function readLog(url: string, ref: string): Promise<string> {
  const body = Buffer.from(JSON.stringify({ ref }));
  const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), body]);
  frame.writeUInt32BE(body.length, 1);
  const res = await fetch(`${url}/v1.Backrest/GetLogs`, {
    method: "POST",
    headers: { "content-type": "application/connect+json" },
    body: frame,
  });
  const data = Buffer.from(await res.arrayBuffer());
  let text = "";
  for (let i = 0; i + 5 <= data.length; ) {
    const flags = data[i] as number;
    const len = data.readUInt32BE(i + 1);
    const msg = JSON.parse(data.subarray(i + 5, i + 5 + len).toString()) as {
      value?: string;
      error?: unknown;
    };
    if (flags & 2) {
      if (msg.error) throw new Error(`GetLogs failed: ${JSON.stringify(msg.error)}`);
    } else text += Buffer.from(msg.value ?? "", "base64").toString();
    i += 5 + len;
  }
  return text;
}

describe("maintenance", async () => {
  const fx = await startBackupFixture({ files: 20, bigBytes: 4 * 1024 * 1024 });
  const url = fx.daemon.url;
  await callJson(url, "v1.Backrest/Backup", { value: "plan1" });

  it("prune runs and keeps its output as a log", async () => {
    const op = await runAndWait(url, "v1.Backrest/DoRepoTask", {
      repoId: "local",
      task: "TASK_PRUNE",
    });
    assert.equal(op.status, "STATUS_SUCCESS", op.displayMessage);
    const ref = (op.operationPrune as { outputLogref?: string }).outputLogref as string;
    assert.ok(ref, "prune has a log");
    assert.match(
      await readLog(url, ref),
      /repository contains|loading indexes|finding data that is still in use/,
    );
  });

  it("check runs and keeps its output; stats records sizes and the snapshot count", async () => {
    const check = await runAndWait(url, "v1.Backrest/DoRepoTask", {
      repoId: "local",
      task: "TASK_CHECK",
    });
    assert.equal(check.status, "STATUS_SUCCESS", check.displayMessage);
    assert.match(await readLog(url, check.logref as string), /no errors were found/);
    const stats = await runAndWait(url, "v1.Backrest/DoRepoTask", {
      repoId: "local",
      task: "TASK_STATS",
    });
    const s = (stats.operationStats as { stats: Record<string, string> }).stats;
    assert.equal(s.snapshotCount, "1");
    assert.ok(Number(s.totalSize) > 4 * 1024 * 1024);
    assert.ok(Number(s.restoreSize) > 4 * 1024 * 1024);
  });

  it("WaitOperation returns a started operation once it has finished", async () => {
    const res = await callJson(url, "v1.Backrest/DoRepoTask", {
      repoId: "local",
      task: "TASK_STATS",
    });
    const id = (res.body as { operationId: string }).operationId;
    const waited = await callJson(url, "v1.Backrest/WaitOperation", {
      operationId: id,
      timeoutSeconds: 120,
    });
    assert.equal(waited.status, 200, waited.text);
    assert.equal((waited.body as OpJson).status, "STATUS_SUCCESS");
    const unknown = await callJson(url, "v1.Backrest/WaitOperation", { operationId: "424242" });
    assert.equal((unknown.body as { code: string }).code, "not_found");
  });

  it("unlock removes a stale lock", async () => {
    const cfgBefore = await restic(fx.repoPath, ["list", "locks", "--no-lock"]);
    assert.equal(cfgBefore.stdout.trim(), "");
    const op = await runAndWait(url, "v1.Backrest/DoRepoTask", {
      repoId: "local",
      task: "TASK_UNLOCK",
    });
    assert.equal(op.status, "STATUS_SUCCESS", op.displayMessage);
  });

  it("RunCommand runs restic with the repo's settings and records the output", async () => {
    const res = await callJson(url, "v1.Backrest/RunCommand", {
      repoId: "local",
      command: "snapshots --json",
    });
    assert.equal(res.status, 200, res.text);
    const op = await waitForOperation(url, (res.body as { value: string }).value);
    assert.equal(op.status, "STATUS_SUCCESS", op.displayMessage);
    const run = op.operationRunCommand as { args: string[]; exitCode?: number };
    assert.deepEqual(run.args, ["snapshots", "--json"]);
    assert.match(await readLog(url, op.logref as string), /"paths":/);
    const bad = await callJson(url, "v1.Backrest/RunCommand", {
      repoId: "local",
      command: "snapshots --nonsense-flag",
    });
    const failed = await waitForOperation(url, (bad.body as { value: string }).value);
    assert.equal(failed.status, "STATUS_ERROR");
    assert.match(failed.displayMessage ?? "", /exited with code/);
    const unclosed = await callJson(url, "v1.Backrest/RunCommand", {
      repoId: "local",
      command: "snapshots 'oops",
    });
    assert.equal((unclosed.body as { code: string }).code, "invalid_argument");
  });

  it("Cancel stops a running operation as user-cancelled and leaves the repository unlocked", async () => {
    const res = await callJson(url, "v1.Backrest/DoRepoTask", {
      repoId: "local",
      task: "TASK_CHECK",
    });
    const id = (res.body as { operationId: string }).operationId;
    await waitFor(
      async () => readdirSync(join(fx.repoPath, "locks")).length > 0,
      30_000,
      "check to take its lock",
    );
    const cancel = await callJson(url, "v1.Backrest/Cancel", { value: id });
    assert.equal(cancel.status, 200, cancel.text);
    const op = await waitForOperation(url, id);
    assert.equal(op.status, "STATUS_USER_CANCELLED");
    const locks = await restic(fx.repoPath, ["list", "locks", "--no-lock"]);
    assert.equal(locks.stdout.trim(), "", "no lock left behind");
    const again = await callJson(url, "v1.Backrest/Cancel", { operationId: id });
    assert.equal((again.body as { code: string }).code, "failed_precondition");
    const unknown = await callJson(url, "v1.Backrest/Cancel", { operationId: "987654" });
    assert.equal((unknown.body as { code: string }).code, "not_found");
    const next = await callJson(url, "v1.Backrest/Backup", { value: "plan1" });
    assert.equal((next.body as OpJson).status, "STATUS_SUCCESS");
  });

  it("GetSummaryDashboard counts the last 30 days per plan and repo", async () => {
    const res = await callJson(url, "v1.Backrest/GetSummaryDashboard", {});
    assert.equal(res.status, 200, res.text);
    const body = res.body as {
      planSummaries: Record<string, unknown>[];
      repoSummaries: Record<string, unknown>[];
      configPath: string;
    };
    const plan = body.planSummaries.find((s) => s.id === "plan1") as Record<
      string,
      string | { flowId: string[] }
    >;
    assert.equal(plan.backupsSuccessLast30days, "2");
    assert.ok(Number(plan.bytesAddedLast30days) > 0);
    assert.equal((plan.recentBackups as { flowId: string[] }).flowId.length, 2);
    assert.equal(body.configPath, fx.daemon.configPath);
    assert.ok(body.repoSummaries.some((s) => s.id === "local"));
  });

  it("ClearHistory with onlyFailed deletes failed operations only", async () => {
    const all = async () =>
      ((await callJson(url, "v1.Backrest/GetOperations", {})).body as { operations: OpJson[] })
        .operations;
    const before = await all();
    assert.ok(before.some((o) => o.status === "STATUS_ERROR"));
    const res = await callJson(url, "v1.Backrest/ClearHistory", { selector: {}, onlyFailed: true });
    assert.equal(res.status, 200, res.text);
    const after = await all();
    const failed = ["STATUS_ERROR", "STATUS_USER_CANCELLED", "STATUS_SYSTEM_CANCELLED"];
    assert.ok(after.every((o) => !failed.includes(o.status)));
    assert.equal(after.length, before.filter((o) => !failed.includes(o.status)).length);
  });

  it("GetLogs of an unknown ref is NOT_FOUND", async () => {
    await assert.rejects(readLog(url, "no-such-log"), /not_found/);
  });
});
