/** `restic prune` and `restic check`: text-only commands that hold an exclusive lock. */
import { buildCallEnv } from "./env.js";
import { ResticError } from "./errors.js";
import { type InvokeContext, invoke } from "./invoke.js";
import { callbackErrorLogger, createTextOutput } from "./text-output.js";
import type { CallOptions, ResticRepo } from "./types.js";

/** Options of prune and check calls. */
export type TextCallOptions = CallOptions & { onOutput?: (line: string) => void };

/** The argv for `prune [--max-unused=x]` (x: "5%", "1G", "unlimited"...). */
export function pruneArgs(prune: { maxUnused?: string }): string[] {
  return ["prune", ...(prune.maxUnused ? [`--max-unused=${prune.maxUnused}`] : [])];
}

/** The argv for `check [--read-data-subset=x]` (x: "n/t", "x%" or a size). */
export function checkArgs(check: { readDataSubset?: string }): string[] {
  return ["check", ...(check.readDataSubset ? [`--read-data-subset=${check.readDataSubset}`] : [])];
}

// restic's last words when check found damage (0.14 up to at least 0.18).
const CHECK_FOUND_ERRORS = /repository contains errors/i;

/**
 * Turns check's failure into what it means: when restic reports that the repository
 * contains errors, a "failed" ResticError saying so; any other error (locked, wrong
 * password, a network failure) is returned as it is.
 */
export function checkFailure(error: unknown): unknown {
  if (!(error instanceof ResticError) || error.kind !== "failed") return error;
  if (!CHECK_FOUND_ERRORS.test(error.stderrTail)) return error;
  return new ResticError({
    kind: "failed",
    message:
      "restic check found errors in the repository; see the check's log for what is damaged before relying on its snapshots",
    exitCode: error.exitCode,
    args: error.args,
    stderrTail: error.stderrTail,
    cause: error,
  });
}

/**
 * Runs a text-only command, handing each masked line of stdout and stderr to `onOutput`.
 * Resolves with the output's last MAX_TEXT_OUTPUT_CHARS, in arrival order per stream.
 */
export async function runTextCommand(
  ctx: InvokeContext,
  repo: ResticRepo,
  subcommand: string,
  args: string[],
  opts?: TextCallOptions,
): Promise<string> {
  const { secrets } = buildCallEnv(ctx.baseEnv, repo);
  const logError = callbackErrorLogger(ctx.log, secrets, `restic ${subcommand}: onOutput`);
  const output = createTextOutput(secrets, opts?.onOutput, logError);
  await invoke(ctx, repo, {
    subcommand,
    args,
    signal: opts?.signal,
    onStdoutLine: output.onLine,
    onStderrLine: output.onLine,
  });
  return output.text();
}

/** `restic prune`: resolves with its (capped) output. */
export function runPrune(
  ctx: InvokeContext,
  repo: ResticRepo,
  prune: { maxUnused?: string },
  opts?: TextCallOptions,
): Promise<string> {
  return runTextCommand(ctx, repo, "prune", pruneArgs(prune), opts);
}

/** `restic check`: resolves with its (capped) output; rejects when the repository has errors. */
export async function runCheck(
  ctx: InvokeContext,
  repo: ResticRepo,
  check: { readDataSubset?: string },
  opts?: TextCallOptions,
): Promise<string> {
  try {
    return await runTextCommand(ctx, repo, "check", checkArgs(check), opts);
  } catch (error) {
    throw checkFailure(error);
  }
}
