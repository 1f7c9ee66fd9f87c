/** The recycle bin: recycled snapshots leave listings and retention, can be put back or purged. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { listSnapshots } from "../helpers/data.js";
import { startBackupFixture } from "../helpers/fixture.js";
import { callJson, runAndWait } from "../helpers/http.js";

interface SnapJson {
  id: string;
  planId?: string;
  paths?: string[];
}

describe("recycle bin", async () => {
  const fx = await startBackupFixture({
    files: 2,
    extraPlans: [
      { id: "keep1", repo: "local", paths: ["/etc/hostname"], retention: { policyKeepLastN: 1 } },
    ],
  });
  const url = fx.daemon.url;
  const live = async (planId?: string) =>
    (
      (await callJson(url, "v1.Backrest/ListSnapshots", { repoId: "local", planId })).body as {
        snapshots?: SnapJson[];
      }
    ).snapshots ?? [];
  const bin = async () =>
    (
      (await callJson(url, "v1.Backrest/ListRecycleBin", { repoId: "local" })).body as {
        snapshots?: SnapJson[];
      }
    ).snapshots ?? [];

  await callJson(url, "v1.Backrest/Backup", { value: "keep1" });
  // Retention and indexing follow the backup; let them finish.
  await runAndWait(url, "v1.Backrest/Forget", { repoId: "local", planId: "keep1" });

  it("a recycled snapshot leaves the listing, shows in the bin, and is skipped by retention", async () => {
    const [snap] = await live("keep1");
    const op = await runAndWait(url, "v1.Backrest/RecycleSnapshots", {
      repoId: "local",
      snapshotIds: [snap?.id],
    });
    assert.equal(op.status, "STATUS_SUCCESS", op.displayMessage);
    assert.equal((await live("keep1")).length, 0);
    // restic rewrites a snapshot whose tags change, so the recycled one has a new id.
    const recycled = await bin();
    assert.deepEqual(
      recycled.map((s) => s.planId),
      ["keep1"],
    );
    assert.deepEqual(recycled[0]?.paths, snap?.paths);
    // Two more backups with keep-last-1: retention must not touch the recycled snapshot.
    for (let i = 0; i < 2; i++) await callJson(url, "v1.Backrest/Backup", { value: "keep1" });
    const forget = await runAndWait(url, "v1.Backrest/Forget", {
      repoId: "local",
      planId: "keep1",
    });
    assert.equal(forget.status, "STATUS_SUCCESS");
    assert.equal((await live("keep1")).length, 1);
    assert.equal((await bin()).length, 1, "the recycled snapshot survived retention");
  });

  it("a recycled snapshot can be put back", async () => {
    const [snap] = await bin();
    const op = await runAndWait(url, "v1.Backrest/RestoreFromRecycleBin", {
      repoId: "local",
      snapshotIds: [snap?.id],
    });
    assert.equal(op.status, "STATUS_SUCCESS", op.displayMessage);
    assert.equal((await bin()).length, 0);
    assert.equal((await live("keep1")).length, 2);
  });

  it("purging forgets recycled snapshots for good (and prunes when asked)", async () => {
    const [a] = await live("keep1");
    await runAndWait(url, "v1.Backrest/RecycleSnapshots", {
      repoId: "local",
      snapshotIds: [a?.id],
    });
    const purge = await runAndWait(url, "v1.Backrest/PurgeRecycleBin", {
      repoId: "local",
      prune: true,
    });
    assert.equal(purge.status, "STATUS_SUCCESS", purge.displayMessage);
    assert.equal((await bin()).length, 0);
    assert.ok(
      !(await listSnapshots(fx.repoPath)).some((s) => s.id === a?.id),
      "gone from the repository",
    );
  });

  it("unknown snapshots are NOT_FOUND; an empty list is refused", async () => {
    const op = await runAndWait(url, "v1.Backrest/RecycleSnapshots", {
      repoId: "local",
      snapshotIds: ["0123abcd"],
    });
    assert.equal(op.status, "STATUS_ERROR");
    assert.match(op.displayMessage ?? "", /snapshot "0123abcd" does not exist/);
    const empty = await callJson(url, "v1.Backrest/RecycleSnapshots", {
      repoId: "local",
      snapshotIds: [],
    });
    assert.equal((empty.body as { code: string }).code, "invalid_argument");
  });
});
