/**
 * Repositories on remote backends, end to end through the daemon's API: `rest:` against
 * rclone's REST server and `sftp:` against a private OpenSSH server, both on loopback.
 * AddRepo -> Backup -> ListSnapshots -> ListSnapshotFiles -> Restore -> Forget -> prune -> check.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { resticAt, startRestBackend, startSftpBackend } from "../helpers/backends.js";
import { startTestDaemon } from "../helpers/daemon.js";
import { makeSourceTree, TEST_PASSWORD } from "../helpers/data.js";
import { callJson, type OpJson, runAndWait } from "../helpers/http.js";
import { tempDir } from "../helpers/temp.js";

interface SnapJson {
  id: string;
  planId?: string;
  paths?: string[];
}

/** Each step stops by itself even if an operation hangs. */
const STEP = { timeout: 120_000 };

/** relative path -> sha256 of every file under root. */
function hashTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(root, p)] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  walk(root);
  return out;
}

/** The whole round trip on one remote repository (uri, flags) whose files live in `dir`. */
function roundTrip(
  name: string,
  start: () => Promise<{ uri: string; flags: string[]; dir: string }>,
) {
  describe(`${name} repository`, async () => {
    const backend = await start();
    const source = makeSourceTree(join(tempDir(), "src"), { files: 30, bigBytes: 3 * 1024 * 1024 });
    const daemon = await startTestDaemon({
      version: 4,
      instance: "remote-test",
      repos: [],
      plans: [],
      auth: { disabled: true },
    });
    const url = daemon.url;
    const repo = { uri: backend.uri, flags: backend.flags };
    const snapshots: string[] = [];

    it("AddRepo initializes the repository on the backend and records its guid", STEP, async () => {
      const added = await callJson(url, "v1.Backrest/AddRepo", {
        repo: {
          id: name,
          uri: backend.uri,
          password: TEST_PASSWORD,
          flags: backend.flags,
          autoInitialize: true,
        },
      });
      assert.equal(added.status, 200, added.text);
      const cfg = added.body as { repos: { id: string; guid?: string }[] };
      const guid = cfg.repos.find((r) => r.id === name)?.guid;
      assert.ok(guid, "the guid is recorded");
      // The repository really is on the backend, and it is the one the daemon recorded.
      assert.ok(existsSync(join(backend.dir, "config")), "the backend holds the repo's config");
      const config = await resticAt(repo, ["cat", "config", "--json", "--no-lock"], TEST_PASSWORD);
      assert.equal(config.exitCode, 0, config.stderr);
      assert.equal((JSON.parse(config.stdout) as { id: string }).id, guid);
      const withPlan = { ...cfg, plans: [{ id: `${name}-plan`, repo: name, paths: [source] }] };
      const set = await callJson(url, "v1.Backrest/SetConfig", withPlan);
      assert.equal(set.status, 200, set.text);
    });

    it("Backup makes a snapshot on the backend", STEP, async () => {
      for (let i = 0; i < 2; i++) {
        const res = await callJson(url, "v1.Backrest/Backup", { value: `${name}-plan` });
        assert.equal(res.status, 200, res.text);
        const op = res.body as OpJson;
        assert.equal(op.status, "STATUS_SUCCESS", op.displayMessage);
        assert.ok(op.snapshotId, "the backup names its snapshot");
        snapshots.push(op.snapshotId);
      }
      const direct = await resticAt(repo, ["snapshots", "--json", "--no-lock"], TEST_PASSWORD);
      assert.equal(direct.exitCode, 0, direct.stderr);
      const ids = (JSON.parse(direct.stdout) as { short_id: string }[]).map((s) => s.short_id);
      assert.deepEqual(ids.sort(), snapshots.map((s) => s.slice(0, 8)).sort());
    });

    it("ListSnapshots lists both snapshots with their plan", STEP, async () => {
      const res = await callJson(url, "v1.Backrest/ListSnapshots", { repoId: name });
      assert.equal(res.status, 200, res.text);
      const list = (res.body as { snapshots?: SnapJson[] }).snapshots ?? [];
      assert.equal(list.length, 2);
      assert.ok(list.every((s) => s.planId === `${name}-plan`));
      assert.deepEqual(list[0]?.paths, [source]);
    });

    it("ListSnapshotFiles lists a folder of a snapshot", STEP, async () => {
      const res = await callJson(url, "v1.Backrest/ListSnapshotFiles", {
        repoId: name,
        snapshotId: snapshots[0],
        path: join(source, "sub"),
      });
      assert.equal(res.status, 200, res.text);
      const entries = (res.body as { entries: { name: string }[] }).entries;
      assert.equal(entries.length, 15);
      assert.ok(entries.some((e) => e.name === "file-1.txt"));
    });

    it("Restore brings back every file with the same content", STEP, async () => {
      const target = join(tempDir(), "restored");
      const op = await runAndWait(url, "v1.Backrest/Restore", {
        repoId: name,
        snapshotId: snapshots[0],
        path: source,
        target,
      });
      assert.equal(op.status, "STATUS_SUCCESS", op.displayMessage);
      assert.deepEqual(hashTree(join(target, source)), hashTree(source));
    });

    it("Forget removes one snapshot from the backend", STEP, async () => {
      const op = await runAndWait(url, "v1.Backrest/Forget", {
        repoId: name,
        snapshotId: snapshots[0],
      });
      assert.equal(op.status, "STATUS_SUCCESS", op.displayMessage);
      const res = await callJson(url, "v1.Backrest/ListSnapshots", { repoId: name });
      const left = ((res.body as { snapshots?: SnapJson[] }).snapshots ?? []).map((s) => s.id);
      // restic 0.14's backup summary names the snapshot by its short id.
      assert.deepEqual(
        left.map((id) => id.slice(0, 8)),
        [snapshots[1]?.slice(0, 8)],
      );
    });

    it("prune and check succeed, and restic itself finds the repository intact", STEP, async () => {
      for (const task of ["TASK_PRUNE", "TASK_CHECK"]) {
        const op = await runAndWait(url, "v1.Backrest/DoRepoTask", { repoId: name, task });
        assert.equal(op.status, "STATUS_SUCCESS", `${task}: ${op.displayMessage}`);
      }
      const check = await resticAt(repo, ["check"], TEST_PASSWORD);
      assert.equal(check.exitCode, 0, check.stderr);
      assert.match(check.stdout, /no errors were found/);
    });
  });
}

roundTrip("rest", async () => ({ ...(await startRestBackend()), flags: [] }));
roundTrip("sftp", startSftpBackend);
