/** Config through the API and at start-up: validation, modno, redaction, atomic saves, Backrest files. */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { startDaemon } from "../../src/daemon.js";
import { silentLogger } from "../../src/log.js";
import { startTestDaemon, writeConfig } from "../helpers/daemon.js";
import { TEST_PASSWORD } from "../helpers/data.js";
import { startBackupFixture } from "../helpers/fixture.js";
import { callJson } from "../helpers/http.js";
import { tempDir } from "../helpers/temp.js";

type Cfg = Record<string, unknown> & {
  modno?: number;
  repos?: Record<string, unknown>[];
  plans?: Record<string, unknown>[];
};

describe("config over the API", async () => {
  const fx = await startBackupFixture({ files: 3 });
  const url = fx.daemon.url;
  const getConfig = async () => (await callJson(url, "v1.Backrest/GetConfig", {})).body as Cfg;

  it("GetConfig redacts the repo password", async () => {
    const res = await callJson(url, "v1.Backrest/GetConfig", {});
    assert.equal(res.status, 200);
    assert.ok(!res.text.includes(TEST_PASSWORD), "password must not leave the daemon");
    assert.equal((res.body as Cfg).repos?.[0]?.password, "<redacted>");
  });

  it("SetConfig with the redaction marker keeps the stored password, bumps modno and saves 0600", async () => {
    const cfg = await getConfig();
    const before = cfg.modno ?? 0;
    cfg.plans?.push({ id: "plan2", repo: "local", paths: [fx.sourceDir] });
    const res = await callJson(url, "v1.Backrest/SetConfig", cfg);
    assert.equal(res.status, 200, res.text);
    assert.equal((res.body as Cfg).modno, before + 1);
    const onDisk = JSON.parse(readFileSync(fx.daemon.configPath, "utf8")) as Cfg;
    assert.equal(onDisk.repos?.[0]?.password, TEST_PASSWORD);
    assert.equal(onDisk.modno, before + 1);
    assert.equal(statSync(fx.daemon.configPath).mode & 0o777, 0o600);
    // The stored password still opens the repository.
    const backup = await callJson(url, "v1.Backrest/Backup", { value: "plan2" });
    assert.equal((backup.body as { status: string }).status, "STATUS_SUCCESS", backup.text);
    // The previous version is kept.
    const history = readdirSync(join(fx.daemon.configPath, "..", "config-history"));
    assert.ok(history.length >= 1);
  });

  it("SetConfig with a stale modno is FAILED_PRECONDITION and changes nothing", async () => {
    const cfg = await getConfig();
    const text = readFileSync(fx.daemon.configPath, "utf8");
    const res = await callJson(url, "v1.Backrest/SetConfig", {
      ...cfg,
      modno: (cfg.modno ?? 0) - 1,
      instance: "other",
    });
    assert.equal((res.body as { code: string }).code, "failed_precondition");
    assert.match((res.body as { message: string }).message, /reload/);
    assert.equal(readFileSync(fx.daemon.configPath, "utf8"), text);
  });

  it("an invalid config is refused with every problem and its path, and nothing is written", async () => {
    const cfg = await getConfig();
    const text = readFileSync(fx.daemon.configPath, "utf8");
    cfg.plans = [
      { id: "bad id!", repo: "local", paths: ["relative/path"] },
      { id: "p3", repo: "missing", paths: ["/x"], schedule: { cron: "not a cron" } },
    ];
    const res = await callJson(url, "v1.Backrest/SetConfig", cfg);
    assert.equal(res.status, 400);
    const msg = (res.body as { message: string }).message;
    for (const path of ["plans[0].id", "plans[0].paths[0]", "plans[1].repo", "plans[1].schedule"]) {
      assert.ok(msg.includes(path), `message names ${path}: ${msg}`);
    }
    assert.equal(readFileSync(fx.daemon.configPath, "utf8"), text);
  });

  it("a new repo sent with the redaction marker as password is refused", async () => {
    const cfg = await getConfig();
    cfg.repos?.push({ id: "r2", uri: "/tmp/whatever", password: "<redacted>" });
    const res = await callJson(url, "v1.Backrest/SetConfig", cfg);
    assert.equal(res.status, 400);
    assert.match((res.body as { message: string }).message, /repos\[1\]\.password/);
  });
});

describe("config at start-up", () => {
  it("writes a working default config on first start", async () => {
    const d = await startTestDaemon();
    const cfg = JSON.parse(readFileSync(d.configPath, "utf8")) as Cfg;
    assert.ok(typeof cfg.instance === "string" && cfg.instance.length > 0);
    assert.equal(statSync(d.configPath).mode & 0o777, 0o600);
    const res = await callJson(d.url, "v1.Backrest/GetConfig", {});
    assert.equal(res.status, 200);
  });

  it("refuses to start on an invalid config, reports every problem and never rewrites the file", async () => {
    const { configPath, dataDir } = writeConfig({
      instance: "x",
      repos: [{ id: "r", uri: "" }],
      plans: [{ id: "p", repo: "nope", paths: ["rel"] }],
    });
    const text = readFileSync(configPath, "utf8");
    await assert.rejects(
      startDaemon({
        configPath,
        dataDir,
        bindAddress: "127.0.0.1:0",
        resticCommand: "restic",
        resticEnv: {},
        log: silentLogger,
      }),
      (err: Error) => {
        for (const p of ["repos[0].uri", "plans[0].repo", "plans[0].paths[0]"])
          assert.ok(err.message.includes(p), err.message);
        return true;
      },
    );
    assert.equal(readFileSync(configPath, "utf8"), text);
  });

  it("refuses malformed JSON with the file's path", async () => {
    const dir = tempDir();
    const configPath = join(dir, "config.json");
    writeFileSync(configPath, '{"instance": "x",');
    await assert.rejects(
      startDaemon({
        configPath,
        dataDir: join(dir, "data"),
        bindAddress: "127.0.0.1:0",
        resticCommand: "restic",
        resticEnv: {},
        log: silentLogger,
      }),
      (err: Error) => err.message.includes(configPath),
    );
    assert.equal(readFileSync(configPath, "utf8"), '{"instance": "x",');
  });

  it("loads a Backrest config.json unchanged and serves it", async () => {
    const text = readFileSync(
      join(import.meta.dirname, "..", "fixtures", "backrest-config.json"),
      "utf8",
    );
    const d = await startTestDaemon(JSON.parse(text) as object);
    const res = await callJson(
      d.url,
      "v1.Backrest/GetConfig",
      {},
      { user: "admin", password: "correct horse battery staple" },
    );
    assert.equal(res.status, 200, res.text);
    const cfg = res.body as Cfg;
    const original = JSON.parse(text) as Cfg;
    assert.deepEqual(
      cfg.plans?.map((p) => p.id),
      original.plans?.map((p) => p.id),
    );
    assert.deepEqual(cfg.plans?.[0]?.backup_flags, original.plans?.[0]?.backup_flags);
  });

  it("an unknown restic command is a clear start-up error", async () => {
    const dir = tempDir();
    await assert.rejects(
      startDaemon({
        configPath: join(dir, "config.json"),
        dataDir: join(dir, "data"),
        bindAddress: "127.0.0.1:0",
        resticCommand: join(dir, "no-restic-here"),
        resticEnv: {},
        log: silentLogger,
      }),
      /restic/,
    );
  });
});
