/** One restic command from argv to a checked outcome: env, run, cancellation and error mapping. */
import { badOutputError, type FailedRun, resticErrorFor } from "./classify.js";
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
  /** Exit codes that count as success; [0] unless given. */
  okExitCodes?: readonly number[];
  cwd?: string | undefined;
  signal?: AbortSignal | undefined;
  onStdoutLine?: (line: string) => void;
  onStderrLine?: (line: string) => void;
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
    log: ctx.log,
  });
  if (outcome.cancelled)
    throw new ResticCancelledError(inv.signal?.reason, maskedArgs, inv.subcommand);
  const run: FailedRun = {
    subcommand: inv.subcommand,
    command: mask(ctx.command),
    args: maskedArgs,
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    stderr: outcome.stderr,
    startError: outcome.startError && maskedStartError(outcome.startError, mask),
  };
  const ok = inv.okExitCodes ?? [0];
  if (outcome.exitCode === undefined || !ok.includes(outcome.exitCode)) throw resticErrorFor(run);
  if (outcome.stdoutTruncated)
    throw badOutputError(run, "printed more output than the daemon keeps");
  return { outcome, run };
}

// Node's spawn error carries the full argv (spawnargs); keep only its masked message and code.
function maskedStartError(error: Error, mask: (text: string) => string): Error {
  const code = (error as { code?: unknown }).code;
  return Object.assign(new Error(mask(error.message)), typeof code === "string" ? { code } : {});
}
