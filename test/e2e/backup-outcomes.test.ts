/** Backups that do not fully succeed: partial snapshots, failures, and what the caller sees. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { listSnapshots, TEST_PASSWORD } from "../helpers/data.js";
import { startBackupFixture } from "../helpers/fixture.js";
import { callJson } from "../helpers/http.js";

interface OpJson {
  id: string;
  status: string;
  snapshotId?: string;
  displayMessage?: string;
  operationBackup?: { errors?: { item: string; message: string }[] };
}

interface ErrorJson {
  code: string;
  message: string;
  details?: { type: string; value: string; debug?: OpJson }[];
}

describe("backup outcomes", async () => {
  const fx = await startBackupFixture({
    files: 5,
    extraPlans: [
      // Reading /proc/self/mem fails with EIO for every user (root included): restic exits 3.
      { id: "partial", repo: "local", paths: ["/proc/self/mem"] },
      { id: "missing", repo: "local", paths: ["/nonexistent/restwell-test-path"] },
    ],
  });
  const url = fx.daemon.url;

  it("a partial backup (unreadable file) is STATUS_WARNING with the file errors recorded", async () => {
    const res = await callJson(url, "v1.Backrest/Backup", { value: "partial" });
    assert.equal(res.status, 200, res.text);
    const op = res.body as OpJson;
    assert.equal(op.status, "STATUS_WARNING");
    assert.match(op.displayMessage ?? "", /could not be read/);
    const errors = op.operationBackup?.errors ?? [];
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.item, "/proc/self/mem");
    assert.ok(op.snapshotId, "restic still made a snapshot");
    const snaps = await listSnapshots(fx.repoPath);
    assert.ok(snaps.some((s) => s.id.startsWith(op.snapshotId ?? "-")));
  });

  it("a failed backup returns an error with restic's reason and is recorded as STATUS_ERROR", async () => {
    const res = await callJson(url, "v1.Backrest/Backup", { value: "missing" });
    assert.notEqual(res.status, 200);
    const err = res.body as ErrorJson;
    assert.match(err.message, /restwell-test-path/);
    const ops = await callJson(url, "v1.Backrest/GetOperations", {
      selector: { planId: "missing" },
    });
    const recorded = (ops.body as { operations: OpJson[] }).operations;
    assert.equal(recorded.length, 1);
    assert.equal(recorded[0]?.status, "STATUS_ERROR");
    assert.equal(recorded[0]?.displayMessage, err.message);
  });

  it("a wrong repository password is FAILED_PRECONDITION, says what to check and never leaks a secret", async () => {
    const cfg = (await callJson(url, "v1.Backrest/GetConfig", {})).body as {
      repos: { id: string; password: string; uri: string }[];
      plans: unknown[];
    };
    const wrong = "not-the-password-at-all";
    const repos = [...cfg.repos, { id: "wrongpw", uri: fx.repoPath, password: wrong }];
    const plans = [...cfg.plans, { id: "wrongpw-plan", repo: "wrongpw", paths: [fx.sourceDir] }];
    const set = await callJson(url, "v1.Backrest/SetConfig", { ...cfg, repos, plans });
    assert.equal(set.status, 200, set.text);
    const res = await callJson(url, "v1.Backrest/Backup", { value: "wrongpw-plan" });
    const err = res.body as ErrorJson;
    assert.equal(err.code, "failed_precondition", res.text);
    assert.match(err.message, /password/i);
    assert.ok(!res.text.includes(wrong), "the wrong password must not be echoed");
    assert.ok(!res.text.includes(TEST_PASSWORD));
    const ops = await callJson(url, "v1.Backrest/GetOperations", {
      selector: { planId: "wrongpw-plan" },
    });
    assert.ok(!ops.text.includes(wrong));
    assert.equal((ops.body as { operations: OpJson[] }).operations[0]?.status, "STATUS_ERROR");
  });

  it("the source path of a repo on a missing location fails clearly when autoInitialize is off", async () => {
    const cfg = (await callJson(url, "v1.Backrest/GetConfig", {})).body as {
      repos: object[];
      plans: unknown[];
    };
    const nowhere = join(fx.repoPath, "..", "no-repo-here");
    const set = await callJson(url, "v1.Backrest/SetConfig", {
      ...cfg,
      repos: [...cfg.repos, { id: "nowhere", uri: nowhere, password: "x" }],
      plans: [...cfg.plans, { id: "nowhere-plan", repo: "nowhere", paths: [fx.sourceDir] }],
    });
    assert.equal(set.status, 200, set.text);
    const res = await callJson(url, "v1.Backrest/Backup", { value: "nowhere-plan" });
    const err = res.body as ErrorJson;
    assert.equal(err.code, "failed_precondition", res.text);
    assert.match(err.message, /repository/i);
  });
});
