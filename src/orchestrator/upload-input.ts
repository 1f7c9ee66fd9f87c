/**
 * The stream restic reads an upload from: the client's bytes, counted and cut at the size
 * limit. It ends only when the body ended normally; a body that fails, is cut off or grows past
 * the limit destroys it instead, so restic is stopped while it still waits for input and no
 * snapshot of a truncated upload is ever saved (see restic's backup with `stdin`).
 */
import { type Readable, Transform, type TransformCallback } from "node:stream";
import type { StdinInput } from "./tasks/backup.js";

/** An upload grew past settings.uploadMaxBytes (or declared a size over it). */
export class UploadTooLargeError extends Error {
  override name = "UploadTooLargeError";
  constructor(readonly limitBytes: number) {
    super(
      `the upload is larger than the limit of ${limitBytes} bytes (${formatBytes(limitBytes)}), so no snapshot was made; send a smaller file or raise settings.uploadMaxBytes (-1 for no limit)`,
    );
  }
}

/** The client stopped sending before the body's end (disconnect, or a body shorter than declared). */
export class UploadInterruptedError extends Error {
  override name = "UploadInterruptedError";
  constructor(
    readonly receivedBytes: number,
    options?: { cause?: unknown },
  ) {
    super(
      `the upload was interrupted after ${receivedBytes} bytes (the client closed the connection before the body's end), so no snapshot was made; send the file again`,
      options,
    );
  }
}

/** Errors of a body that already say, for users, why it is unusable; others mean "interrupted". */
const BODY_ERRORS_SHOWN = new Set(["ValidationError", "UploadTooLargeError"]);

/** restic's input for one upload. */
export interface UploadInput extends StdinInput {
  /** Bytes of the body read so far. */
  received(): number;
}

/** A pass-through that counts, enforces the limit and tells when its reader went away. */
class MeteredStream extends Transform {
  count = 0;
  constructor(
    private readonly limitBytes: number | undefined,
    private readonly onReaderGone: () => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.count += chunk.length;
    if (this.limitBytes !== undefined && this.count > this.limitBytes) {
      done(new UploadTooLargeError(this.limitBytes));
      return;
    }
    done(null, chunk);
  }

  /**
   * pipe() detaches its destination when that closes: here, restic's stdin once restic has
   * exited. Before our end, that means restic failed without reading everything.
   */
  override unpipe(destination?: NodeJS.WritableStream): this {
    super.unpipe(destination);
    if (!this.readableEnded) this.onReaderGone();
    return this;
  }
}

/**
 * Starts reading `body` (which must end only when it is complete, and fail or close early
 * otherwise) into a stream for restic. `done` rejects with UploadTooLargeError past
 * `limitBytes`, with the body's own error when it is a ValidationError, and with
 * UploadInterruptedError for any other early end. It resolves when restic has read the whole
 * body, and also when restic stopped reading or `signal` aborted (restic's error or the
 * cancel explains those). In every outcome but success the body is left paused and unread:
 * the caller answers the client and closes the connection.
 */
export function openUploadInput(
  body: Readable,
  opts: { limitBytes: number | undefined; signal: AbortSignal },
): UploadInput {
  let settled = false;
  let resolveDone!: () => void;
  let rejectDone!: (err: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  const input = new MeteredStream(opts.limitBytes, () => stop());
  let bodyEnded = false;

  const detach = () => {
    body.unpipe(input);
    body.pause();
    // The error listener stays: a body that fails later must not become an uncaught error.
    body.off("end", onEnd);
    body.off("close", onBodyClose);
    opts.signal.removeEventListener("abort", onAbort);
  };
  /** Ends without an error of ours: restic's outcome (or the cancel) tells what happened. */
  const stop = () => {
    if (settled) return;
    settled = true;
    detach();
    input.destroy();
    resolveDone();
  };
  const fail = (err: Error) => {
    if (settled) return;
    settled = true;
    detach();
    input.destroy(err);
    rejectDone(err);
  };
  const interrupted = (cause?: unknown) =>
    new UploadInterruptedError(input.count, cause === undefined ? undefined : { cause });
  const onEnd = () => {
    bodyEnded = true;
  };
  const onBodyError = (err: unknown) =>
    fail(err instanceof Error && BODY_ERRORS_SHOWN.has(err.name) ? err : interrupted(err));
  const onBodyClose = () => {
    if (!bodyEnded) fail(interrupted());
  };
  const onAbort = () => stop();

  input.on("error", (err) => fail(err));
  // Closed before its end without an error: its reader destroyed it.
  input.on("close", () => stop());
  input.on("end", () => {
    if (settled) return;
    settled = true;
    detach();
    resolveDone();
  });
  body.on("end", onEnd);
  body.on("error", onBodyError);
  body.on("close", onBodyClose);
  opts.signal.addEventListener("abort", onAbort, { once: true });
  if (opts.signal.aborted) stop();
  else if (isCutOff(body)) fail(interrupted());
  else body.pipe(input);
  return { input, done, received: () => input.count };
}

/** True when the body was destroyed before its end (e.g. the client left while it was queued). */
function isCutOff(body: Readable): boolean {
  return body.destroyed && !body.readableEnded;
}

/** "10 GiB", "512 MiB", "3 KiB" or "17 B": a limit as people read it. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(1);
  return `${shown} ${units[unit]}`;
}
