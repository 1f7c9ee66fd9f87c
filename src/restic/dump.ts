/** `restic dump`: a file's bytes, or a folder as an archive, streamed without buffering. */
import { PassThrough } from "node:stream";
import { anySignal, type InvokeContext, invoke } from "./invoke.js";
import type { CallOptions, ResticRepo } from "./types.js";

/** Options of one dump. */
export type DumpCallOptions = CallOptions & { archive?: "tar" | "zip" };

/** What `dump` hands back: the bytes, and the outcome once restic has exited. */
export interface DumpHandle {
  stream: NodeJS.ReadableStream;
  done: Promise<void>;
}

/**
 * The argv for `dump [--archive=tar|zip] -- <snapshot> <path>`. restic writes a folder as
 * an archive (tar unless told) and a file as its bytes; `archive` matters only for folders.
 */
export function dumpArgs(snapshotId: string, path: string, archive?: "tar" | "zip"): string[] {
  return ["dump", ...(archive ? [`--archive=${archive}`] : []), "--", snapshotId, path];
}

/** Thrown into the call's signal when the consumer destroys the stream before its end. */
export class DumpStreamClosedError extends Error {
  override name = "DumpStreamClosedError";
  constructor() {
    super("the consumer closed the dump stream before it ended");
  }
}

/**
 * Starts `restic dump` with its stdout piped into the returned stream. The pipe carries
 * backpressure: while the consumer (e.g. an HTTP response) is slow, restic blocks on its
 * write instead of memory filling up. When restic exits 0 the stream ends; otherwise it is
 * destroyed with the same error `done` rejects with (ResticError, or ResticCancelledError
 * on abort). A consumer that destroys the stream early stops restic (SIGINT, so it removes
 * its lock) and `done` rejects with ResticCancelledError whose reason is a
 * DumpStreamClosedError. A stream error never crashes the process when nobody listens.
 */
export function startDump(
  ctx: InvokeContext,
  repo: ResticRepo,
  snapshotId: string,
  path: string,
  opts?: DumpCallOptions,
): DumpHandle {
  const stream = new PassThrough();
  // `done` reports every failure; without a listener an 'error' event would be fatal.
  stream.on("error", () => {});
  const consumerGone = new AbortController();
  stream.on("close", () => {
    if (!stream.writableFinished) consumerGone.abort(new DumpStreamClosedError());
  });
  const done = invoke(ctx, repo, {
    subcommand: "dump",
    args: dumpArgs(snapshotId, path, opts?.archive),
    signal: anySignal(opts?.signal, consumerGone.signal),
    stdoutTo: stream,
  }).then(
    () => {
      stream.end();
    },
    (error: unknown) => {
      stream.destroy(error instanceof Error ? error : new Error(String(error)));
      throw error;
    },
  );
  return { stream, done };
}
