/** `restwell config validate` and `restwell doctor`: local checks, no daemon, real restic. */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { output, restwell } from "../helpers/cli.js";
import { initRepo, TEST_PASSWORD } from "../helpers/data.js";
import { tempDir } from "../helpers/temp.js";

interface DoctorJson {
  ok: boolean;
  checks: { name: string; status: "ok" | "warn" | "fail"; message: string; fix?: string }[];
}

function writeJson(file: string, value: unknown, mode = 0o600): string {
  writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value), { mode });
  chmodSync(file, mode);
  return file;
}

describe("restwell config validate", () => {
  const dir = tempDir();
  const good = writeJson(join(dir, "good.json"), {
    instance: "host",
    repos: [{ id: "r", uri: "/srv/repo", password: "x" }],
    plans: [{ id: "p", repo: "r", paths: ["/home"] }],
  });

  it("accepts a valid file (given, or from RESTWELL_CONFIG)", async () => {
    const r = await restwell(["config", "validate", good]);
    assert.equal(r.exitCode, 0, output(r));
    assert.equal(r.stdout, `${good} is valid: 1 repos, 1 plans`);
    const fromEnv = await restwell(["config", "validate"], { RESTWELL_CONFIG: good });
    assert.equal(fromEnv.exitCode, 0, output(fromEnv));
  });

  it("lists every problem with its path and exits 1", async () => {
    const bad = writeJson(join(dir, "bad.json"), {
      instance: "host",
      repos: [{ id: "r", uri: "/srv/repo", password: "x" }],
      plans: [
        { id: "p", repo: "nas", paths: ["/home"] },
        { id: "q", repo: "r", paths: ["relative/path"] },
      ],
    });
    const r = await restwell(["config", "validate", bad]);
    assert.equal(r.exitCode, 1, output(r));
    assert.match(r.stdout, /has 2 problem\(s\):/);
    assert.match(r.stdout, /^ {2}plans\[0\]\.repo: .*nas/m);
    assert.match(r.stdout, /^ {2}plans\[1\]\.paths\[0\]: /m);
    const json = await restwell(["config", "validate", bad, "--json"]);
    const parsed = JSON.parse(json.stdout) as { valid: boolean; issues: { path: string }[] };
    assert.equal(parsed.valid, false);
    assert.deepEqual(
      parsed.issues.map((i) => i.path),
      ["plans[0].repo", "plans[1].paths[0]"],
    );
  });

  it("reports malformed JSON with its position, and a missing file", async () => {
    const broken = writeJson(join(dir, "broken.json"), '{\n  "instance": "x",\n  oops\n}');
    const r = await restwell(["config", "validate", broken]);
    assert.equal(r.exitCode, 1, output(r));
    assert.match(r.stdout, /malformed JSON at line 3/);
    const missing = await restwell(["config", "validate", join(dir, "nope.json")]);
    assert.equal(missing.exitCode, 1);
    assert.match(missing.stderr, /nope\.json does not exist/);
  });
});

describe("restwell doctor", () => {
  it("finds nothing wrong with a working setup", async () => {
    const dir = tempDir();
    const repo = join(dir, "repo");
    await initRepo(repo);
    const dataDir = join(dir, "data");
    mkdirSync(dataDir, { mode: 0o700 });
    const config = writeJson(join(dir, "config.json"), {
      instance: "host",
      repos: [
        { id: "local", uri: repo, password: TEST_PASSWORD },
        { id: "later", uri: join(dir, "not-yet"), password: "x", autoInitialize: true },
      ],
    });
    const r = await restwell(["doctor", "--config-file", config, "--data-dir", dataDir]);
    assert.equal(r.exitCode, 0, output(r));
    assert.match(r.stdout, /^ok {4}restic: restic \d+\.\d+\.\d+ \(\/\S+\/restic\)$/m);
    assert.match(r.stdout, /^ok {4}config: .* is valid \(2 repos, 0 plans\)$/m);
    assert.match(r.stdout, /^ok {4}data directory: .*mode 0700/m);
    assert.match(r.stdout, /^ok {4}repo local: .* is reachable/m);
    assert.match(r.stdout, /^ok {4}repo later: .*created on first use/m);
    assert.match(r.stdout, /no problems found/);
  });

  it("says what to fix: open data directory, wrong password, missing repository", async () => {
    const dir = tempDir();
    const repo = join(dir, "repo");
    await initRepo(repo);
    const dataDir = join(dir, "data");
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o755);
    const config = writeJson(
      join(dir, "config.json"),
      {
        instance: "host",
        repos: [
          { id: "badpw", uri: repo, password: "not the password" },
          { id: "gone", uri: join(dir, "missing"), password: "x" },
        ],
      },
      0o644,
    );
    const r = await restwell(["doctor", "--json"], {
      RESTWELL_CONFIG: config,
      RESTWELL_DATA: dataDir,
    });
    assert.equal(r.exitCode, 1, output(r));
    const report = JSON.parse(r.stdout) as DoctorJson;
    assert.equal(report.ok, false);
    const by = new Map(report.checks.map((c) => [c.name, c]));
    assert.equal(by.get("restic")?.status, "ok");
    assert.equal(by.get("config permissions")?.status, "warn");
    assert.equal(by.get("config permissions")?.fix, `chmod 600 ${config}`);
    assert.equal(by.get("data directory")?.status, "fail");
    assert.equal(by.get("data directory")?.fix, `chmod 700 ${dataDir}`);
    assert.equal(by.get("repo badpw")?.status, "fail");
    assert.match(by.get("repo badpw")?.message ?? "", /password does not open/);
    assert.equal(by.get("repo gone")?.status, "fail");
    assert.match(by.get("repo gone")?.fix ?? "", /restic init.*autoInitialize/);
    // The human form shows the same, with the fixes.
    const text = await restwell(["doctor", "--config-file", config, "--data-dir", dataDir]);
    assert.equal(text.exitCode, 1);
    assert.match(text.stdout, /^FAIL {2}data directory: .*\n {6}fix: chmod 700 /m);
    assert.match(text.stdout, /3 problem\(s\) to fix/);
  });

  it("reports a missing restic and an invalid config", async () => {
    const dir = tempDir();
    const config = writeJson(join(dir, "config.json"), { instance: "host", plans: [{ id: "p" }] });
    const r = await restwell([
      "doctor",
      "--json",
      "--config-file",
      config,
      "--data-dir",
      join(dir, "data"),
      "--restic-cmd",
      "no-such-restic",
    ]);
    assert.equal(r.exitCode, 1, output(r));
    const by = new Map((JSON.parse(r.stdout) as DoctorJson).checks.map((c) => [c.name, c]));
    assert.equal(by.get("restic")?.status, "fail");
    assert.match(by.get("restic")?.message ?? "", /"no-such-restic" was not found on PATH/);
    assert.match(by.get("restic")?.fix ?? "", /install restic/);
    assert.equal(by.get("config")?.status, "fail");
    assert.match(by.get("config")?.message ?? "", /plans\[0\]\.repo/);
    assert.equal(by.get("data directory")?.status, "warn", "created on first start");
  });
});
