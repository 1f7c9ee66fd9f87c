/** A user's own restic command (RunCommand), run against the repo without letting it change which repo. */
import { buildCallEnv } from "./env.js";
import { type InvokeContext, invoke } from "./invoke.js";
import { maskSecrets } from "./mask.js";
import { refusedError } from "./refuse.js";
import { callbackErrorLogger, createTextOutput } from "./text-output.js";
import type { CallOptions, ResticRepo } from "./types.js";

/** Options of one user command. */
export type CommandCallOptions = CallOptions & { onOutput?: (line: string) => void };

// Global flags that would point restic at another repository or another password source.
const OVERRIDING_FLAGS = new Set([
  "--repo",
  "--repository-file",
  "--password-file",
  "--password-command",
  "--insecure-no-password",
]);

// -r and -p, alone or after the value-less -q/-v in a cluster ("-r", "-rX", "-vr", "-qp").
const OVERRIDING_SHORT = /^-[qv]*([rp])/;

/**
 * The first argument that would override the repository or its password, or undefined.
 * Arguments after "--" are operands, not flags. Subcommands such as `init` or `key` are
 * allowed: they act on the daemon's own repository with its own password, as the user
 * asked.
 */
export function repoOverridingArg(args: readonly string[]): string | undefined {
  for (const arg of args) {
    if (arg === "--") return undefined;
    if (arg.startsWith("--")) {
      const name = arg.split("=", 1)[0] ?? arg;
      if (OVERRIDING_FLAGS.has(name)) return name;
      continue;
    }
    const short = OVERRIDING_SHORT.exec(arg);
    if (short) return `-${short[1]}`;
  }
  return undefined;
}

/**
 * Runs `restic <args>` with the repo's environment, every masked stdout and stderr line
 * going to `onOutput`. Resolves with the exit code whatever it is; rejects with
 * ResticCancelledError on abort, and with ResticError when restic cannot start, is killed,
 * or `args` would override the repository or password (then restic is not started).
 */
export async function runCommand(
  ctx: InvokeContext,
  repo: ResticRepo,
  args: string[],
  opts?: CommandCallOptions,
): Promise<{ exitCode: number }> {
  const { secrets } = buildCallEnv(ctx.baseEnv, repo);
  const overriding = repoOverridingArg(args);
  if (overriding !== undefined) {
    throw refusedError(
      `the command may not use ${overriding}: it runs against this repo with its own password; remove that flag`,
      args,
      secrets,
    );
  }
  const logError = callbackErrorLogger(ctx.log, secrets, "restic command: onOutput");
  const output = createTextOutput(secrets, opts?.onOutput, logError, 0);
  const { outcome } = await invoke(ctx, repo, {
    subcommand: maskSecrets(args.find((arg) => !arg.startsWith("-")) ?? "command", secrets),
    args,
    okExitCodes: "any",
    signal: opts?.signal,
    onStdoutLine: output.onLine,
    onStderrLine: output.onLine,
  });
  // invoke only accepts runs that exited with a code.
  return { exitCode: outcome.exitCode ?? 1 };
}
