/**
 * The contract of the operation log store: text output of operations, per `logref`.
 */

/** Writes one log. Writes after end() are ignored. */
export interface LogWriter {
  /** The log's reference, unique in the store. */
  readonly ref: string;
  /** Appends text (UTF-8) or bytes; beyond the log's cap, the rest is counted and dropped. */
  write(chunk: string | Buffer): void;
  /** Flushes, notes truncation if any, marks the log ended and ends its followers. */
  end(): void;
}

/** Operation logs: streamed live while written, kept compressed, capped and expiring. */
export interface LogStore {
  /**
   * Starts a new log with a fresh random ref. Beyond `maxBytes` (default 8 MiB) of text the
   * log keeps its head and ends with "[log truncated: N bytes dropped]".
   */
  create(opts?: { maxBytes?: number }): LogWriter;
  /**
   * The whole log, decompressed; for a log still being written, what is there so far
   * (including text not yet flushed). Undefined for an unknown or expired ref.
   */
  read(ref: string): Buffer | undefined;
  /**
   * Yields what is already there, then live chunks as they are written; returns when the log
   * ends or `signal` aborts. For an ended log: its content, then returns. Throws NotFoundError
   * for an unknown ref and SlowFollowerError when the follower lags too far behind.
   */
  follow(ref: string, signal: AbortSignal): AsyncGenerator<Buffer>;
  /** Deletes logs that ended before `beforeMs`; returns how many. */
  expire(beforeMs: number): number;
  /** Deletes logs (unknown refs are ignored); a live one's writer then writes nowhere. */
  delete(refs: string[]): void;
  /** Flushes live logs (they stay unended), ends followers, closes the database. */
  close(): void;
}
