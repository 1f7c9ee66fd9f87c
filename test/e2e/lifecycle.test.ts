/**
 * The daemon's life around a running backup: a client that disconnects, a clean shutdown
 * (SIGTERM) and a crash (SIGKILL of the daemon and its restic), each followed by a restart.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { spawnDaemon, writeConfig } from "../helpers/daemon.js";
import { initRepo, makeSourceTree, restic, TEST_PASSWORD } from "../helpers/data.js";
import { startBackupFixture } from "../helpers/fixture.js";
import { callJson, waitFor } from "../helpers/http.js";
import { tempDir } from "../helpers/temp.js";

interface OpJson {
  id: string;
  status: string;
  displayMessage?: string;
}

async function lastOp(url: string): Promise<OpJson | undefined> {
  const res = await callJson(url, "v1.Backrest/GetOperations", { lastN: 1 });
  return (res.body as { operations?: OpJson[] }).operations?.[0];
}

async function waitForStatus(url: string, status: string): Promise<OpJson> {
  return waitFor(
    async () => {
      const op = await lastOp(url);
      return op?.status === status ? op : undefined;
    },
    120_000,
    `an operation in ${status}`,
  );
}

/** A config with one plan over a source tree large enough that a backup takes a few seconds. */
async function bigBackupSetup() {
  const dir = tempDir();
  const repoPath = join(dir, "repo");
  await initRepo(repoPath);
  const sourceDir = makeSourceTree(join(dir, "src"), { files: 50, bigBytes: 400 * 1024 * 1024 });
  const paths = writeConfig(
    {
      instance: "lifecycle",
      repos: [{ id: "local", uri: repoPath, password: TEST_PASSWORD }],
      plans: [{ id: "plan1", repo: "local", paths: [sourceDir] }],
      auth: { disabled: true },
    },
    dir,
  );
  return { ...paths, repoPath };
}

/** Pids of running restic processes working on `repoPath` (found by their environment). */
function resticProcessesFor(repoPath: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() !== "restic") continue;
      const env = readFileSync(`/proc/${entry}/environ`, "utf8").split("\0");
      if (env.includes(`RESTIC_REPOSITORY=${repoPath}`)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

describe("daemon lifecycle around a running backup", { concurrency: false }, () => {
  it("a client that disconnects does not cancel its backup", async () => {
    const fx = await startBackupFixture({ files: 10, bigBytes: 200 * 1024 * 1024 });
    const controller = new AbortController();
    const request = callJson(
      fx.daemon.url,
      "v1.Backrest/Backup",
      { value: "plan1" },
      { signal: controller.signal },
    );
    await waitForStatus(fx.daemon.url, "STATUS_INPROGRESS");
    controller.abort();
    await assert.rejects(request);
    const done = await waitFor(async () => {
      const op = await lastOp(fx.daemon.url);
      return op && op.status !== "STATUS_INPROGRESS" ? op : undefined;
    });
    assert.equal(done.status, "STATUS_SUCCESS", done.displayMessage);
  });

  it("SIGTERM cancels the running backup as system-cancelled, stops restic and exits 0", async () => {
    const setup = await bigBackupSetup();
    const first = await spawnDaemon(setup.configPath, setup.dataDir);
    const request = callJson(first.url, "v1.Backrest/Backup", { value: "plan1" }).catch(
      (e: unknown) => e,
    );
    await waitForStatus(first.url, "STATUS_INPROGRESS");
    await waitFor(
      async () => resticProcessesFor(setup.repoPath).length > 0,
      30_000,
      "restic to start",
    );
    first.child.kill("SIGTERM");
    const exit = await first.child;
    assert.equal(exit.exitCode, 0, first.logs());
    const response = await request;
    if (!(response instanceof Error)) {
      assert.notEqual(
        (response as { status: number }).status,
        200,
        "the backup must not report success",
      );
    }
    assert.deepEqual(resticProcessesFor(setup.repoPath), [], "no restic left running");

    const second = await spawnDaemon(setup.configPath, setup.dataDir);
    const op = await lastOp(second.url);
    assert.equal(op?.status, "STATUS_SYSTEM_CANCELLED");
    const next = await callJson(second.url, "v1.Backrest/Backup", { value: "plan1" });
    assert.equal((next.body as OpJson).status, "STATUS_SUCCESS", next.text);
    second.child.kill("SIGTERM");
    await second.child;
  });

  it("after a SIGKILL mid-backup the next start marks it failed, clears the stale lock, and backups work", async () => {
    const setup = await bigBackupSetup();
    const first = await spawnDaemon(setup.configPath, setup.dataDir);
    void callJson(first.url, "v1.Backrest/Backup", { value: "plan1" }).catch(() => {});
    await waitForStatus(first.url, "STATUS_INPROGRESS");
    // Wait until restic holds its lock in the repository, and the backup is under way (a
    // lock seen earlier may be a short command's, gone before the kill).
    await waitFor(
      async () => readdirSync(join(setup.repoPath, "locks")).length > 0,
      30_000,
      "restic's lock",
    );
    await waitFor(
      async () => {
        const res = await callJson(first.url, "v1.Backrest/GetOperations", { lastN: 1 });
        return /"bytesDone":"[1-9]/.test(res.text) || undefined;
      },
      60_000,
      "the backup's progress",
    );
    // Kill the daemon together with its restic, like a power cut.
    process.kill(-(first.child.pid as number), "SIGKILL");
    await first.child;
    const locks = await restic(setup.repoPath, ["list", "locks", "--no-lock"]);
    assert.notEqual(locks.stdout.trim(), "", "the killed restic left a lock behind");

    const second = await spawnDaemon(setup.configPath, setup.dataDir);
    const op = await lastOp(second.url);
    assert.equal(op?.status, "STATUS_ERROR");
    assert.match(op?.displayMessage ?? "", /daemon stopped while this operation was running/);
    await waitFor(
      async () => {
        const r = await restic(setup.repoPath, ["list", "locks", "--no-lock"]);
        return r.exitCode === 0 && r.stdout.trim() === "";
      },
      60_000,
      "the stale lock to be removed",
    );
    const next = await callJson(second.url, "v1.Backrest/Backup", { value: "plan1" });
    assert.equal((next.body as OpJson).status, "STATUS_SUCCESS", next.text);
    const check = await restic(setup.repoPath, ["check"]);
    assert.equal(check.exitCode, 0, check.stderr);
    const ops = (await callJson(second.url, "v1.Backrest/GetOperations", {})).body as {
      operations: OpJson[];
    };
    // The interrupted backup and the next one (the next one's snapshot is also indexed).
    assert.deepEqual(
      ops.operations.filter((o) => "operationBackup" in o).map((o) => o.status),
      ["STATUS_ERROR", "STATUS_SUCCESS"],
    );
    second.child.kill("SIGTERM");
    await second.child;
  });
});
