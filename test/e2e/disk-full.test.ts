/**
 * A full disk under the config and data directories (a small tmpfs, or a loop-mounted ext4
 * image, mounted by the test): saves and new operations are refused with a clear
 * RESOURCE_EXHAUSTED error, a backup running when the disk fills does not take the daemon down,
 * and once space is freed everything works again and nothing is corrupted.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { parseConfigJson, validateConfig } from "../../src/config/index.js";
import { type DaemonProcess, spawnDaemon, writeConfig } from "../helpers/daemon.js";
import { initRepo, makeSourceTree, TEST_PASSWORD } from "../helpers/data.js";
import { callJson, type OpJson, waitFor } from "../helpers/http.js";
import { slowRestic } from "../helpers/slow-restic.js";
import { mountSmallFs, type SmallFs } from "../helpers/small-fs.js";

const base = mkdtempSync(join(tmpdir(), "restwell-disk-full-"));
const mounted = await mountSmallFs(join(base, "small"), 8);
const skip = "skip" in mounted ? mounted.skip : false;
if (skip) {
  process.stderr.write(`disk-full: skipped: ${skip}\n`);
  rmSync(base, { recursive: true, force: true });
}

/** "the disk … is full / no space …; free space …" as RESOURCE_EXHAUSTED. */
function assertDiskFull(res: { status: number; body: unknown; text: string }, what: string): void {
  const body = res.body as { code?: string; message?: string };
  assert.equal(body.code, "resource_exhausted", `${what}: ${res.text}`);
  assert.match(body.message ?? "", /no space left|is full/, `${what}: ${res.text}`);
  assert.match(body.message ?? "", /free space/, `${what} says what to do: ${res.text}`);
}

async function ops(url: string): Promise<OpJson[]> {
  const res = await callJson(url, "v1.Backrest/GetOperations", {});
  assert.equal(res.status, 200, res.text);
  return (res.body as { operations?: OpJson[] }).operations ?? [];
}

