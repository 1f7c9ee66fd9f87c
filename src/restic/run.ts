/**
 * The one seam through which the project starts restic: no shell, an explicit environment,
 * capped output buffers, SIGINT-then-SIGKILL cancellation, and masked stderr.
 */
import type { Readable, Writable } from "node:stream";
import { execa } from "execa";
import { createLineSplitter } from "./json-lines.js";
import { maskSecrets } from "./mask.js";

/** Default cap on the stderr kept per call (characters, about 64 KB). */
export const STDERR_TAIL_CHARS = 64 * 1024;
/** Default cap on stdout collected (not streamed) per call (characters). */
export const MAX_STDOUT_CHARS = 64 * 1024 * 1024;

/** One program run. */
export interface RunRequest {
  command: string;
  /** Names the run in log lines, e.g. "restic backup". */
  label: string;
  args: readonly string[];
  /** The whole environment of the child; nothing of process.env is added. */
  env: Readonly<Record<string, string>>;
  /** Masked out of stderr, stderr lines and log lines. */
  secrets: readonly string[];
  cwd?: string;
  signal?: AbortSignal;
  /** Time between SIGINT and SIGKILL after `signal` fires. */
  killGraceMs: number;
  /** When set, stdout is handed over line by line and not collected. */
  onStdoutLine?: (line: string) => void;
  /**
   * When set, stdout's bytes are piped into it (with backpressure: a slow reader slows the
   * child down) and neither collected nor split into lines. It is not ended here: the
   * caller ends or destroys it once the run's outcome is known. If it closes early, the
   * rest of stdout is discarded so the child is never stuck on a full pipe.
   */
  stdoutTo?: Writable;
  /**
   * When set, piped into the child's stdin, which is closed when it ends. If it fails or
   * is destroyed before its end, stdin is left open (so the child never sees a normal end
   * of input) and the caller is expected to stop the child through `signal`.
   */
  stdinFrom?: NodeJS.ReadableStream;
  /** Every stderr line, already masked and stripped of terminal escapes. */
  onStderrLine?: (line: string) => void;
  maxStdoutChars?: number;
  stderrTailChars?: number;
  log?: (line: string) => void;
}

/** How a run ended. Never rejects for the child's own failures. */
export interface RunOutcome {
  /** undefined when the child was killed by a signal or never started. */
  exitCode: number | undefined;
  /** The signal that ended the child, if any. */
  signal: string | undefined;
  /** Collected stdout ("" when streamed). */
  stdout: string;
  /** True when stdout exceeded maxStdoutChars; `stdout` is then incomplete. */
  stdoutTruncated: boolean;
  /** Masked last `stderrTailChars` of stderr, terminal escapes removed. */
  stderr: string;
  /** Set when the program could not be started (e.g. ENOENT). */
  startError: Error | undefined;
  /** True when `signal` fired before the run was over. */
  cancelled: boolean;
}

// restic draws its progress bar with "clear line" escapes even on a pipe (e.g. on SIGINT).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the escape is the point
const ANSI_ESCAPE = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** `text` without the terminal escapes restic draws progress bars with. */
export function stripTerminalEscapes(text: string): string {
  return text.replace(ANSI_ESCAPE, "");
}

/**
 * Runs `command args` and resolves when it has exited and its output is drained. When
 * `signal` fires the child gets SIGINT (restic then removes its locks) and SIGKILL after
 * `killGraceMs`; the promise settles only after the child is gone.
 */
export async function runProgram(req: RunRequest): Promise<RunOutcome> {
  const started = Date.now();
  const mask = (text: string) => maskSecrets(stripTerminalEscapes(text), req.secrets);
  req.log?.(mask(`running ${req.command} ${req.args.join(" ")}`));
  const child = execa(req.command, [...req.args], {
    env: { ...req.env },
    extendEnv: false,
    cwd: req.cwd,
    stdin: req.stdinFrom ? "pipe" : "ignore",
    buffer: false,
    reject: false,
    cancelSignal: req.signal,
    killSignal: "SIGINT",
    forceKillAfterDelay: req.killGraceMs,
  });
  if (req.stdinFrom && child.stdin) {
    // A child that exits before reading all of it (a refused password) closes the pipe.
    child.stdin.on("error", () => {});
    req.stdinFrom.pipe(child.stdin);
  }
  const stdout = readStdout(child.stdout, req);
  const stderr = readStderr(child.stderr, req, mask);
  const result = await child;
  const outcome: RunOutcome = {
    exitCode: result.exitCode,
    signal: result.signal,
    ...stdout.finish(),
    stderr: stderr.finish(),
    startError: startErrorOf(result),
    cancelled: req.signal?.aborted === true,
  };
  req.log?.(mask(`${req.label} ${describeEnd(outcome)} after ${Date.now() - started} ms`));
  return outcome;
}

