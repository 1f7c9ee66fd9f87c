/**
 * What every command gets from main.ts (the only reader of argv and the environment): the
 * environment as a plain record and the three standard streams.
 */

/** A stream a command writes to (process.stdout/stderr, or a buffer in tests). */
export interface CliOutput {
  write(text: string): unknown;
  /** True when it is a terminal: progress is drawn as a bar instead of lines. */
  isTTY?: boolean;
  columns?: number;
}

/** Where commands read secrets and files from. */
export interface CliInput extends AsyncIterable<Buffer | string> {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  on(event: "data", listener: (chunk: Buffer | string) => void): unknown;
  off(event: "data", listener: (chunk: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

/** Everything a command may use from its process. */
export interface CliContext {
  /** The process environment (RESTWELL_SERVER, RESTWELL_TOKEN, HOME, PATH...). */
  env: Record<string, string | undefined>;
  stdin: CliInput;
  stdout: CliOutput;
  stderr: CliOutput;
}

/**
 * Exit codes, the scripting contract of the command line (documented in the README):
 * 3 follows restic (a snapshot was made but some files could not be read).
 */
export const EXIT = {
  OK: 0,
  /** The operation failed, was cancelled, or a check found problems. */
  FAILED: 1,
  /** Bad flags or arguments. */
  USAGE: 2,
  /** The backup finished with warnings (some files could not be read). */
  WARNING: 3,
  /** The daemon could not be reached. */
  UNREACHABLE: 4,
  /** The daemon refused the credentials, or they lack a permission. */
  AUTH: 5,
} as const;

/** A failure to report as `restwell: <message>` with an exit code. */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly exitCode: number = EXIT.FAILED,
  ) {
    super(message);
  }
}
