/**
 * GetRecoveryKit: only a signed-in admin who enters their password again gets it, and the
 * commands in it restore the backup with plain restic, without Restwell.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { execa } from "execa";
import { hashPassword } from "../../src/auth/password.js";
import { startTestDaemon } from "../helpers/daemon.js";
import { TEST_PASSWORD } from "../helpers/data.js";
import { startBackupFixture } from "../helpers/fixture.js";
import { callJson, type OpJson } from "../helpers/http.js";
import { tempDir } from "../helpers/temp.js";

const ADMIN = { user: "alice", password: "alice-Pw-recovery-1" };
const OPERATOR = { user: "olivia", password: "olivia-Pw-recovery-2" };
const VIEWER = { user: "victor", password: "victor-Pw-recovery-3" };
const KIT = "v1.Backrest/GetRecoveryKit";

interface KitJson {
  filename: string;
  content: string;
}

/** The command lines of one repository's section of a kit. */
function commandsOf(content: string, repoId: string): string[] {
  const section = content.slice(content.indexOf(`Repository "${repoId}"`));
  const block = section.slice(section.indexOf("Commands:\n\n") + "Commands:\n\n".length);
  const lines: string[] = [];
  for (const line of block.split("\n")) {
    if (!line.startsWith("  ")) break;
    lines.push(line.slice(2));
  }
  return lines;
}

describe("GetRecoveryKit", async () => {
  const users = await Promise.all(
    [
      { ...ADMIN, role: "" },
      { ...OPERATOR, role: "operator" },
      { ...VIEWER, role: "viewer" },
    ].map(async (u) => ({
      name: u.user,
      role: u.role,
      passwordBcrypt: await hashPassword(u.password),
    })),
  );
  const fx = await startBackupFixture({ files: 4, auth: { users } });
  const url = fx.daemon.url;
  const backup = await callJson(url, "v1.Backrest/Backup", { value: "plan1" }, ADMIN);
  assert.equal((backup.body as OpJson).status, "STATUS_SUCCESS", backup.text);

  it("refuses an admin who enters a wrong or no password", async () => {
    const wrong = await callJson(url, KIT, { password: "not-my-password" }, ADMIN);
    assert.equal(wrong.status, 403, wrong.text);
    assert.equal((wrong.body as { code: string }).code, "permission_denied");
    assert.match((wrong.body as { message: string }).message, /password .* is wrong/);
    assert.ok(!wrong.text.includes(TEST_PASSWORD));
    const empty = await callJson(url, KIT, {}, ADMIN);
    assert.equal((empty.body as { code: string }).code, "invalid_argument");
  });

  it("gives an admin who enters their password a kit with the repo's location and password", async () => {
    const res = await callJson(url, KIT, { password: ADMIN.password }, ADMIN);
    assert.equal(res.status, 200, res.text);
    const kit = res.body as KitJson;
    const day = new Date().toISOString().slice(0, 10);
    assert.equal(kit.filename, `restwell-recovery-kit-test-host-${day}.txt`);
    assert.match(kit.content, /Instance: test-host/);
    assert.ok(kit.content.includes(`URI:           ${fx.repoPath}`));
    assert.ok(kit.content.includes(`Password:      ${TEST_PASSWORD}`));
    assert.match(kit.content, /keep it offline/);
  });

  it("holds commands that restore the backup with plain restic", async () => {
    const res = await callJson(url, KIT, { password: ADMIN.password }, ADMIN);
    const commands = commandsOf((res.body as KitJson).content, "local");
    const restore = commands.find((c) => c.includes("restore latest --target"));
    assert.ok(restore, commands.join("\n"));
    const exports = commands.filter((c) => c.startsWith("export "));
    const snapshots = commands.find((c) => c.endsWith(" snapshots"));
    assert.ok(snapshots);
    const work = tempDir();
    const script = [...exports, snapshots, restore].join("\n");
    writeFileSync(join(work, "kit.sh"), `set -e\n${script}\n`);
    // Nothing of the daemon's or this test's environment: only what the kit exports.
    const run = await execa("bash", ["kit.sh"], {
      cwd: work,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: work },
      extendEnv: false,
      reject: false,
    });
    assert.equal(run.exitCode, 0, run.stderr);
    const restored = join(work, "restore-local", fx.sourceDir, "file-0.txt");
    assert.ok(existsSync(restored), `restored ${restored}`);
    assert.equal(
      readFileSync(restored, "utf8"),
      readFileSync(join(fx.sourceDir, "file-0.txt"), "utf8"),
    );
  });

  it("refuses operators and viewers even with their right password", async () => {
    for (const who of [OPERATOR, VIEWER]) {
      const res = await callJson(url, KIT, { password: who.password }, who);
      assert.equal(res.status, 403, `${who.user}: ${res.text}`);
      assert.equal((res.body as { code: string }).code, "permission_denied");
      assert.ok(!res.text.includes(TEST_PASSWORD));
    }
  });

  it("refuses an API key, even one with every permission", async () => {
    const created = await callJson(
      url,
      "v1.ApiKeys/CreateApiKey",
      { name: "all", permissions: ["config:read", "config:write", "repos:read", "repos:write"] },
      ADMIN,
    );
    assert.equal(created.status, 200, created.text);
    const token = (created.body as { token: string }).token;
    const res = await callJson(
      url,
      KIT,
      { password: ADMIN.password },
      { headers: { authorization: `Bearer ${token}` } },
    );
    assert.equal(res.status, 403, res.text);
    assert.equal((res.body as { code: string }).code, "permission_denied");
  });

  it("refuses everyone when authentication is disabled", async () => {
    const open = await startTestDaemon({
      instance: "open",
      repos: [{ id: "r", uri: join(tempDir(), "r"), password: "open-Pw-1" }],
      auth: { disabled: true },
    });
    const res = await callJson(open.url, KIT, { password: "anything" });
    assert.equal(res.status, 403, res.text);
    assert.equal((res.body as { code: string }).code, "permission_denied");
    assert.ok(!res.text.includes("open-Pw-1"));
  });
});