function readStdout(stream: Readable | null, req: RunRequest) {
  if (req.stdoutTo && stream) return pipeStdout(stream, req.stdoutTo);
  const cap = req.maxStdoutChars ?? MAX_STDOUT_CHARS;
  let collected = "";
  let truncated = false;
  const onLine = req.onStdoutLine;
  const splitter = onLine
    ? createLineSplitter(onLine, undefined, (n) =>
        req.log?.(`dropped a ${n}-character stdout line`),
      )
    : undefined;
  stream?.setEncoding("utf8");
  stream?.on("data", (chunk: string) => {
    if (splitter) return splitter.push(chunk);
    // Keep draining past the cap so the child is never blocked on a full pipe.
    if (collected.length + chunk.length > cap) truncated = true;
    else collected += chunk;
  });
  return {
    finish: () => {
      splitter?.end();
      return { stdout: collected, stdoutTruncated: truncated };
    },
  };
}

function pipeStdout(stream: Readable, dest: Writable) {
  stream.pipe(dest, { end: false });
  // pipe() stops reading when dest goes away; without a reader the child would block
  // forever on a full pipe (and never see its SIGINT through to exit), so drain instead.
  dest.once("close", () => {
    stream.unpipe(dest);
    stream.resume();
  });
  return { finish: () => ({ stdout: "", stdoutTruncated: false }) };
}

function readStderr(stream: Readable | null, req: RunRequest, mask: (text: string) => string) {
  const cap = req.stderrTailChars ?? STDERR_TAIL_CHARS;
  let tail = "";
  const keep = (line: string) => {
    tail += `${line}\n`;
    // Trim only when well past the cap, so long runs do not re-slice on every line.
    if (tail.length > cap * 2) tail = tail.slice(-cap - 1);
  };
  // Masking whole lines before they are kept means no cut can split a secret.
  const splitter = createLineSplitter(
    (raw) => {
      const line = mask(raw);
      req.onStderrLine?.(line);
      keep(line);
    },
    undefined,
    (n) => keep(`[a ${n}-character line was left out]`),
  );
  stream?.setEncoding("utf8");
  stream?.on("data", (chunk: string) => splitter.push(chunk));
  return {
    finish: () => {
      splitter.end();
      return tail.replace(/\n$/, "").slice(-cap);
    },
  };
}

function startErrorOf(result: {
  failed: boolean;
  exitCode?: number;
  signal?: string;
  cause?: unknown;
}) {
  if (!result.failed || result.exitCode !== undefined || result.signal !== undefined)
    return undefined;
  const cause = result.cause;
  // A cancel before the child exits also fails without exit code; it is not a start error.
  if (cause instanceof Error && typeof (cause as { code?: unknown }).code === "string")
    return cause;
  return undefined;
}

function describeEnd(outcome: RunOutcome): string {
  if (outcome.startError) return `could not start (${outcome.startError.message})`;
  if (outcome.exitCode !== undefined) return `exited with code ${outcome.exitCode}`;
  return `was killed by ${outcome.signal ?? "an unknown signal"}`;
}

/**
 * A signal for a run fed by `input` (RunRequest.stdinFrom): it fires when `outer` does, or
 * when `input` fails or closes before its end, so the child is stopped while it still waits
 * for input and never takes a truncated stream for a whole one. `what` names the input in
 * the abort reason. dispose() removes the listeners once the run is over.
 */
export function watchInput(
  input: NodeJS.ReadableStream,
  what: string,
  outer?: AbortSignal,
): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let ended = false;
  const onOuter = () => controller.abort(outer?.reason);
  const onEnd = () => {
    ended = true;
  };
  const onError = (error: unknown) =>
    controller.abort(new Error(`${what} failed before its end`, { cause: error }));
  const onClose = () => {
    if (!ended) controller.abort(new Error(`${what} closed before its end`));
  };
  if (outer?.aborted) onOuter();
  outer?.addEventListener("abort", onOuter, { once: true });
  input.on("end", onEnd);
  input.on("error", onError);
  input.on("close", onClose);
  return {
    signal: controller.signal,
    dispose() {
      outer?.removeEventListener("abort", onOuter);
      input.off("end", onEnd);
      input.off("error", onError);
      input.off("close", onClose);
    },
  };
}
