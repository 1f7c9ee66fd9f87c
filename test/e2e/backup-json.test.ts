/** Backrest's documented curl calls against the real daemon and the real restic. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { listSnapshots } from "../helpers/data.js";
import { startBackupFixture } from "../helpers/fixture.js";
import { callJson } from "../helpers/http.js";

interface OpJson {
  id: string;
  status: string;
  planId: string;
  repoId: string;
  repoGuid: string;
  snapshotId?: string;
  displayMessage?: string;
  operationBackup?: {
    dryRun?: boolean;
    lastStatus?: { summary?: Record<string, string | number> };
  };
}

describe("POST /v1.Backrest/Backup over Connect JSON", async () => {
  const fx = await startBackupFixture({ files: 30 });
  const url = fx.daemon.url;

  it("blocks until the backup is done and returns the finished operation", async () => {
    const res = await callJson(url, "v1.Backrest/Backup", { value: "plan1" });
    assert.equal(res.status, 200, res.text);
    const op = res.body as OpJson;
    assert.equal(op.status, "STATUS_SUCCESS");
    assert.equal(op.planId, "plan1");
    assert.equal(op.repoId, "local");
    assert.match(op.repoGuid, /^[0-9a-f]{64}$/);
    // restic 0.14 reports the short id in its summary; newer versions the full one.
    assert.match(op.snapshotId ?? "", /^[0-9a-f]{8,64}$/);
    const summary = op.operationBackup?.lastStatus?.summary;
    assert.ok(summary, "summary present");
    assert.equal(Number(summary.filesNew), 30);
    assert.ok(Number(summary.dataAdded) > 0);
    assert.ok(Number(summary.totalDuration) > 0);

    const snaps = await listSnapshots(fx.repoPath);
    const snap = snaps.find((s) => s.id.startsWith(op.snapshotId ?? "-"));
    assert.ok(snap, "snapshot exists in the repository");
    assert.deepEqual([...(snap.tags ?? [])].sort(), ["created-by:test-host", "plan:plan1"]);
    assert.deepEqual(snap.paths, [fx.sourceDir]);
  });

  it("records the backup in the operation log, selectable by plan", async () => {
    const res = await callJson(url, "v1.Backrest/GetOperations", { selector: { planId: "plan1" } });
    assert.equal(res.status, 200, res.text);
    const ops = (res.body as { operations: OpJson[] }).operations;
    assert.ok(ops.length >= 1);
    assert.ok(ops.every((o) => o.planId === "plan1"));
    assert.equal(ops.at(-1)?.status, "STATUS_SUCCESS");

    const all = await callJson(url, "v1.Backrest/GetOperations", {});
    const empty = await callJson(url, "v1.Backrest/GetOperations", { selector: {} });
    assert.deepEqual(all.body, empty.body);
    const none = await callJson(url, "v1.Backrest/GetOperations", { selector: { planId: "nope" } });
    assert.deepEqual(none.body, {});
  });

  it("an incremental backup reports unmodified files", async () => {
    const res = await callJson(url, "v1.Backrest/Backup", { value: "plan1" });
    const summary = (res.body as OpJson).operationBackup?.lastStatus?.summary ?? {};
    assert.equal(Number(summary.filesUnmodified), 30);
    assert.equal(Number(summary.filesNew ?? 0), 0);
  });

  it("a dry run writes no snapshot", async () => {
    const before = (await listSnapshots(fx.repoPath)).length;
    const res = await callJson(url, "v1.Backrest/Backup", { value: "plan1", dryRun: true });
    assert.equal(res.status, 200, res.text);
    const op = res.body as OpJson;
    assert.equal(op.status, "STATUS_SUCCESS");
    assert.equal(op.operationBackup?.dryRun, true);
    assert.equal((await listSnapshots(fx.repoPath)).length, before);
  });

  it("an unknown plan is NOT_FOUND and names the plan", async () => {
    const res = await callJson(url, "v1.Backrest/Backup", { value: "no-such-plan" });
    assert.equal(res.status, 404);
    const body = res.body as { code: string; message: string; details?: unknown[] };
    assert.deepEqual(
      [body.code, body.message],
      ["not_found", 'plan "no-such-plan" does not exist'],
    );
    assert.deepEqual(body.details, [
      {
        type: "v1.RequestInfo",
        value: body.details?.length ? (body.details[0] as { value: string }).value : "",
        debug: { requestId: res.headers.get("x-request-id") },
      },
    ]);
  });

  it("lastN returns the newest operations, oldest first", async () => {
    const all = (
      (await callJson(url, "v1.Backrest/GetOperations", {})).body as { operations: OpJson[] }
    ).operations;
    const last2 = (
      (await callJson(url, "v1.Backrest/GetOperations", { lastN: 2 })).body as {
        operations: OpJson[];
      }
    ).operations;
    assert.deepEqual(
      last2.map((o) => o.id),
      all.slice(-2).map((o) => o.id),
    );
  });

  it("unknown paths are 404 and malformed bodies are rejected with a clear error", async () => {
    const res = await fetch(`${url}/no/such/path`);
    assert.equal(res.status, 404);
    const bad = await callJson(url, "v1.Backrest/Backup", "{not json");
    assert.equal(bad.status, 400);
    const wrongType = await callJson(url, "v1.Backrest/Backup", { value: 42 });
    assert.equal(wrongType.status, 400);
    const huge = await callJson(url, "v1.Backrest/Backup", { value: "x".repeat(5 * 1024 * 1024) });
    assert.ok(huge.status >= 400 && huge.status < 500, `status ${huge.status}`);
  });
});
