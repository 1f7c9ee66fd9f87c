/**
 * Operation logs on SQLite: text kept per log as deflate-compressed chunks, live logs
 * buffered in memory between flushes and streamed to in-process followers.
 */
import { randomBytes } from "node:crypto";
import { deflateRawSync } from "node:zlib";
import Database from "better-sqlite3";
import { NotFoundError } from "../errors.js";
import { migrate } from "../oplog/migrations.js";
import { subscribe } from "./follow.js";
import { createLogWriter, type LiveLog, newLiveLog, truncationNote } from "./live-log.js";
import { LOG_MIGRATIONS } from "./migrations.js";
import {
  compressedChunks,
  createLogStatements,
  deleteLogRows,
  inflateChunk,
  type LogStatements,
} from "./statements.js";
import type { LogStore } from "./types.js";

/** Options of openLogStore. */
export interface LogStoreOptions {
  /** The clock of created/ended times, in ms (default Date.now). */
  now?: () => number;
  /** Buffered bytes of a live log that trigger a flush to SQLite (default 64 KiB). */
  flushBytes?: number;
  /** Bytes waiting for one follower before it is dropped (default 4 MiB). */
  maxFollowerQueueBytes?: number;
}

/**
 * Opens (creating and migrating as needed) the log store at `path` and marks logs left
 * unended by a crash as ended (noting their truncation, if any). Throws SchemaVersionError
 * for a file written by a newer Restwell. The caller must close() it.
 */
export function openLogStore(path: string, opts: LogStoreOptions = {}): LogStore {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 5000");
    migrate(db, LOG_MIGRATIONS);
    const s = createLogStatements(db);
    const now = opts.now ?? Date.now;
    db.transaction(() => endInterrupted(s, now())).immediate();
    return createStore(db, s, opts, now);
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Ends every log that was still being written when the last process stopped. */
function endInterrupted(s: LogStatements, nowMs: number): void {
  const rows = s.unended.all() as { ref: string; truncated: number; last_seq: number }[];
  for (const { ref, truncated, last_seq } of rows) {
    if (truncated > 0) {
      const note = truncationNote(truncated);
      s.insertChunk.run(ref, last_seq + 1, deflateRawSync(note));
      s.addBytes.run(note.length, truncated, ref);
    }
    s.endLog.run(nowMs, ref);
  }
}

function createStore(
  db: Database.Database,
  s: LogStatements,
  opts: LogStoreOptions,
  now: () => number,
): LogStore {
  const flushBytes = opts.flushBytes ?? 64 * 1024;
  const maxQueued = opts.maxFollowerQueueBytes ?? 4 * 1024 * 1024;
  const live = new Map<string, LiveLog>();

  const flush = db.transaction((log: LiveLog) => {
    const text = Buffer.concat(log.buffered, log.bufferedBytes);
    if (text.length > 0) s.insertChunk.run(log.ref, log.nextSeq, deflateRawSync(text));
    s.addBytes.run(text.length, log.dropped, log.ref);
    if (text.length > 0) log.nextSeq++;
    log.buffered = [];
    log.bufferedBytes = 0;
  });
  const sink = {
    flush: (log: LiveLog) => flush.immediate(log),
    finish(log: LiveLog) {
      s.endLog.run(now(), log.ref);
      forget(log);
    },
  };
  const forget = (log: LiveLog) => {
    live.delete(log.ref);
    for (const follower of log.followers) follower.end();
    log.followers.clear();
  };
  const remove = db.transaction((refs: string[]) => refs.filter((ref) => deleteLogRows(s, ref)));

  return {
    create(createOpts = {}) {
      const ref = randomBytes(16).toString("hex");
      s.insertLog.run(ref, now());
      const log = newLiveLog(ref);
      live.set(ref, log);
      const limits = { maxBytes: createOpts.maxBytes ?? 8 * 1024 * 1024, flushBytes };
      return createLogWriter(log, sink, limits, () => live.get(ref) === log);
    },
    read(ref) {
      const log = live.get(ref);
      if (log === undefined && s.logExists.get(ref) === undefined) return undefined;
      const stored = compressedChunks(s, ref, log?.nextSeq).map(inflateChunk);
      return Buffer.concat(log === undefined ? stored : [...stored, ...log.buffered]);
    },
    follow: (ref, signal) => follow(ref, signal),
    expire(beforeMs) {
      const refs = s.expired.all(beforeMs) as string[];
      return remove.immediate(refs).length;
    },
    delete(refs) {
      remove.immediate([...new Set(refs)]);
      for (const ref of refs) {
        const log = live.get(ref);
        if (log !== undefined) forget(log);
      }
    },
    close() {
      for (const log of [...live.values()]) {
        flush.immediate(log);
        forget(log);
      }
      db.close();
    },
  };

  /** See LogStore.follow. Everything up to the first yield runs in one synchronous step. */
  async function* follow(ref: string, signal: AbortSignal): AsyncGenerator<Buffer> {
    const log = live.get(ref);
    if (log === undefined) {
      if (s.logExists.get(ref) === undefined) throw new NotFoundError("log", ref);
      for (const data of compressedChunks(s, ref)) {
        if (signal.aborted) return;
        yield inflateChunk(data);
      }
      return;
    }
    // What is stored and buffered now, then everything written from now on: no gap, no repeat.
    const stored = compressedChunks(s, ref, log.nextSeq);
    const pending = Buffer.concat(log.buffered);
    const subscription = subscribe(log.followers, maxQueued);
    try {
      for (const data of stored) {
        if (signal.aborted) return;
        yield inflateChunk(data);
      }
      if (pending.length > 0 && !signal.aborted) yield pending;
      yield* subscription.chunks(signal);
    } finally {
      subscription.close();
    }
  }
}
