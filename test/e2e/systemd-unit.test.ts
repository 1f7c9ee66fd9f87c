/**
 * deploy/restwell.service is a valid unit (systemd-analyze verify, with ExecStart pointed at the
 * built executable) that runs Restwell unprivileged, with its config and data paths.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { execa } from "execa";
import { tempDir } from "../helpers/temp.js";

const ROOT = join(import.meta.dirname, "..", "..");
const UNIT = readFileSync(join(ROOT, "deploy", "restwell.service"), "utf8");
const BINARY = join(ROOT, "dist", "restwell");
const ANALYZE = "/usr/bin/systemd-analyze";

describe("the systemd unit", () => {
  it("runs as restwell with /etc/restwell/config.json and /var/lib/restwell", () => {
    // Continuation lines joined, as systemd reads them.
    const exec = /^ExecStart=(.*)$/m.exec(UNIT.replaceAll(/\\\n\s*/g, ""))?.[1] ?? "";
    assert.match(exec, /^\/usr\/local\/bin\/restwell serve /);
    assert.match(exec, /--config-file \/etc\/restwell\/config\.json/);
    assert.match(exec, /--data-dir \/var\/lib\/restwell/);
    for (const line of [
      "User=restwell",
      "StateDirectory=restwell",
      "NoNewPrivileges=yes",
      "ProtectSystem=strict",
      "ReadWritePaths=/var/lib/restwell /etc/restwell",
      "PrivateTmp=yes",
    ])
      assert.ok(UNIT.split("\n").includes(line), line);
  });

  it("passes systemd-analyze verify", {
    skip: !existsSync(ANALYZE) && "no systemd-analyze",
  }, async (t) => {
    if (!existsSync(BINARY)) {
      t.skip("dist/restwell is not built (make binary)");
      return;
    }
    const unit = join(tempDir(), "restwell.service");
    writeFileSync(unit, UNIT.replace("/usr/local/bin/restwell", BINARY));
    const r = await execa(ANALYZE, ["verify", unit], { reject: false });
    assert.equal(r.exitCode, 0, String(r.stderr));
    assert.equal(String(r.stderr).trim(), "", "no warnings");
  });
});
