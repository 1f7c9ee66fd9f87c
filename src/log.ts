/**
 * A small structured logger: one line per event on stderr, `key=value` fields.
 * Callers must not pass secrets; restic output reaching here is already masked.
 *
 * Lines to stderr are buffered and written in batches (see {@link bufferedLines}): a
 * synchronous write per line (stderr is synchronous for files and pipes) cost a busy daemon a
 * system call per request for its access log. Warnings and errors are written at once, with
 * every line before them, and whatever is buffered is written when the process exits.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, string | number | boolean | bigint | undefined>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Writes out every buffered line now (before writing to stderr directly, or a kill). */
  flush(): void;
}

/** Takes one line (without its newline); `flush`, when there is one, writes out what it buffered. */
export type LineWriter = ((line: string) => void) & { flush?: () => void };

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const TAGS: Record<LogLevel, string> = {
  debug: "DEBUG",
  info: "INFO",
  warn: "WARN",
  error: "ERROR",
};
/** A string field value with one of these is written as a JSON string (numbers never need it). */
const NEEDS_QUOTES = /[\s"=]/;

/** The time as ISO 8601, formatted once per millisecond (a busy daemon logs many lines in one). */
let lastMs = Number.NaN;
let lastIso = "";
function timestamp(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastIso = new Date(now).toISOString();
  }
  return lastIso;
}

/**
 * Creates a logger writing lines at or above `level` to `write` (by default stderr, buffered
 * by {@link stderrLines}). Warnings and errors flush the writer, so they and every line before
 * them are out before the call returns.
 */
export function createLogger(level: LogLevel = "info", write: LineWriter = stderrLines()): Logger {
  const emit = (lvl: LogLevel, msg: string, fields?: LogFields) => {
    if (ORDER[lvl] < ORDER[level]) return;
    let line = `${timestamp()} ${TAGS[lvl]} ${msg}`;
    for (const k in fields) {
      const v = fields[k];
      if (v === undefined) continue;
      if (typeof v !== "string") line += ` ${k}=${v}`;
      else line += ` ${k}=${NEEDS_QUOTES.test(v) ? JSON.stringify(v) : v}`;
    }
    write(line);
    if (ORDER[lvl] >= ORDER.warn) write.flush?.();
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    flush: () => write.flush?.(),
  };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = createLogger("error", () => {});

/** Options of {@link bufferedLines}. */
export interface BufferedLinesOptions {
  /** Longest a line waits before it is written (default 50 ms). */
  maxDelayMs?: number;
  /**
   * Buffered text that is written at once, without waiting (default 16 KiB: a quarter of a
   * Linux pipe, so a synchronous write to stderr fits while its reader lags behind a little,
   * instead of stalling the daemon until the pipe is empty).
   */
  maxChars?: number;
  /** Timers, injectable for tests (default the global ones; the timer is unref'd). */
  setTimer?: (fn: () => void, ms: number) => () => void;
}

/**
 * A line writer that joins lines and hands them to `out` in batches: when `maxDelayMs` has
 * passed since the first buffered line, when `maxChars` are buffered, or on flush(). Lines
 * keep their order. `out` failing (e.g. a closed stderr) drops the batch: logging never
 * throws into the caller.
 */
export function bufferedLines(
  out: (text: string) => void,
  opts: BufferedLinesOptions = {},
): LineWriter & { flush(): void } {
  const maxDelayMs = opts.maxDelayMs ?? 50;
  const maxChars = opts.maxChars ?? 16 * 1024;
  const setTimer = opts.setTimer ?? unrefTimer;
  let pending: string[] = [];
  let chars = 0;
  let cancelTimer: (() => void) | undefined;
  const flush = () => {
    cancelTimer?.();
    cancelTimer = undefined;
    if (pending.length === 0) return;
    const text = `${pending.join("\n")}\n`;
    pending = [];
    chars = 0;
    try {
      out(text);
    } catch {
      // Nowhere left to report it.
    }
  };
  const write = (line: string) => {
    pending.push(line);
    chars += line.length + 1;
    if (chars >= maxChars) flush();
    else cancelTimer ??= setTimer(flush, maxDelayMs);
  };
  return Object.assign(write, { flush });
}

function unrefTimer(fn: () => void, ms: number): () => void {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
}

let stderr: (LineWriter & { flush(): void }) | undefined;

/**
 * The process's buffered stderr lines, one writer for every logger so their lines stay in
 * order; flushed synchronously when the process exits (also after an uncaught exception, before
 * Node prints it). Lines lost are only those of a process killed with SIGKILL within
 * `maxDelayMs` of logging them.
 */
export function stderrLines(): LineWriter & { flush(): void } {
  if (stderr === undefined) {
    // stderr is synchronous for files, pipes and terminals on Linux and macOS, so this also
    // writes at exit, when nothing asynchronous runs any more.
    const writer = bufferedLines((text) => process.stderr.write(text));
    process.once("exit", () => writer.flush());
    stderr = writer;
  }
  return stderr;
}
