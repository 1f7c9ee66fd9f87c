/**
 * RotateRepoPassword against the real restic: the normal path in-process, and crashes of a
 * daemon child process at each step (SIGKILL of its process group while it waits at a test
 * pause point), each followed by a restart on the same config and data.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { spawnDaemon, spawnRestwell, writeConfig } from "../helpers/daemon.js";
import { initRepo, makeSourceTree, restic, TEST_PASSWORD } from "../helpers/data.js";
import { startBackupFixture } from "../helpers/fixture.js";
import { callJson, type OpJson, waitFor } from "../helpers/http.js";
import { tempDir } from "../helpers/temp.js";

interface CfgJson {
  modno?: number;
  repos: { id: string; password?: string }[];
}

/** The password of repo "local" in the config file on disk. */
function storedPassword(configPath: string): string {
  const cfg = JSON.parse(readFileSync(configPath, "utf8")) as CfgJson;
  return cfg.repos.find((r) => r.id === "local")?.password ?? "";
}

/** The repo's key ids as `restic key list` shows them with `password`. */
async function keyIds(repoPath: string, password: string): Promise<string[]> {
  const r = await restic(repoPath, ["key", "list", "--json"], password);
  assert.equal(r.exitCode, 0, r.stderr);
  return (JSON.parse(r.stdout) as { id: string }[]).map((k) => k.id);
}

async function backupSucceeds(url: string): Promise<void> {
  const res = await callJson(url, "v1.Backrest/Backup", { value: "plan1" });
  assert.equal(res.status, 200, res.text);
  assert.equal((res.body as OpJson).status, "STATUS_SUCCESS", res.text);
}

