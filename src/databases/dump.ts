/** Running a dump tool with its stdout streamed out, and deciding whether the dump is complete. */
import { Transform, type TransformCallback } from "node:stream";
import { dumpInvocation } from "./commands.js";
import { DatabaseToolError, DumpClosedError } from "./errors.js";
import { runTool, stoppedError, type ToolContext, toolError } from "./run-tool.js";
import type { DatabaseConnection, DatabaseDump, ToolCallOptions } from "./types.js";

/** How the sqlite3 shell's `.dump` ends when it read everything (see commands.ts). */
const SQLITE_COMPLETE_END = "COMMIT;\n";

/**
 * The dump's bytes on their way to the reader: remembers the last bytes (to check the end
 * without buffering the dump) and tells when the reader went away before the end.
 */
class DumpStream extends Transform {
  private last = Buffer.alloc(0);
  /** Set once the reader is gone: the rest of the tool's output is dropped. */
  private discarding = false;
  constructor(private readonly onReaderGone: () => void) {
    super();
    this.on("close", () => {
      if (!this.writableFinished) this.readerGone();
    });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    // Without a reader, unread bytes would block the tool's stdout and its exit would never
    // be seen; dropping them lets the stopped tool end. (Destroying the stream instead would
    // look, to a reader still finishing, like a failure of its input.)
    if (this.discarding) {
      done();
      return;
    }
    // Copies at most 64 bytes per chunk, whatever the chunk's size.
    this.last =
      chunk.length >= 64
        ? Buffer.from(chunk.subarray(-64))
        : Buffer.concat([this.last, chunk]).subarray(-64);
    done(null, chunk);
  }

  private readerGone(): void {
    if (this.discarding) return;
    this.discarding = true;
    // Flowing with no 'data' listener drops what is buffered and lets blocked writes go on.
    this.resume();
    this.onReaderGone();
  }

  /** The last bytes that went through. */
  tail(): string {
    return this.last.toString("utf8");
  }

  /**
   * pipe() detaches its destination when that closes: restic's stdin once restic has exited.
   * Before our end, that means the reader failed without reading everything.
   */
  override unpipe(destination?: NodeJS.WritableStream): this {
    super.unpipe(destination);
    if (!this.readableEnded) this.readerGone();
    return this;
  }
}

/** Starts the dump of `conn` (see DatabaseTools.dump). */
export function startDump(
  ctx: ToolContext,
  conn: DatabaseConnection,
  opts: ToolCallOptions = {},
): DatabaseDump {
  const readerGone = new AbortController();
  let settling = false;
  const stream = new DumpStream(() => {
    // Our own teardown (a failed dump destroys the stream) is not the reader going away.
    if (!settling) readerGone.abort(new DumpClosedError());
  });
  // `done` reports every failure; without a listener an 'error' event would be fatal.
  stream.on("error", () => {});
  const signal = opts.signal
    ? AbortSignal.any([opts.signal, readerGone.signal])
    : readerGone.signal;
  const what = `the dump of ${conn.kind === "sqlite" ? "" : "database "}"${conn.database}"`;
  const done = runTool(ctx, {
    invocation: dumpInvocation(conn),
    signal,
    onLog: opts.onLog,
    stdoutTo: stream,
  }).then((result) => {
    settling = true;
    if (readerGone.signal.aborted) throw new DumpClosedError();
    if (result.outcome.cancelled) throw stoppedError(what);
    if (result.outcome.exitCode !== 0) throw toolError(result, `${what} failed`);
    if (conn.kind === "sqlite" && !stream.tail().endsWith(SQLITE_COMPLETE_END)) {
      throw new DatabaseToolError(
        result.program,
        0,
        result.outcome.stderr,
        `${what} is incomplete: sqlite3 hit errors reading it (its dump ends in ROLLBACK); check that "${conn.database}" is an intact SQLite database (sqlite3 "${conn.database}" "PRAGMA integrity_check")`,
      );
    }
    stream.end();
  });
  // A failed dump must never look complete: the stream is destroyed, never ended (unless
  // its reader is gone already, and nobody is left to tell).
  const settled = done.catch((error: unknown) => {
    settling = true;
    if (!readerGone.signal.aborted)
      stream.destroy(error instanceof Error ? error : new Error(String(error)));
    throw error;
  });
  return { stream, done: settled };
}
