/**
 * Running the database tools through the project's one seam for programs (runProgram: no
 * shell, an explicit environment, SIGINT-then-SIGKILL on abort, masked stderr), and turning
 * a failed run into an error that says what went wrong and what to fix.
 */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import type { Writable } from "node:stream";
import { type RunOutcome, runProgram } from "../restic/run.js";
import type { ToolInvocation } from "./commands.js";
import { DatabaseToolError, MissingToolError } from "./errors.js";

/** Settings shared by every run of one DatabaseTools. */
export interface ToolContext {
  /** The base environment (see baseToolEnv); the invocation's variables are added on top. */
  baseEnv: Readonly<Record<string, string>>;
  /** Time between SIGINT and SIGKILL after a stop. */
  killGraceMs: number;
}

/** The absolute path of the first of `programs` found on `path`, or undefined. */
export function findProgram(programs: readonly string[], path: string): string | undefined {
  for (const program of programs) {
    for (const dir of path.split(delimiter)) {
      if (!dir) continue;
      const candidate = join(dir, program);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** One run of a tool. */
export interface ToolRun {
  invocation: ToolInvocation;
  signal?: AbortSignal | undefined;
  onLog?: ((line: string) => void) | undefined;
  stdoutTo?: Writable;
  stdinFrom?: NodeJS.ReadableStream;
}

/** What a run gave: the program's name as run (e.g. "mysqldump") and how it ended. */
export interface ToolResult {
  program: string;
  outcome: RunOutcome;
}

/** Stdout kept when it is collected (a table count needs a few bytes). */
const MAX_STDOUT_CHARS = 64 * 1024;

/** Runs the first installed program of the invocation; MissingToolError when none is. */
export async function runTool(ctx: ToolContext, run: ToolRun): Promise<ToolResult> {
  const inv = run.invocation;
  const env = { ...ctx.baseEnv, ...inv.env };
  const command = findProgram(inv.programs, env.PATH ?? "");
  if (!command) throw new MissingToolError(inv.programs, inv.debianPackage);
  const program = command.slice(command.lastIndexOf("/") + 1);
  const outcome = await runProgram({
    command,
    label: program,
    args: inv.args,
    env,
    secrets: inv.secrets,
    signal: run.signal,
    killGraceMs: ctx.killGraceMs,
    stdoutTo: run.stdoutTo,
    stdinFrom: run.stdinFrom,
    maxStdoutChars: MAX_STDOUT_CHARS,
    onStderrLine: run.onLog,
    log: run.onLog,
  });
  if (outcome.startError) {
    throw new MissingToolError([program], inv.debianPackage);
  }
  return { program, outcome };
}

/** What to check for errors the tools print, matched on their (English) stderr. */
const HINTS: [RegExp, string][] = [
  [
    /password authentication failed|Access denied for user|no password supplied|fe_sendauth/i,
    "check the database source's user and password (or password file)",
  ],
  [
    /database "[^"]*" does not exist|Unknown database/i,
    "check the database name; a restore target must exist (create an empty database first)",
  ],
  [
    /could not connect|Connection refused|Can't connect|could not translate host name|Unknown server host|timeout expired/i,
    "check the host and port, and that the database server is running",
  ],
  [
    /server version mismatch/i,
    "install a pg_dump at least as new as the server (Debian's postgresql-client)",
  ],
  [/unable to open database|file is not a database/i, "check the path of the SQLite database file"],
];

/** The last few lines of a (masked) stderr, for a message. */
export function stderrSummary(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const text = lines.slice(-3).join(" | ");
  return text.length > 1000 ? `…${text.slice(-1000)}` : text;
}

/** The error of a failed run: exit code, the end of stderr, and a hint when one applies. */
export function toolError(result: ToolResult, what: string): DatabaseToolError {
  const { program, outcome } = result;
  const summary = stderrSummary(outcome.stderr);
  const hint = HINTS.find(([pattern]) => pattern.test(outcome.stderr))?.[1];
  const how =
    outcome.exitCode !== undefined
      ? `exited with code ${outcome.exitCode}`
      : `was killed by ${outcome.signal ?? "a signal"}`;
  const message = `${what}: ${program} ${how}${summary ? `: ${summary}` : ""}${hint ? `; ${hint}` : ""}`;
  return new DatabaseToolError(program, outcome.exitCode, outcome.stderr, message);
}

/** The error of a run stopped through its signal (the caller records why it was stopped). */
export function stoppedError(what: string): Error {
  return new Error(`${what} was stopped before it finished`);
}
