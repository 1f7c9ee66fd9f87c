/**
 * A log being written: its unflushed text, its cap, its followers, and its writer.
 */
import type { Follower } from "./follow.js";
import type { LogWriter } from "./types.js";

/** The in-memory state of a log being written. */
export interface LiveLog {
  readonly ref: string;
  /** Accepted text not yet flushed. */
  buffered: Buffer[];
  bufferedBytes: number;
  /** Bytes written but dropped beyond the cap. */
  dropped: number;
  /** The seq the next flushed chunk gets; stored chunks are those below it. */
  nextSeq: number;
  readonly followers: Set<Follower>;
}

/** What a writer needs from its store. */
export interface LiveLogSink {
  /** Stores `live.buffered` as the next chunk (also when empty, to record `dropped`). */
  flush(live: LiveLog): void;
  /** Marks the log ended and forgets it as live. */
  finish(live: LiveLog): void;
}

/** Creates the state of a new, empty log. */
export function newLiveLog(ref: string): LiveLog {
  return { ref, buffered: [], bufferedBytes: 0, dropped: 0, nextSeq: 0, followers: new Set() };
}

/**
 * The writer of `live`: keeps the first `maxBytes` bytes (cut at a UTF-8 character boundary),
 * counts the rest as dropped, publishes accepted text to followers, and flushes once
 * `flushBytes` are buffered. `isOpen` turns false when the log is deleted or the store closed.
 */
export function createLogWriter(
  live: LiveLog,
  sink: LiveLogSink,
  limits: { maxBytes: number; flushBytes: number },
  isOpen: () => boolean,
): LogWriter {
  let accepted = 0;
  let full = false;
  let ended = false;
  const append = (chunk: Buffer) => {
    live.buffered.push(chunk);
    live.bufferedBytes += chunk.length;
    for (const follower of live.followers) follower.push(chunk);
  };
  return {
    ref: live.ref,
    write(chunk) {
      if (ended || !isOpen()) return;
      // Copied: the caller may reuse its buffer.
      const bytes = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk);
      const kept = full ? 0 : headLength(bytes, limits.maxBytes - accepted);
      if (kept < bytes.length) full = true;
      live.dropped += bytes.length - kept;
      accepted += kept;
      if (kept > 0) append(kept === bytes.length ? bytes : bytes.subarray(0, kept));
      if (live.bufferedBytes >= limits.flushBytes) sink.flush(live);
    },
    end() {
      if (ended || !isOpen()) return;
      ended = true;
      if (live.dropped > 0) {
        append(truncationNote(live.dropped));
      }
      sink.flush(live);
      sink.finish(live);
    },
  };
}

/** How many leading bytes of `bytes` fit in `room`, not splitting a UTF-8 character. */
function headLength(bytes: Buffer, room: number): number {
  if (room >= bytes.length) return bytes.length;
  let cut = Math.max(0, room);
  while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
  return cut;
}

/** The note that ends a log beyond its cap. */
export const truncationNote = (dropped: number): Buffer =>
  Buffer.from(`\n[log truncated: ${dropped} bytes dropped]\n`);
