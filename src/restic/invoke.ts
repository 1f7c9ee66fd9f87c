/** One restic command from argv to a checked outcome: env, run, cancellation and error mapping. */

import type { Writable } from "node:stream";
import {
  badOutputError,
  ERROR_STDERR_TAIL_CHARS,
  type FailedRun,
  resticErrorFor,
} from "./classify.js";
import { buildCallEnv } from "./env.js";
import { ResticCancelledError } from "./errors.js";
import { maskSecrets } from "./mask.js";
import { type RunOutcome, runProgram } from "./run.js";
import type { ResticRepo } from "./types.js";

/** Settings shared by every call of one Restic instance. */
export interface InvokeContext {
  command: string;
  baseEnv: Readonly<Record<string, string>>;
  killGraceMs: number;
  log?: ((line: string) => void) | undefined;
}

/** One command to run. */
export interface Invocation {
  /** Names the command in messages, e.g. "cat config". */
  subcommand: string;
  /** argv after the repo's global flags. */
  args: string[];
  /** Exit codes that count as success; [0] unless given; "any" accepts every exit (not a kill by signal). */
  okExitCodes?: readonly number[] | "any";
  cwd?: string | undefined;
  signal?: AbortSignal | undefined;
  onStdoutLine?: (line: string) => void;
  onStderrLine?: (line: string) => void;
  /** Pipe stdout's bytes here instead of collecting them (see RunRequest.stdoutTo). */
  stdoutTo?: Writable;
  /** Piped into restic's stdin (see RunRequest.stdinFrom). */
  stdinFrom?: NodeJS.ReadableStream;
}

/** A successful run, with what is needed to report a problem found in its output. */
export interface Invoked {
  outcome: RunOutcome;
  run: FailedRun;
}

/**
 * Runs restic for `repo` (or without one). Rejects with ResticCancelledError when
 * `signal` fires before restic is done, and with ResticError when restic cannot start,
 * exits with a code not in `okExitCodes`, or prints more stdout than the cap.
 */
export async function invoke(
  ctx: InvokeContext,
  repo: ResticRepo | undefined,
  inv: Invocation,
): Promise<Invoked> {
  const { env, secrets } = buildCallEnv(ctx.baseEnv, repo);
  const mask = (text: string) => maskSecrets(text, secrets);
  const args = [...(repo?.flags ?? []), ...inv.args];
  const maskedArgs = args.map(mask);
  if (inv.signal?.aborted)
    throw new ResticCancelledError(inv.signal.reason, maskedArgs, inv.subcommand);
  const outcome = await runProgram({
    command: ctx.command,
    label: `restic ${inv.subcommand}`,
    args,
    env,
    secrets,
    cwd: inv.cwd,
    signal: inv.signal,
    killGraceMs: ctx.killGraceMs,
    onStdoutLine: inv.onStdoutLine,
    onStderrLine: inv.onStderrLine,
    stdoutTo: inv.stdoutTo,
    stdinFrom: inv.stdinFrom,
    log: ctx.log,
  });
  if (outcome.cancelled) {
    const tail = outcome.stderr.slice(-ERROR_STDERR_TAIL_CHARS);
    throw new ResticCancelledError(inv.signal?.reason, maskedArgs, inv.subcommand, tail);
  }
  const run: FailedRun = {
    subcommand: inv.subcommand,
    command: mask(ctx.command),
    args: maskedArgs,
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    stderr: outcome.stderr,
    startError: outcome.startError && maskedStartError(outcome.startError, mask),
  };
  if (!exitAccepted(outcome.exitCode, inv.okExitCodes ?? [0])) throw resticErrorFor(run);
  if (outcome.stdoutTruncated)
    throw badOutputError(run, "printed more output than the daemon keeps");
  return { outcome, run };
}

function exitAccepted(exitCode: number | undefined, ok: readonly number[] | "any"): boolean {
  if (exitCode === undefined) return false;
  return ok === "any" || ok.includes(exitCode);
}

/**
 * One signal that fires when any of `signals` does, with that signal's reason; undefined
 * when none is given. Used to stop a call from inside (e.g. a failing callback) as well as
 * by the caller.
 */
export function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const given = signals.filter((s): s is AbortSignal => s !== undefined);
  if (given.length <= 1) return given[0];
  return AbortSignal.any(given);
}

// Node's spawn error carries the full argv (spawnargs); keep only its masked message and code.
function maskedStartError(error: Error, mask: (text: string) => string): Error {
  const code = (error as { code?: unknown }).code;
  return Object.assign(new Error(mask(error.message)), typeof code === "string" ? { code } : {});
}
