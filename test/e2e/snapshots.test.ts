/** Listing, indexing and browsing snapshots through the API, against the real restic. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { restic } from "../helpers/data.js";
import { startBackupFixture } from "../helpers/fixture.js";
import { callJson, type OpJson, waitFor } from "../helpers/http.js";

interface SnapJson {
  id: string;
  planId?: string;
  tags?: string[];
  paths?: string[];
}
interface Entry {
  name: string;
  type: string;
  path: string;
  size?: string;
}

describe("snapshots", async () => {
  const fx = await startBackupFixture({
    files: 6,
    extraPlans: [{ id: "other", repo: "local", paths: ["/etc/hostname"] }],
  });
  const url = fx.daemon.url;
  const list = async (body: object) =>
    ((await callJson(url, "v1.Backrest/ListSnapshots", body)).body as { snapshots?: SnapJson[] })
      .snapshots ?? [];

  await callJson(url, "v1.Backrest/Backup", { value: "plan1" });
  await callJson(url, "v1.Backrest/Backup", { value: "other" });

  it("ListSnapshots lists the repo's snapshots with their plan, and filters by plan", async () => {
    const all = await list({ repoId: "local" });
    assert.equal(all.length, 2);
    assert.deepEqual(all.map((s) => s.planId).sort(), ["other", "plan1"]);
    const one = await list({ repoId: "local", planId: "plan1" });
    assert.equal(one.length, 1);
    assert.deepEqual(one[0]?.paths, [fx.sourceDir]);
  });

  it("indexing records snapshots made elsewhere, with the plan from their tag, and marks forgotten ones", async () => {
    const made = await restic(fx.repoPath, [
      "backup",
      "--json",
      "--tag",
      "plan:plan1",
      fx.sourceDir,
    ]);
    assert.equal(made.exitCode, 0, made.stderr);
    const res = await callJson(url, "v1.Backrest/DoRepoTask", {
      repoId: "local",
      task: "TASK_INDEX_SNAPSHOTS",
    });
    assert.equal(res.status, 200, res.text);
    const indexOps = async () =>
      (
        (await callJson(url, "v1.Backrest/GetOperations", { selector: { repoId: "local" } }))
          .body as { operations: OpJson[] }
      ).operations.filter((o) => o.operationIndexSnapshot);
    const ops = await indexOps();
    assert.equal(ops.length, 3);
    assert.ok(ops.every((o) => o.status === "STATUS_SUCCESS"));
    const elsewhere = (await list({ repoId: "local", planId: "plan1" })).at(-1);
    const recorded = ops.find((o) => o.snapshotId === elsewhere?.id);
    assert.equal(recorded?.planId, "plan1");

    const forgot = await restic(fx.repoPath, ["forget", elsewhere?.id ?? "-"]);
    assert.equal(forgot.exitCode, 0, forgot.stderr);
    await callJson(url, "v1.Backrest/DoRepoTask", {
      repoId: "local",
      task: "TASK_INDEX_SNAPSHOTS",
    });
    const after = (await indexOps()).find((o) => o.snapshotId === elsewhere?.id);
    assert.equal((after?.operationIndexSnapshot as { forgot?: boolean } | undefined)?.forgot, true);
  });

  it("a backup's snapshot is indexed in the backup's flow", async () => {
    const backup = (await callJson(url, "v1.Backrest/Backup", { value: "plan1" })).body as OpJson;
    const indexed = await waitFor(
      async () => {
        const res = await callJson(url, "v1.Backrest/GetOperations", {
          selector: { flowId: backup.flowId },
        });
        return (res.body as { operations: OpJson[] }).operations.find(
          (o) => o.operationIndexSnapshot,
        );
      },
      30_000,
      "the snapshot to be indexed",
    );
    assert.ok(indexed.snapshotId?.startsWith(backup.snapshotId ?? "-"));
  });

  it("an unknown snapshot is NOT_FOUND naming it", async () => {
    const res = await callJson(url, "v1.Backrest/ListSnapshotFiles", {
      repoId: "local",
      snapshotId: "deadbeef",
      path: "/",
    });
    assert.equal((res.body as { code: string }).code, "not_found", res.text);
    assert.match((res.body as { message: string }).message, /snapshot "deadbeef" does not exist/);
  });

  it("ListSnapshotFiles lists one folder level, then serves later folders from the index", async () => {
    const snap = (await list({ repoId: "local", planId: "plan1" }))[0] as SnapJson;
    const ls = async (path: string) =>
      callJson(url, "v1.Backrest/ListSnapshotFiles", {
        repoId: "local",
        snapshotId: snap.id,
        path,
      });
    const top = await ls(fx.sourceDir);
    assert.equal(top.status, 200, top.text);
    const entries = (top.body as { entries: Entry[] }).entries;
    assert.deepEqual(
      entries.map((e) => `${e.type}:${e.name}`),
      ["dir:sub", "file:file-0.txt", "file:file-2.txt", "file:file-4.txt"],
    );
    assert.equal(
      entries.find((e) => e.name === "file-2.txt")?.size,
      String("content of file 2\n".length * 3),
    );

    // Break the repo password: restic can no longer open the repository, the index still answers.
    const cfg = (await callJson(url, "v1.Backrest/GetConfig", {})).body as {
      repos: { password: string }[];
    };
    (cfg.repos[0] as { password: string }).password = "wrong-password-now";
    assert.equal((await callJson(url, "v1.Backrest/SetConfig", cfg)).status, 200);
    const sub = await ls(`${fx.sourceDir}/sub`);
    assert.equal(sub.status, 200, sub.text);
    assert.deepEqual(
      (sub.body as { entries: Entry[] }).entries.map((e) => e.name),
      ["file-1.txt", "file-3.txt", "file-5.txt"],
    );
    const missing = await ls(`${fx.sourceDir}/nope`);
    assert.equal((missing.body as { code: string }).code, "not_found");
    const traversal = await ls(`${fx.sourceDir}/../..`);
    assert.equal((traversal.body as { code: string }).code, "invalid_argument");
  });

  it("unknown repos and snapshots are NOT_FOUND naming them", async () => {
    const repo = await callJson(url, "v1.Backrest/ListSnapshots", { repoId: "nope" });
    const body = repo.body as { code: string; message: string };
    assert.deepEqual([body.code, body.message], ["not_found", 'repo "nope" does not exist']);
  });
});
