/** Runs the `restwell` command from source as a child process, with an explicit environment. */
import { join } from "node:path";
import { execa, type Options } from "execa";

const ROOT = join(import.meta.dirname, "..", "..");
const MAIN = join(ROOT, "src", "main.ts");

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `restwell <args>` with only `env` (plus PATH and HOME) in its environment, so no
 * RESTWELL_* variable of the test process leaks in. `input` is piped to stdin.
 */
export async function restwell(
  args: string[],
  env: Record<string, string> = {},
  opts: { input?: string; cwd?: string } = {},
): Promise<CliResult> {
  const options: Options = {
    cwd: opts.cwd ?? ROOT,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", ...env },
    extendEnv: false,
    reject: false,
    ...(opts.input === undefined ? { stdin: "ignore" } : { input: opts.input }),
  };
  const r = await execa(process.execPath, ["--import", "tsx", MAIN, ...args], options);
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Everything a failed run printed, for assertion messages. */
export function output(r: CliResult): string {
  return `exit ${r.exitCode}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
}