describe("RotateRepoPassword", async () => {
  const fx = await startBackupFixture({ files: 3 });
  const url = fx.daemon.url;

  it("replaces the key: the old password no longer opens the repo, the new one does, backups go on", async () => {
    await backupSucceeds(url);
    const before = JSON.parse(readFileSync(fx.daemon.configPath, "utf8")) as CfgJson;
    const oldKeys = await keyIds(fx.repoPath, TEST_PASSWORD);

    const res = await callJson(url, "v1.Backrest/RotateRepoPassword", { repoId: "local" });
    assert.equal(res.status, 200, res.text);
    const returned = res.body as CfgJson;
    assert.equal(returned.repos.find((r) => r.id === "local")?.password, "<redacted>");
    assert.ok((returned.modno ?? 0) > (before.modno ?? 0), "modno bumped");

    const password = storedPassword(fx.daemon.configPath);
    assert.match(password, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(!res.text.includes(password), "the response never holds the password");
    const wrong = await restic(fx.repoPath, ["snapshots"], TEST_PASSWORD);
    assert.notEqual(wrong.exitCode, 0, "the old password no longer opens the repository");
    assert.match(wrong.stderr, /wrong password/);
    const newKeys = await keyIds(fx.repoPath, password);
    assert.equal(newKeys.length, 1);
    assert.ok(!oldKeys.includes(newKeys[0] as string), "the remaining key is a new one");

    const cfg = await callJson(url, "v1.Backrest/GetConfig", {});
    assert.equal((cfg.body as CfgJson).repos[0]?.password, "<redacted>");
    assert.ok(!cfg.text.includes(password));

    const ops = (await callJson(url, "v1.Backrest/GetOperations", {})).body as {
      operations: OpJson[];
    };
    const rotation = ops.operations.find((o) => "operationRunCommand" in o);
    assert.equal(rotation?.status, "STATUS_SUCCESS", rotation?.displayMessage);
    assert.match(rotation?.displayMessage ?? "", /replaced by key/);
    assert.ok(!JSON.stringify(ops).includes(password));

    await backupSucceeds(url);
    const snapshots = await restic(fx.repoPath, ["snapshots", "--json"], password);
    assert.equal((JSON.parse(snapshots.stdout) as unknown[]).length, 2);
  });

  it("refuses a missing or unknown repo", async () => {
    const missing = await callJson(url, "v1.Backrest/RotateRepoPassword", {});
    assert.equal((missing.body as { code: string }).code, "invalid_argument");
    const unknown = await callJson(url, "v1.Backrest/RotateRepoPassword", { repoId: "nope" });
    assert.equal((unknown.body as { code: string }).code, "not_found");
  });
});

/** A daemon child on a fresh repo, paused at `step` of a rotation it was asked to do. */
async function crashAt(step: "key-added" | "verified" | "config-saved") {
  const dir = tempDir();
  const repoPath = join(dir, "repo");
  await initRepo(repoPath);
  const sourceDir = makeSourceTree(join(dir, "src"), { files: 3 });
  const paths = writeConfig(
    {
      instance: "rotation-crash",
      repos: [{ id: "local", uri: repoPath, password: TEST_PASSWORD }],
      plans: [{ id: "plan1", repo: "local", paths: [sourceDir] }],
      auth: { disabled: true },
    },
    dir,
  );
  const args = ["--config-file", paths.configPath, "--data-dir", paths.dataDir];
  const daemon = await spawnRestwell(["serve", ...args, "--bind-address", "127.0.0.1:0"], {
    RESTWELL_TEST_PAUSE_AT: `rotate:${step}`,
  });
  const rotation = callJson(daemon.url, "v1.Backrest/RotateRepoPassword", {
    repoId: "local",
  }).catch((e: unknown) => e);
  await waitFor(
    async () => daemon.logs().includes(`restwell: test pause at rotate:${step}`),
    60_000,
    `the daemon to pause at rotate:${step}`,
  );
  // Like a power cut: the daemon and anything it started.
  process.kill(-(daemon.child.pid as number), "SIGKILL");
  await daemon.child;
  await rotation;
  return { ...paths, repoPath, logs: daemon.logs };
}

describe("RotateRepoPassword after a crash", { concurrency: false }, () => {
  for (const step of ["key-added", "verified", "config-saved"] as const) {
    it(`a kill after ${step} leaves a config password that opens the repo, and the daemon works on`, async () => {
      const crashed = await crashAt(step);
      const password = storedPassword(crashed.configPath);
      if (step === "config-saved") {
        assert.notEqual(password, TEST_PASSWORD, "the new password was saved");
        // The old key goes only after the save: it is still there.
        assert.equal((await keyIds(crashed.repoPath, TEST_PASSWORD)).length, 2);
      } else {
        assert.equal(password, TEST_PASSWORD, "the config was not changed yet");
      }
      const opened = await restic(crashed.repoPath, ["snapshots"], password);
      assert.equal(opened.exitCode, 0, opened.stderr);

      const second = await spawnDaemon(crashed.configPath, crashed.dataDir);
      const ops = (await callJson(second.url, "v1.Backrest/GetOperations", {})).body as {
        operations: OpJson[];
      };
      const interrupted = ops.operations.find((o) => "operationRunCommand" in o);
      assert.equal(interrupted?.status, "STATUS_ERROR");
      await backupSucceeds(second.url);

      // A new rotation completes from whatever state the crash left.
      const again = await callJson(second.url, "v1.Backrest/RotateRepoPassword", {
        repoId: "local",
      });
      assert.equal(again.status, 200, again.text);
      const latest = storedPassword(crashed.configPath);
      assert.notEqual(latest, password);
      assert.equal((await restic(crashed.repoPath, ["snapshots"], latest)).exitCode, 0);
      await backupSucceeds(second.url);
      for (const secret of [password, latest].filter((p) => p !== TEST_PASSWORD)) {
        assert.ok(!crashed.logs().includes(secret), "no password in the first daemon's log");
        assert.ok(!second.logs().includes(secret), "no password in the second daemon's log");
      }
      second.child.kill("SIGTERM");
      await second.child;
    });
  }
});
