/**
 * `restwell import-backrest`: a Backrest config.json in Backrest's default place and a real
 * restic repository with snapshots tagged the Backrest way; after the import the daemon
 * starts on the written config with the snapshot history already in its operation log.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { hashPassword } from "../../src/auth/password.js";
import { checkConfigFile } from "../../src/cli/config-check.js";
import { startDaemon } from "../../src/daemon.js";
import { silentLogger } from "../../src/log.js";
import { output, restwell } from "../helpers/cli.js";
import { initRepo, makeSourceTree, restic, TEST_PASSWORD } from "../helpers/data.js";
import { callJson, type OpJson } from "../helpers/http.js";
import { tempDir } from "../helpers/temp.js";

const USER = "admin";
const PASSWORD = "backrest admin password";

/** A backup made the way Backrest makes them: plan and instance tags. */
async function backrestBackup(repo: string, source: string, plan: string): Promise<void> {
  const r = await restic(repo, [
    "backup",
    "--tag",
    `plan:${plan}`,
    "--tag",
    "created-by:backrest-host",
    source,
  ]);
  assert.equal(r.exitCode, 0, r.stderr);
}

describe("restwell import-backrest", async () => {
  const home = tempDir();
  const repoPath = join(home, "repo");
  const source = makeSourceTree(join(home, "src"), { files: 5 });
  await initRepo(repoPath);
  await backrestBackup(repoPath, source, "docs");
  await backrestBackup(repoPath, source, "docs");
  await backrestBackup(repoPath, source, "photos");
  const backrestConfig = {
    modno: 7,
    version: 4,
    instance: "backrest-host",
    repos: [
      {
        id: "local",
        uri: repoPath,
        guid: "5f1c0e2d7a9b4c3e8f6a1b2c3d4e5f60718293a4b5c6d7e8f9011223344556677",
        password: TEST_PASSWORD,
        prunePolicy: { schedule: { maxFrequencyDays: 7, clock: "CLOCK_LAST_RUN_TIME" } },
        hooks: [
          {
            conditions: ["CONDITION_PRUNE_ERROR", "CONDITION_FROM_THE_FUTURE"],
            actionShoutrrr: { shoutrrrUrl: "discord://token@channel", template: "x" },
          },
        ],
      },
    ],
    plans: [
      {
        id: "docs",
        repo: "local",
        paths: [source],
        schedule: { cron: "0 2 * * *", clock: "CLOCK_LOCAL" },
        retention: { policyKeepLastN: 10 },
      },
      { id: "photos", repo: "local", paths: [source], schedule: { disabled: true } },
    ],
    auth: { users: [{ name: USER, passwordBcrypt: await hashPassword(PASSWORD) }] },
    sync: { identity: { keyid: "k" }, knownHosts: [] },
  };
  const backrestFile = join(home, ".config", "backrest", "config.json");
  mkdirSync(join(home, ".config", "backrest"), { recursive: true });
  writeFileSync(backrestFile, JSON.stringify(backrestConfig, null, 2));
  const target = join(home, "restwell", "config.json");
  const dataDir = join(home, "restwell-data");
  const args = ["import-backrest", "--config-file", target, "--data-dir", dataDir];

  it("reports what does not carry over, writes the config and indexes the snapshots", async () => {
    const r = await restwell(args, { HOME: home });
    assert.equal(r.exitCode, 0, output(r));
    assert.match(r.stdout, new RegExp(`^read ${backrestFile}: 1 repos, 2 plans, 1 users$`, "m"));
    assert.match(r.stdout, /^not carried over \(3\):$/m);
    assert.match(r.stdout, /^ {2}sync: not supported by Restwell; ignored$/m);
    assert.match(
      r.stdout,
      /^ {2}repos\[0\]\.hooks\[0\]\.conditions\[1\]: "CONDITION_FROM_THE_FUTURE" is not supported/m,
    );
    assert.match(
      r.stdout,
      /^ {2}repos\[0\]\.hooks\[0\]: Shoutrrr notifications are not supported/m,
    );
    assert.match(r.stdout, new RegExp(`^wrote ${target}$`, "m"));
    assert.match(r.stdout, /^indexed repo local: 3 snapshots \(3 new\)/m);

    assert.equal(statSync(target).mode & 0o777, 0o600);
    const written = checkConfigFile(target);
    assert.deepEqual(written.issues, []);
    assert.equal(written.config?.instance, "backrest-host");
    assert.equal(written.config?.modno, 7);
    assert.deepEqual(
      written.config?.plans.map((p) => p.id),
      ["docs", "photos"],
    );
  });

  it("the daemon starts on it with the history already there", async () => {
    const daemon = await startDaemon({
      configPath: target,
      dataDir,
      bindAddress: "127.0.0.1:0",
      resticCommand: "restic",
      resticEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home },
      log: silentLogger,
    });
    after(() => daemon.stop());
    const auth = { user: USER, password: PASSWORD };
    const res = await callJson(daemon.url, "v1.Backrest/GetOperations", { selector: {} }, auth);
    assert.equal(res.status, 200, res.text);
    const ops = (res.body as { operations: OpJson[] }).operations.filter(
      (o) => o.operationIndexSnapshot,
    );
    assert.equal(ops.length, 3);
    assert.deepEqual(ops.map((o) => o.planId).sort(), ["docs", "docs", "photos"]);
    assert.ok(ops.every((o) => (o as { instanceId?: string }).instanceId === "backrest-host"));
    const snaps = await callJson(
      daemon.url,
      "v1.Backrest/ListSnapshots",
      { repoId: "local", planId: "docs" },
      auth,
    );
    assert.equal((snaps.body as { snapshots: unknown[] }).snapshots.length, 2);
  });

  it("never replaces an existing config without --force", async () => {
    const before = readFileSync(target, "utf8");
    const r = await restwell([...args, "--no-index"], { HOME: home });
    assert.equal(r.exitCode, 1, output(r));
    assert.match(r.stderr, /already exists; nothing was written\. Pass --force/);
    assert.equal(readFileSync(target, "utf8"), before);
    const forced = await restwell([...args, "--no-index", "--force", "--json"], { HOME: home });
    assert.equal(forced.exitCode, 0, output(forced));
    const report = JSON.parse(forced.stdout) as { dropped: unknown[]; indexed: unknown[] };
    assert.equal(report.dropped.length, 3);
    assert.deepEqual(report.indexed, []);
    const history = join(home, "restwell", "config-history");
    assert.ok(existsSync(history) && readdirSync(history).length === 1, "old file kept");
  });

  it("an invalid Backrest config writes nothing", async () => {
    const dir = tempDir();
    const from = join(dir, "config.json");
    writeFileSync(from, JSON.stringify({ instance: "x", plans: [{ id: "p", repo: "nope" }] }));
    const out = join(dir, "out", "config.json");
    const r = await restwell(["import-backrest", "--from", from, "--config-file", out]);
    assert.equal(r.exitCode, 1, output(r));
    assert.match(r.stderr, /cannot be imported; nothing was written[\s\S]*plans\[0\]\.repo/);
    assert.equal(existsSync(out), false);
    const missing = await restwell(["import-backrest"], { HOME: dir });
    assert.equal(missing.exitCode, 1);
    assert.match(
      missing.stderr,
      /cannot read Backrest's config .*\.config\/backrest\/config\.json/,
    );
  });

  it("a repository that cannot be read is reported; the config is still written", async () => {
    const dir = tempDir();
    const from = join(dir, "backrest.json");
    writeFileSync(
      from,
      JSON.stringify({
        instance: "h",
        repos: [{ id: "gone", uri: join(dir, "no-repo"), password: "x" }],
      }),
    );
    const out = join(dir, "config.json");
    const r = await restwell([
      "import-backrest",
      "--from",
      from,
      "--config-file",
      out,
      "--data-dir",
      join(dir, "data"),
    ]);
    assert.equal(r.exitCode, 1, output(r));
    assert.match(
      r.stderr,
      /could not index repo gone: there is no restic repository[\s\S]*TASK_INDEX_SNAPSHOTS/,
    );
    assert.deepEqual(checkConfigFile(out).issues, []);
  });
});
