/** The `restwell` command line: help, settings from the environment, bad flags. */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { execa } from "execa";
import { spawnRestwell } from "../helpers/daemon.js";
import { callJson, waitFor } from "../helpers/http.js";
import { tempDir } from "../helpers/temp.js";

const MAIN = join(import.meta.dirname, "..", "..", "src", "main.ts");
const run = (args: string[]) =>
  execa(process.execPath, ["--import", "tsx", MAIN, ...args], { reject: false });

describe("restwell command line", () => {
  it("--help lists every option", async () => {
    const r = await run(["serve", "--help"]);
    assert.equal(r.exitCode, 0);
    for (const flag of ["--config-file", "--data-dir", "--bind-address", "--restic-cmd"]) {
      assert.ok(r.stdout.includes(flag), flag);
    }
  });

  it("rejects unknown flags and commands with a usage message", async () => {
    const flag = await run(["serve", "--no-such-flag"]);
    assert.equal(flag.exitCode, 2);
    assert.match(flag.stderr, /no-such-flag/);
    const cmd = await run(["frobnicate"]);
    assert.equal(cmd.exitCode, 2);
    assert.match(cmd.stderr, /unknown command "frobnicate"/);
  });

  it("takes its settings from RESTWELL_* environment variables", async () => {
    const dir = tempDir();
    const configPath = join(dir, "conf", "config.json");
    const dataDir = join(dir, "state");
    const daemon = await spawnRestwell(["serve"], {
      RESTWELL_CONFIG: configPath,
      RESTWELL_DATA: dataDir,
      RESTWELL_PORT: "127.0.0.1:0",
      RESTWELL_RESTIC_COMMAND: "/usr/bin/restic",
    });
    const res = await callJson(
      daemon.url,
      "v1.Backrest/GetConfig",
      {},
      { headers: { "x-request-id": "trace-me-42" } },
    );
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get("x-request-id"), "trace-me-42");
    // The daemon logs one line per RPC with the client's request id.
    await waitFor(
      async () => daemon.logs().includes("requestId=trace-me-42"),
      10_000,
      "the access log line",
    );
    assert.match(
      daemon.logs(),
      /INFO rpc method=v1\.Backrest\/GetConfig ms=\d+ principal=anonymous requestId=trace-me-42 code=ok/,
    );
    assert.ok(existsSync(configPath), "default config written where RESTWELL_CONFIG points");
    assert.ok(existsSync(join(dataDir, "oplog.sqlite")), "operation log in RESTWELL_DATA");
    daemon.child.kill("SIGINT");
    assert.equal((await daemon.child).exitCode, 0);
  });

  it("a bad bind address is a clear error", async () => {
    const dir = tempDir();
    const r = await run([
      "serve",
      "--config-file",
      join(dir, "c.json"),
      "--data-dir",
      dir,
      "--bind-address",
      "nonsense",
    ]);
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /bind address "nonsense" is not host:port/);
  });
});
