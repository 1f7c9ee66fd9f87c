/**
 * The `restwell` client commands as a user runs them: a child process talking to a real daemon
 * (authentication on) that runs real restic, through a wrapper that holds each backup for a
 * moment after its first progress report so progress and cancelling can be seen.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { execa } from "execa";
import { output, restwell } from "../helpers/cli.js";
import { callJson, type OpJson, waitFor } from "../helpers/http.js";
import { startSlowResticDaemon } from "../helpers/slow-restic.js";
import { tempDir } from "../helpers/temp.js";

const USER = "admin";
const PASSWORD = "a long admin password";
const MAIN = join(import.meta.dirname, "..", "..", "src", "main.ts");

describe("restwell client commands against a running daemon", async () => {
  const { daemon, slow, sourceDir } = await startSlowResticDaemon({
    instance: "cli-test",
    planId: "plan1",
    files: 12,
    user: USER,
    password: PASSWORD,
  });
  const env = {
    RESTWELL_SERVER: daemon.url,
    RESTWELL_USER: USER,
    RESTWELL_PASSWORD: PASSWORD,
  };
  const admin = { user: USER, password: PASSWORD };
  let snapshotId = "";

  it("backup waits, prints progress lines and a summary, exits 0", async () => {
    const r = await restwell(["backup", "plan1"], env);
    assert.equal(r.exitCode, 0, output(r));
    // Not a terminal: one plain line per progress report, on stderr.
    assert.match(
      r.stderr,
      /^progress +\d+% {2}\d+\/\d+ files {2}[\d.]+ \S+\/[\d.]+ \S+ {2}\S+ {2}\S+ left$/m,
      output(r),
    );
    assert.match(
      r.stdout,
      /^backup of plan "plan1" succeeded: snapshot [0-9a-f]{8}, 12 files \(12 new, 0 changed\), .* added, took .* \(operation \d+\)$/m,
    );
  });

  it("backup --no-wait prints the operation id; ops --json shows it", async () => {
    const r = await restwell(["backup", "plan1", "--no-wait"], env);
    assert.equal(r.exitCode, 0, output(r));
    const id = r.stdout.trim();
    assert.match(id, /^\d+$/);
    const finished = await waitFor(async () => {
      const ops = await restwell(["ops", "--json", "--plan", "plan1"], env);
      assert.equal(ops.exitCode, 0, output(ops));
      const list = JSON.parse(ops.stdout) as { operations: OpJson[] };
      const op = list.operations.find((o) => o.id === id);
      assert.ok(op, `operation ${id} listed`);
      return op.status === "STATUS_SUCCESS" ? op : undefined;
    }, 60_000);
    assert.equal(finished.planId, "plan1");
    assert.ok(finished.operationBackup, "a backup operation");
  });

  it("ops prints a table and honours --last", async () => {
    const r = await restwell(["ops", "--last", "2"], env);
    assert.equal(r.exitCode, 0, output(r));
    const lines = r.stdout.trimEnd().split("\n");
    assert.match(lines[0] ?? "", /^ID +TYPE +STATUS +PLAN +REPO +STARTED +DURATION +DETAILS$/);
    assert.equal(lines.length, 3, r.stdout);
    const other = await restwell(["ops", "--repo", "elsewhere"], env);
    assert.equal(other.exitCode, 0, output(other));
    assert.equal(other.stdout, "no operations");
    const byRepo = await restwell(["ops", "--repo", "local", "--last", "0", "--json"], env);
    const all = (JSON.parse(byRepo.stdout) as { operations: OpJson[] }).operations;
    assert.ok(all.length >= 4 && all.every((o) => o.repoId === "local"), byRepo.stdout);
    const bad = await restwell(["ops", "--last", "many"], env);
    assert.equal(bad.exitCode, 2);
    assert.match(bad.stderr, /--last must be a number/);
    // --before pages back: the two operations before the newest two, with no overlap.
    const ids = all.map((o) => o.id);
    const newest = ids.slice(-2);
    const page = await restwell(
      ["ops", "--repo", "local", "--last", "2", "--before", newest[0] as string, "--json"],
      env,
    );
    assert.equal(page.exitCode, 0, output(page));
    const older = (JSON.parse(page.stdout) as { operations: OpJson[] }).operations;
    assert.deepEqual(
      older.map((o) => o.id),
      ids.slice(-4, -2),
    );
    const badBefore = await restwell(["ops", "--before", "0"], env);
    assert.equal(badBefore.exitCode, 2);
    assert.match(badBefore.stderr, /--before must be an operation id/);
  });

  it("snapshots lists the repository's snapshots, as a table and as JSON", async () => {
    const json = await restwell(["snapshots", "local", "--json"], env);
    assert.equal(json.exitCode, 0, output(json));
    const list = JSON.parse(json.stdout) as {
      snapshots: { id: string; planId: string; paths: string[] }[];
    };
    assert.equal(list.snapshots.length, 2);
    assert.ok(list.snapshots.every((s) => s.planId === "plan1"));
    assert.deepEqual(list.snapshots[0]?.paths, [sourceDir]);
    snapshotId = list.snapshots[0]?.id ?? "";
    const table = await restwell(["snapshots", "local"], env);
    assert.equal(table.exitCode, 0, output(table));
    assert.match(table.stdout, /^ID +TIME +HOST +PLAN +PATHS$/m);
    assert.ok(table.stdout.includes(snapshotId.slice(0, 8)), table.stdout);
    const missing = await restwell(["snapshots", "nope"], env);
    assert.equal(missing.exitCode, 1);
    assert.match(missing.stderr, /restwell: .*nope/);
  });

  it("restore writes the file's content into the target", async () => {
    const target = join(tempDir(), "restored");
    const file = join(sourceDir, "file-4.txt");
    const r = await restwell(["restore", "local", snapshotId, file, "--target", target], env);
    assert.equal(r.exitCode, 0, output(r));
    assert.match(r.stdout, new RegExp(`files are in ${target}`));
    assert.equal(readFileSync(join(target, file), "utf8"), readFileSync(file, "utf8"));
  });

  it("cancel stops a running backup; the waiting backup command exits 1", async () => {
    slow.setDelaySeconds(600);
    const waiting = execa(process.execPath, ["--import", "tsx", MAIN, "backup", "plan1"], {
      cwd: join(import.meta.dirname, "..", ".."),
      env: { PATH: process.env.PATH ?? "", ...env },
      extendEnv: false,
      reject: false,
    });
    // The backup is held right after its first progress report is recorded.
    const running = await waitFor(async () => {
      const res = await callJson(
        daemon.url,
        "v1.Backrest/GetOperations",
        { selector: { planId: "plan1" }, lastN: 1 },
        admin,
      );
      const op = (res.body as { operations: OpJson[] }).operations[0];
      const status = (op?.operationBackup as { lastStatus?: { status?: unknown } } | undefined)
        ?.lastStatus?.status;
      return op?.status === "STATUS_INPROGRESS" && status ? op : undefined;
    }, 60_000);
    const r = await restwell(["cancel", running.id], env);
    assert.equal(r.exitCode, 0, output(r));
    assert.equal(r.stdout.trim(), `cancelled operation ${running.id}`);
    const backup = await waiting;
    assert.equal(backup.exitCode, 1, String(backup.stderr));
    assert.match(
      String(backup.stderr),
      new RegExp(`backup of plan "plan1" was cancelled.*\\(operation ${running.id}\\)`),
    );
    const ops = await restwell(["ops", "--json", "--last", "5"], env);
    const op = (JSON.parse(ops.stdout) as { operations: OpJson[] }).operations.find(
      (o) => o.id === running.id,
    );
    assert.equal(op?.status, "STATUS_USER_CANCELLED");
    slow.setDelaySeconds(2);
  });

  it("cancel of an unknown or finished operation exits 1 and says why", async () => {
    const unknown = await restwell(["cancel", "987654"], env);
    assert.equal(unknown.exitCode, 1);
    assert.match(unknown.stderr, /^restwell: operation "987654" does not exist$/m);
    const bad = await restwell(["cancel", "latest"], env);
    assert.equal(bad.exitCode, 2);
    assert.match(bad.stderr, /"latest" is not an operation id/);
  });

  it("config get, edit, set; a stale modno is refused", async () => {
    const got = await restwell(["config", "get"], env);
    assert.equal(got.exitCode, 0, output(got));
    const cfg = JSON.parse(got.stdout) as {
      modno: number;
      repos: { password: string }[];
      plans: { id: string; repo: string; paths: string[] }[];
    };
    assert.equal(cfg.repos[0]?.password, "<redacted>", "secrets are not printed");
    cfg.plans.push({ id: "plan2", repo: "local", paths: [sourceDir] });
    const file = join(tempDir(), "edited.json");
    writeFileSync(file, JSON.stringify(cfg));
    const set = await restwell(["config", "set", file], env);
    assert.equal(set.exitCode, 0, output(set));
    assert.match(set.stdout, new RegExp(`config saved \\(modno ${cfg.modno + 1}\\)`));
    const again = await restwell(["config", "get"], env);
    const now = JSON.parse(again.stdout) as typeof cfg;
    assert.deepEqual(
      now.plans.map((p) => p.id),
      ["plan1", "plan2"],
    );
    // The repo password was kept (the marker means "unchanged"): a backup still works.
    const backup = await restwell(["backup", "plan2", "--quiet"], env);
    assert.equal(backup.exitCode, 0, output(backup));
    assert.equal(backup.stderr, "", "no progress with --quiet");
    const stale = await restwell(["config", "set", file], env);
    assert.equal(stale.exitCode, 1);
    assert.match(stale.stderr, /changed since it was read/);
    // From stdin, with an error the daemon finds.
    now.plans.push({ id: "plan3", repo: "missing-repo", paths: [sourceDir] });
    const invalid = await restwell(["config", "set", "-"], env, { input: JSON.stringify(now) });
    assert.equal(invalid.exitCode, 1);
    assert.match(invalid.stderr, /plans\[2\]\.repo/);
  });

  it("credentials: a token from RESTWELL_TOKEN works; wrong or missing ones exit 5", async () => {
    const created = await callJson(
      daemon.url,
      "v1.ApiKeys/CreateApiKey",
      { name: "cli", permissions: ["operations:read"] },
      admin,
    );
    assert.equal(created.status, 200, created.text);
    const token = (created.body as { token: string }).token;
    const withToken = await restwell(["ops", "--last", "1"], {
      RESTWELL_SERVER: daemon.url,
      RESTWELL_TOKEN: token,
    });
    assert.equal(withToken.exitCode, 0, output(withToken));
    const notAllowed = await restwell(["backup", "plan1"], {
      RESTWELL_SERVER: daemon.url,
      RESTWELL_TOKEN: token,
    });
    assert.equal(notAllowed.exitCode, 5, output(notAllowed));
    assert.match(notAllowed.stderr, /^restwell: not allowed: .*plans:run/m);

    const wrong = await restwell(["ops"], { ...env, RESTWELL_PASSWORD: "not it" });
    assert.equal(wrong.exitCode, 5, output(wrong));
    assert.match(wrong.stderr, /did not accept the credentials.*RESTWELL_TOKEN/);
    const none = await restwell(["ops", "--server", daemon.url]);
    assert.equal(none.exitCode, 5, output(none));
    const flags = await restwell(["ops", "-s", daemon.url, "-u", USER, "--password", PASSWORD]);
    assert.equal(flags.exitCode, 0, output(flags));
  });

  it("an unreachable daemon exits 4 with what to do", async () => {
    const r = await restwell(["ops"], { ...env, RESTWELL_SERVER: "http://127.0.0.1:1" });
    assert.equal(r.exitCode, 4, output(r));
    assert.match(r.stderr, /cannot reach the daemon at http:\/\/127\.0\.0\.1:1 .*restwell serve/);
  });

  it("--help works on every command; bad usage exits 2", async () => {
    const commands = [
      ["backup"],
      ["ops"],
      ["snapshots"],
      ["restore"],
      ["cancel"],
      ["config"],
      ["config", "get"],
      ["config", "set"],
      ["config", "validate"],
      ["hash-password"],
      ["doctor"],
      ["import-backrest"],
    ];
    for (const cmd of commands) {
      const r = await restwell([...cmd, "--help"]);
      assert.equal(r.exitCode, 0, `${cmd.join(" ")}: ${output(r)}`);
      const usage =
        cmd[0] === "config" && cmd.length === 1 ? "config get|set|validate" : cmd.join(" ");
      assert.ok(r.stdout.startsWith(`Usage: restwell ${usage}`), `${cmd.join(" ")}: ${r.stdout}`);
    }
    const top = await restwell(["--help"]);
    assert.equal(top.exitCode, 0);
    for (const cmd of ["serve", ...commands.map((c) => c[0])])
      assert.match(top.stdout, new RegExp(`^  ${cmd} `, "m"));
    const missing = await restwell(["backup"], env);
    assert.equal(missing.exitCode, 2);
    assert.match(missing.stderr, /missing arguments[\s\S]*Usage: restwell backup PLAN/);
    const unknownFlag = await restwell(["ops", "--frobnicate"], env);
    assert.equal(unknownFlag.exitCode, 2);
    assert.match(unknownFlag.stderr, /frobnicate/);
  });
});

describe("restwell hash-password", () => {
  it("hashes the password from stdin without a daemon; the hash verifies", async () => {
    const { verifyPassword } = await import("../../src/auth/password.js");
    const r = await restwell(["hash-password"], {}, { input: "correct horse\n" });
    assert.equal(r.exitCode, 0, output(r));
    const hash = r.stdout.trim();
    assert.equal(await verifyPassword("correct horse", hash), true);
    assert.equal(await verifyPassword("correct horse\n", hash), false);
    const json = await restwell(["hash-password", "--json"], {}, { input: "x" });
    assert.ok((JSON.parse(json.stdout) as { passwordBcrypt: string }).passwordBcrypt);
    const empty = await restwell(["hash-password"], {}, { input: "" });
    assert.equal(empty.exitCode, 2);
    assert.match(empty.stderr, /no password on stdin/);
  });
});
