/**
 * Tests of the process seam itself (environment, caps, kill escalation, masking). The child
 * is a small Node script, not a fake restic: what is tested here is our handling of any
 * child process, which restic cannot be made to exercise on demand (e.g. ignoring SIGINT).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildCallEnv } from "../../src/restic/env.js";
import { createRestic, ResticError } from "../../src/restic/index.js";
import { type RunRequest, runProgram } from "../../src/restic/run.js";

/** Runs `node -e script` through the seam. */
function runNode(script: string, extra: Partial<RunRequest> = {}) {
  return runProgram({
    command: process.execPath,
    label: "node",
    args: ["-e", script],
    env: {},
    secrets: [],
    killGraceMs: 10_000,
    ...extra,
  });
}

describe("runProgram", () => {
  test("the child sees exactly the given environment", async () => {
    const outcome = await runNode("process.stdout.write(JSON.stringify(process.env))", {
      env: { ONLY_THIS: "1" },
    });
    assert.equal(outcome.exitCode, 0);
    assert.deepEqual(JSON.parse(outcome.stdout), { ONLY_THIS: "1" });
  });

  test("abort sends SIGINT first", async () => {
    const controller = new AbortController();
    const outcome = await runNode("console.log('ready'); setInterval(() => {}, 1000)", {
      signal: controller.signal,
      onStdoutLine: (line) => line === "ready" && controller.abort(new Error("user cancel")),
    });
    assert.equal(outcome.cancelled, true);
    assert.equal(outcome.signal, "SIGINT");
  });

  test("a child that ignores SIGINT is killed after the grace period", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const outcome = await runNode(
      "process.on('SIGINT', () => {}); console.log('ready'); setInterval(() => {}, 1000)",
      {
        killGraceMs: 300,
        signal: controller.signal,
        onStdoutLine: (line) => line === "ready" && controller.abort(),
      },
    );
    assert.equal(outcome.cancelled, true);
    assert.equal(outcome.signal, "SIGKILL");
    assert.ok(Date.now() - started >= 300);
  });

  test("stderr keeps only its tail, masked and without terminal escapes", async () => {
    const outcome = await runNode(
      "process.stderr.write('x'.repeat(300000) + '\\n\\u001b[2Kpassword hunter2 END')",
      { secrets: ["hunter2"], stderrTailChars: 1000 },
    );
    assert.ok(outcome.stderr.length <= 1000);
    assert.ok(outcome.stderr.endsWith("\npassword *** END"), outcome.stderr.slice(-40));
  });

  test("a secret cut by the tail limit is still masked", async () => {
    const outcome = await runNode(
      "process.stderr.write('x'.repeat(3000) + 'hunter2' + 'y'.repeat(997))",
      { secrets: ["hunter2"], stderrTailChars: 1000 },
    );
    assert.equal(outcome.stderr, `***${"y".repeat(997)}`);
  });

  test("stderr lines are masked before they are handed over", async () => {
    const lines: string[] = [];
    await runNode("console.error('a hunter2 b')", {
      secrets: ["hunter2"],
      onStderrLine: (l) => lines.push(l),
    });
    assert.deepEqual(lines, ["a *** b"]);
  });

  test("collected stdout past the cap is flagged, and the child still finishes", async () => {
    const outcome = await runNode("process.stdout.write('y'.repeat(200000))", {
      maxStdoutChars: 1000,
    });
    assert.equal(outcome.exitCode, 0);
    assert.equal(outcome.stdoutTruncated, true);
    assert.ok(outcome.stdout.length <= 1000);
  });

  test("log lines are masked", async () => {
    const logged: string[] = [];
    await runNode("0", {
      args: ["-e", "0", "hunter2"],
      secrets: ["hunter2"],
      log: (l) => logged.push(l),
    });
    assert.equal(logged.length, 2);
    assert.ok(logged.every((l) => !l.includes("hunter2")));
    assert.match(logged[1] ?? "", /^node exited with code 0 after \d+ ms$/);
  });

  test("a missing program is a start error, not a crash", async () => {
    const outcome = await runProgram({
      command: "/nonexistent/restic",
      label: "restic version",
      args: ["version"],
      env: {},
      secrets: [],
      killGraceMs: 1000,
    });
    assert.equal(outcome.exitCode, undefined);
    assert.equal((outcome.startError as { code?: string } | undefined)?.code, "ENOENT");
  });
});

describe("createRestic without restic", () => {
  test("a missing binary rejects with a ResticError that says what to check", async () => {
    const restic = createRestic({ command: "/nonexistent/restic" });
    await assert.rejects(restic.version(), (error: unknown) => {
      assert.ok(error instanceof ResticError);
      assert.equal(error.kind, "failed");
      assert.match(error.message, /could not start restic as "\/nonexistent\/restic" \(ENOENT\)/);
      return true;
    });
  });
});

describe("createRestic with a command line the system refuses", () => {
  test("an argument over the system's limit rejects with a ResticError that says what to shorten", async () => {
    const restic = createRestic({ command: "restic" });
    const repo = {
      uri: "/nonexistent/repo",
      password: "pw",
      flags: [`--option=${"x".repeat(200_000)}`],
    };
    await assert.rejects(restic.repoId(repo), (error: unknown) => {
      assert.ok(error instanceof ResticError);
      assert.match(
        error.message,
        /longer than the system allows \(E2BIG\); shorten the repo's flags/,
      );
      return true;
    });
  });
});

describe("buildCallEnv", () => {
  test("secrets travel by environment, on top of the base and the repo's env", () => {
    const { env, secrets } = buildCallEnv(
      { PATH: "/usr/bin", RESTIC_PROGRESS_FPS: "60" },
      {
        uri: "rest:http://u:p4ss@127.0.0.1:8000/",
        password: "pw",
        env: { AWS_SECRET_ACCESS_KEY: "aws" },
      },
    );
    assert.deepEqual(env, {
      PATH: "/usr/bin",
      RESTIC_PROGRESS_FPS: "2",
      AWS_SECRET_ACCESS_KEY: "aws",
      RESTIC_REPOSITORY: "rest:http://u:p4ss@127.0.0.1:8000/",
      RESTIC_PASSWORD: "pw",
    });
    for (const s of ["pw", "aws", "p4ss"]) assert.ok(secrets.includes(s), s);
  });

  test("without a password none is set, so RESTIC_PASSWORD_FILE in the repo env can work", () => {
    const { env } = buildCallEnv({}, { uri: "/r", env: { RESTIC_PASSWORD_FILE: "/etc/pw" } });
    assert.equal("RESTIC_PASSWORD" in env, false);
    assert.equal(env.RESTIC_PASSWORD_FILE, "/etc/pw");
  });
});
