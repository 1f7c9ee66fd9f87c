/**
 * The command action: the rendered script runs under `sh -c` (or the interpreter of a
 * leading `#!` line, Backrest-style, with the script on stdin) in its own process group, with
 * an explicit environment, streamed and capped output, and a group kill on timeout or cancel.
 */
import { execa } from "execa";
import type { Hook_Command } from "../../gen/v1/config_pb.js";
import { type ActionContext, hookError, renderOr, requireField } from "./action-context.js";
import { eventEnv } from "./command-env.js";
import { createLineSplitter } from "./line-splitter.js";

/** Time between SIGTERM and SIGKILL to the process group. */
export const KILL_GRACE_MS = 2000;
/** Lines of output kept for the error message of a failed command. */
const TAIL_LINES = 10;

interface Invocation {
  file: string;
  args: string[];
  input?: string;
}

/** How to run `script`: `sh -c script`, or `#!interpreter args` with the rest on stdin. */
export function invocationFor(script: string): Invocation {
  if (!script.startsWith("#!")) return { file: "/bin/sh", args: ["-c", script] };
  const newline = script.indexOf("\n");
  const line = script.slice(2, newline === -1 ? undefined : newline).trim();
  const [file, ...args] = line.split(/\s+/).filter(Boolean);
  if (!file) return { file: "/bin/sh", args: ["-c", script] };
  return { file, args, input: newline === -1 ? "" : script.slice(newline + 1) };
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

function collectTail(ctx: ActionContext) {
  const tails = { stdout: [] as string[], stderr: [] as string[] };
  const make = (name: "stdout" | "stderr") =>
    createLineSplitter((raw) => {
      const line = ctx.mask(raw);
      ctx.output(line);
      tails[name].push(line);
      if (tails[name].length > TAIL_LINES) tails[name].shift();
    });
  return { tails, stdout: make("stdout"), stderr: make("stderr") };
}

/** Runs the command hook; rejects with a HookError on a non-zero exit, timeout or cancel. */
export async function runCommand(cfg: Hook_Command, ctx: ActionContext): Promise<void> {
  requireField(ctx, cfg.command, "command");
  const script = renderOr(ctx, "command", cfg.command, () => "");
  const { file, args, input } = invocationFor(script);
  const { signal } = ctx.deadline;
  if (signal.aborted) throw ctx.deadline.abortError("command");
  const child = execa(file, args, {
    env: { ...ctx.env, ...eventEnv(ctx.event) },
    extendEnv: false,
    detached: true,
    ...(input === undefined ? { stdin: "ignore" as const } : { input }),
    buffer: false,
    reject: false,
  });
  const out = collectTail(ctx);
  child.stdout?.setEncoding("utf8").on("data", (c: string) => out.stdout.push(c));
  child.stderr?.setEncoding("utf8").on("data", (c: string) => out.stderr.push(c));
  let killTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    killGroup(child.pid, "SIGTERM");
    killTimer = setTimeout(() => killGroup(child.pid, "SIGKILL"), KILL_GRACE_MS);
  };
  signal.addEventListener("abort", onAbort, { once: true });
  const result = await child;
  signal.removeEventListener("abort", onAbort);
  clearTimeout(killTimer);
  out.stdout.end();
  out.stderr.end();
  if (signal.aborted) throw ctx.deadline.abortError("command");
  checkResult(ctx, file, result, out.tails);
}

function checkResult(
  ctx: ActionContext,
  file: string,
  result: { exitCode?: number; signal?: string; failed: boolean; cause?: unknown },
  tails: { stdout: string[]; stderr: string[] },
): void {
  if (result.exitCode === 0) return;
  const lines = tails.stderr.length > 0 ? tails.stderr : tails.stdout;
  const last = lines.length > 0 ? `: ${lines.join("\n")}` : " (no output)";
  if (result.exitCode !== undefined)
    throw hookError(ctx, `command hook exited with code ${result.exitCode}${last}`, {
      exitCode: result.exitCode,
    });
  if (result.signal) throw hookError(ctx, `command hook was killed by ${result.signal}${last}`);
  const cause = result.cause instanceof Error ? result.cause.message : "unknown error";
  throw hookError(ctx, `command hook could not start ${file}: ${cause}; check the interpreter`, {
    cause: result.cause,
  });
}