describe("a full data directory", { skip, concurrency: false, timeout: 300_000 }, async () => {
  if (skip) return;
  const fs = mounted as SmallFs;
  const configDir = join(fs.dir, "conf");
  mkdirSync(configDir, { recursive: true });
  const repoPath = join(base, "repo");
  await initRepo(repoPath);
  const source = makeSourceTree(join(base, "src"), { files: 30, bigBytes: 2 * 1024 * 1024 });
  const { configPath, dataDir } = writeConfig(
    {
      instance: "disk-full",
      repos: [{ id: "local", uri: repoPath, password: TEST_PASSWORD }],
      plans: [{ id: "plan1", repo: "local", paths: [source] }],
      auth: { disabled: true },
    },
    configDir,
  );
  const slow = slowRestic(0);
  let daemon: DaemonProcess = await spawnDaemon(configPath, dataDir, slow);
  let filler = "";
  let interruptedId = "";
  after(async () => {
    try {
      if (daemon.child.pid) process.kill(-daemon.child.pid, "SIGKILL");
    } catch {
      // already gone
    }
    await daemon.child;
    await fs.unmount();
    rmSync(base, { recursive: true, force: true });
  });

  it(`backs up with its config and data on a small ${fs.kind}`, async () => {
    const res = await callJson(daemon.url, "v1.Backrest/Backup", { value: "plan1" });
    assert.equal((res.body as OpJson).status, "STATUS_SUCCESS", res.text);
  });

  it("a backup running when the disk fills ends without taking the daemon down", async () => {
    slow.setDelaySeconds(3);
    const started = await callJson(daemon.url, "v1.Backrest/StartBackup", { value: "plan1" });
    assert.equal(started.status, 200, started.text);
    const id = (started.body as { operationId: string }).operationId;
    interruptedId = id;
    // Its first progress report is recorded; then the disk fills while restic is held.
    await waitFor(
      async () =>
        (await ops(daemon.url)).some(
          (op) => op.id === id && op.status === "STATUS_INPROGRESS" && op.operationBackup,
        ),
      60_000,
      "the backup to run",
    );
    filler = fs.fill();
    // restic goes on, the daemon records progress and the end: every write now fails.
    await new Promise((r) => setTimeout(r, 8_000));
    assert.equal(daemon.child.exitCode, null, `the daemon exited:\n${daemon.logs()}`);
    const health = await fetch(`${daemon.url}/healthz`);
    assert.equal(health.status, 503, "health reports the log as not writable");
    assert.match(await health.text(), /not writable/);
    slow.setDelaySeconds(0);
  });

  it("a config save is refused as disk full and leaves the file as it was", async () => {
    const before = readFileSync(configPath, "utf8");
    const cfg = JSON.parse(before) as { plans: { excludes?: string[] }[] };
    (cfg.plans[0] as { excludes?: string[] }).excludes = ["*.tmp"];
    const res = await callJson(daemon.url, "v1.Backrest/SetConfig", cfg);
    assertDiskFull(res, "SetConfig");
    assert.equal(readFileSync(configPath, "utf8"), before, "config.json is unchanged");
    const strays = readdirSync(configDir).filter((n) => n.includes(".tmp-"));
    assert.deepEqual(strays, [], "no temp file is left behind");
  });

  it("a new backup is refused as disk full", async () => {
    const res = await callJson(daemon.url, "v1.Backrest/StartBackup", { value: "plan1" });
    assertDiskFull(res, "StartBackup");
    const blocking = await callJson(daemon.url, "v1.Backrest/Backup", { value: "plan1" });
    assertDiskFull(blocking, "Backup");
  });

  it("works again once space is freed", async () => {
    rmSync(filler);
    // The end of the backup the full disk interrupted is recorded without a restart.
    let interrupted: OpJson | undefined;
    await waitFor(
      async () => {
        interrupted = (await ops(daemon.url)).find((op) => op.id === interruptedId);
        return interrupted !== undefined && interrupted.status !== "STATUS_INPROGRESS";
      },
      60_000,
      "the interrupted backup's end to be recorded",
    );
    assert.equal(interrupted?.status, "STATUS_ERROR", JSON.stringify(interrupted));
    assert.match(interrupted?.displayMessage ?? "", /full|no space/, JSON.stringify(interrupted));
    const cfg = JSON.parse(readFileSync(configPath, "utf8")) as {
      plans: { excludes?: string[] }[];
    };
    (cfg.plans[0] as { excludes?: string[] }).excludes = ["*.tmp"];
    const saved = await callJson(daemon.url, "v1.Backrest/SetConfig", cfg);
    assert.equal(saved.status, 200, saved.text);
    const res = await callJson(daemon.url, "v1.Backrest/Backup", { value: "plan1" });
    assert.equal((res.body as OpJson).status, "STATUS_SUCCESS", res.text);
    const health = await fetch(`${daemon.url}/healthz`);
    assert.equal(health.status, 200, await health.text());
  });

  it("after a restart the config loads and the log is consistent", async () => {
    const finished = (await ops(daemon.url)).filter(
      (op) => op.status !== "STATUS_INPROGRESS" && op.status !== "STATUS_PENDING",
    );
    daemon.child.kill("SIGTERM");
    assert.equal((await daemon.child).exitCode, 0, daemon.logs());
    assert.deepEqual(validateConfig(parseConfigJson(readFileSync(configPath, "utf8"))), []);
    const db = new Database(join(dataDir, "oplog.sqlite"), { readonly: true });
    assert.deepEqual(db.pragma("integrity_check"), [{ integrity_check: "ok" }]);
    db.close();
    daemon = await spawnDaemon(configPath, dataDir);
    const after = await ops(daemon.url);
    assert.deepEqual(
      after.filter((op) => op.status === "STATUS_INPROGRESS" || op.status === "STATUS_PENDING"),
      [],
      "nothing is left in progress",
    );
    for (const op of finished) {
      assert.equal(after.find((o) => o.id === op.id)?.status, op.status, `operation ${op.id}`);
    }
    const res = await callJson(daemon.url, "v1.Backrest/Backup", { value: "plan1" });
    assert.equal((res.body as OpJson).status, "STATUS_SUCCESS", res.text);
  });
});
