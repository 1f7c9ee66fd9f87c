/**
 * Crash recovery that is itself interrupted: the daemon is killed mid-backup (restic leaves its
 * lock), restarted, and killed again while its recovery is still removing that lock. The third
 * start must still remove the stale lock, or every exclusive operation (prune, forget, check)
 * fails with "locked" from then on.
 */
import assert from "node:assert/strict";
import { chmodSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { type DaemonProcess, spawnDaemon, writeConfig } from "../helpers/daemon.js";
import { initRepo, makeSourceTree, restic, TEST_PASSWORD } from "../helpers/data.js";
import { callJson, type OpJson, runAndWait, waitFor } from "../helpers/http.js";
import { slowRestic } from "../helpers/slow-restic.js";
import { tempDir } from "../helpers/temp.js";

/** A restic wrapper whose `unlock` waits long enough for the test to kill the daemon meanwhile. */
function slowUnlockRestic(dir: string): string {
  const path = join(dir, "slow-unlock-restic");
  writeFileSync(
    path,
    `#!/bin/bash\nfor a in "$@"; do [ "$a" = unlock ] && sleep 30; done\nexec restic "$@"\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

async function kill(daemon: DaemonProcess): Promise<void> {
  process.kill(-(daemon.child.pid as number), "SIGKILL");
  await daemon.child;
}

async function locks(repoPath: string): Promise<string[]> {
  const r = await restic(repoPath, ["list", "locks", "--no-lock"]);
  assert.equal(r.exitCode, 0, r.stderr);
  return r.stdout.split("\n").filter(Boolean);
}

it("removes the stale lock even when the daemon was killed during the previous recovery", {
  timeout: 240_000,
}, async () => {
  const dir = tempDir();
  const repoPath = join(dir, "repo");
  await initRepo(repoPath);
  const source = makeSourceTree(join(dir, "src"), { files: 10, bigBytes: 4 * 1024 * 1024 });
  const { configPath, dataDir } = writeConfig(
    {
      instance: "recovery",
      repos: [{ id: "local", uri: repoPath, password: TEST_PASSWORD }],
      plans: [{ id: "plan1", repo: "local", paths: [source] }],
      auth: { disabled: true },
    },
    dir,
  );

  // 1. Killed mid-backup: restic's lock stays behind. The first backup's snapshot is indexed
  // while the second waits in the queue, so the interrupted backup is not the newest operation.
  const slow = slowRestic(0);
  const first = await spawnDaemon(configPath, dataDir, slow);
  const done = await callJson(first.url, "v1.Backrest/Backup", { value: "plan1" });
  assert.equal((done.body as OpJson).status, "STATUS_SUCCESS", done.text);
  slow.setDelaySeconds(60);
  const started = await callJson(first.url, "v1.Backrest/StartBackup", { value: "plan1" });
  const interrupted = (started.body as { operationId: string }).operationId;
  await waitFor(
    async () => readdirSync(join(repoPath, "locks")).length > 0,
    60_000,
    "the second backup's lock",
  );
  const ops = (
    (await callJson(first.url, "v1.Backrest/GetOperations", {})).body as { operations: OpJson[] }
  ).operations;
  assert.ok(
    ops.some((op) => "operationIndexSnapshot" in op && BigInt(op.id) > BigInt(interrupted)),
    "an index operation is newer than the interrupted backup",
  );
  await kill(first);
  assert.equal((await locks(repoPath)).length, 1, "the killed backup left its lock");

  // 2. Restarted; killed while its recovery waits in `restic unlock`.
  const second = await spawnDaemon(configPath, dataDir, { command: slowUnlockRestic(dir) });
  const recovered = (
    (await callJson(second.url, "v1.Backrest/GetOperations", {})).body as { operations: OpJson[] }
  ).operations;
  assert.equal(
    recovered.find((op) => op.id === interrupted)?.status,
    "STATUS_ERROR",
    "the second start marked the backup failed",
  );
  await kill(second);
  assert.equal((await locks(repoPath)).length, 1, "the interrupted recovery removed nothing");

  // 3. The third start has nothing in progress to recover, but must still clear the lock.
  const third = await spawnDaemon(configPath, dataDir);
  await waitFor(async () => (await locks(repoPath)).length === 0, 60_000, "the stale lock to go");
  const prune = await runAndWait(third.url, "v1.Backrest/DoRepoTask", {
    repoId: "local",
    task: "TASK_PRUNE",
  });
  assert.equal(prune.status, "STATUS_SUCCESS", prune.displayMessage);
  const backup = await callJson(third.url, "v1.Backrest/Backup", { value: "plan1" });
  assert.equal((backup.body as OpJson).status, "STATUS_SUCCESS", backup.text);
  third.child.kill("SIGTERM");
  assert.equal((await third.child).exitCode, 0);
});
