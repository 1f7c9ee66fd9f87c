import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { HookError, runHook } from "../../src/hooks/index.js";
import { failedEvent, hook, rejection, sampleEvent } from "./helpers.js";

const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
const commandHook = (command: string, timeoutSeconds = 0) =>
  hook({ action: { case: "actionCommand", value: { command } }, timeoutSeconds });

/** True while `pid` exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Waits (at most 5 s) until none of `pids` is alive; returns those still alive. */
async function waitGone(pids: number[]): Promise<number[]> {
  for (let i = 0; i < 50 && pids.some(alive); i++) await sleep(100);
  return pids.filter(alive);
}

function pidsFrom(lines: string[]): number[] {
  return lines.flatMap((l) => /^(?:child|shell)=(\d+)$/.exec(l)?.[1] ?? []).map(Number);
}

describe("command hooks", () => {
  test("runs the rendered script with the event's environment and streams output lines", async () => {
    const lines: string[] = [];
    const script = [
      'echo "plan={{ .Plan.Id }} snap={{ .SnapshotId }}"',
      'echo "event=$RESTWELL_EVENT plan=$RESTWELL_PLAN_ID repo=$RESTWELL_REPO_ID snap=$RESTWELL_SNAPSHOT_ID"',
      'echo "op=$RESTWELL_OPERATION_ID flow=$RESTWELL_FLOW_ID dur=$RESTWELL_DURATION_MS inst=$RESTWELL_INSTANCE err=[$RESTWELL_ERROR]"',
      'echo "home=[$HOME]"',
      "echo to-stderr >&2",
    ].join("\n");
    await runHook(commandHook(script), sampleEvent(), {
      defaultSecret: "k",
      env,
      onOutput: (l) => lines.push(l),
    });
    assert.ok(lines.includes("plan=daily snap=1a2b3c4d"), lines.join("\n"));
    assert.ok(
      lines.includes("event=backup.completed plan=daily repo=offsite snap=1a2b3c4d"),
      lines.join("\n"),
    );
    assert.ok(lines.includes("op=42 flow=41 dur=5200 inst=nas-box err=[]"), lines.join("\n"));
    assert.ok(lines.includes("home=[]"), "the daemon's own environment is not passed on");
    assert.ok(lines.includes("to-stderr"));
  });

  test("RESTWELL_ERROR carries the error", async () => {
    const lines: string[] = [];
    await runHook(commandHook('echo "$RESTWELL_ERROR"'), failedEvent(), {
      defaultSecret: "k",
      env,
      onOutput: (l) => lines.push(l),
    });
    assert.deepEqual(lines, ["repository is locked"]);
  });

  test("a non-zero exit rejects with the exit code and the last stderr lines", async () => {
    const err = await rejection(
      runHook(
        commandHook("echo fine; echo first problem >&2; echo disk full >&2; exit 3"),
        sampleEvent(),
        { defaultSecret: "k", env },
      ),
    );
    assert.ok(err instanceof HookError);
    assert.equal(err.name, "HookError");
    assert.equal(err.exitCode, 3);
    assert.match(err.message, /exited with code 3/);
    assert.match(err.message, /disk full/);
  });

  test("a #! line picks the interpreter and its flags (Backrest style)", async () => {
    const err = await rejection(
      runHook(commandHook("#!/bin/sh -e\nfalse\necho not reached"), sampleEvent(), {
        defaultSecret: "k",
        env,
      }),
    );
    assert.ok(err instanceof HookError);
    assert.equal(err.exitCode, 1);
  });

  test("a broken template is a HookError naming the problem", async () => {
    const err = await rejection(
      runHook(commandHook("echo {{ if .Error }}"), sampleEvent(), { defaultSecret: "k", env }),
    );
    assert.ok(err instanceof HookError);
    assert.match(err.message, /command hook command is invalid.*no matching \{\{end\}\}/);
  });

  test("a hanging command is killed with its whole process group on timeout", async () => {
    const lines: string[] = [];
    const script = "sleep 30 &\necho child=$!\necho shell=$$\nsleep 30";
    const err = await rejection(
      runHook(commandHook(script), sampleEvent(), {
        defaultSecret: "k",
        env,
        defaultTimeoutMs: 1000,
        onOutput: (l) => lines.push(l),
      }),
    );
    assert.ok(err instanceof HookError);
    assert.equal(err.timedOut, true);
    assert.match(err.message, /timed out after 1s/);
    const pids = pidsFrom(lines);
    assert.equal(pids.length, 2, lines.join("\n"));
    assert.deepEqual(await waitGone(pids), []);
  });

  test("hook.timeoutSeconds takes precedence over the default", async () => {
    const err = await rejection(
      runHook(commandHook("sleep 30", 1), sampleEvent(), {
        defaultSecret: "k",
        env,
        defaultTimeoutMs: 600_000,
      }),
    );
    assert.ok(err instanceof HookError);
    assert.match(err.message, /timed out after 1s/);
  });

  test("aborting the signal stops the command and its children", async () => {
    const controller = new AbortController();
    const lines: string[] = [];
    const onOutput = (l: string) => {
      lines.push(l);
      if (pidsFrom(lines).length === 2) controller.abort(new Error("user cancel"));
    };
    const script = "sh -c 'sleep 30' &\necho child=$!\necho shell=$$\nsleep 30";
    const err = await rejection(
      runHook(commandHook(script), sampleEvent(), {
        defaultSecret: "k",
        env,
        signal: controller.signal,
        onOutput,
      }),
    );
    assert.ok(err instanceof HookError);
    assert.equal(err.timedOut, false);
    assert.match(err.message, /cancelled/);
    assert.deepEqual(await waitGone(pidsFrom(lines)), []);
  });

  test("an already aborted signal never starts the command", async () => {
    const lines: string[] = [];
    const err = await rejection(
      runHook(commandHook("echo started"), sampleEvent(), {
        defaultSecret: "k",
        env,
        signal: AbortSignal.abort(),
        onOutput: (l) => lines.push(l),
      }),
    );
    assert.match(err.message, /cancelled/);
    assert.deepEqual(lines, []);
  });
});
