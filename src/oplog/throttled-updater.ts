/**
 * Rate-limited writes of fast-changing operations (backup and restore progress).
 */
import type { Operation } from "../../gen/v1/operations_pb.js";
import type { OpStore } from "./types.js";

/** Schedules `fn` after `ms`; returns a function that cancels it. */
export type SetTimer = (fn: () => void, ms: number) => () => void;

/** Options of createThrottledUpdater. */
export interface ThrottledUpdaterOptions {
  /** Least time between two writes of the same operation, in ms (default 1000). */
  intervalMs?: number;
  /** Milliseconds since the epoch (default Date.now). */
  now?: () => number;
  /** Timer to schedule trailing writes with (default setTimeout). */
  setTimer?: SetTimer;
  /** Receives errors of trailing writes, which have no caller to throw to (default console.error). */
  onError?: (error: unknown, op: Operation) => void;
}

/** Coalesces updates of operations into at most one store.update per operation per interval. */
export interface ThrottledUpdater {
  /**
   * Writes `op` at once if its id was not written in the last interval; otherwise keeps it as
   * the pending state of that id (the latest call wins) and writes it when the interval ends.
   * The op object is read when it is written, not copied. An immediate write throws the
   * store's errors to the caller.
   */
  update(op: Operation): void;
  /**
   * Writes the pending state of `id` (or of every id) now. Call it, or update then flush, before
   * writing an operation's final state directly, or a trailing write could overwrite it.
   * Throws the first store error after attempting every write.
   */
  flush(id?: bigint): void;
  /** Flushes everything and cancels all timers; later update() calls throw. */
  close(): void;
}

/** The write window of one operation: opened by a write, closed by a timer intervalMs later. */
interface Window {
  openedMs: number;
  pending?: Operation;
  cancelTimer: () => void;
}

/** Creates a throttled updater over `store`. Deterministic with an injected `now` and `setTimer`. */
export function createThrottledUpdater(
  store: OpStore,
  opts: ThrottledUpdaterOptions = {},
): ThrottledUpdater {
  const {
    intervalMs = 1000,
    now = Date.now,
    setTimer = defaultSetTimer,
    onError = defaultOnError,
  } = opts;
  const windows = new Map<bigint, Window>();
  let closed = false;

  /** Writes op and, unless closed, opens a window in which further updates of it wait. */
  const writeNow = (op: Operation) => {
    store.update(op);
    if (closed) return;
    const window: Window = { openedMs: now(), cancelTimer: () => {} };
    window.cancelTimer = setTimer(() => trailingWrite(op.id, window), intervalMs);
    windows.set(op.id, window);
  };

  /** Ends a window; its pending state, if any, becomes a (trailing) write. */
  const closeWindow = (id: bigint, window: Window) => {
    if (windows.get(id) !== window) return;
    window.cancelTimer();
    windows.delete(id);
    if (window.pending !== undefined) writeNow(window.pending);
  };

  const trailingWrite = (id: bigint, window: Window) => {
    try {
      closeWindow(id, window);
    } catch (error) {
      if (window.pending) onError(error, window.pending);
    }
  };

  const flush = (id?: bigint) => {
    const errors: unknown[] = [];
    for (const key of id === undefined ? [...windows.keys()] : [id]) {
      const window = windows.get(key);
      if (window?.pending === undefined) continue;
      try {
        closeWindow(key, window);
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  };

  return {
    flush,
    update(op) {
      if (closed) throw new Error("the throttled updater is closed");
      const window = windows.get(op.id);
      // A late timer (busy event loop) must not stretch the interval.
      if (window !== undefined && now() - window.openedMs < intervalMs) {
        window.pending = op;
        return;
      }
      if (window !== undefined) {
        window.cancelTimer();
        windows.delete(op.id);
      }
      writeNow(op);
    },
    close() {
      closed = true;
      try {
        flush();
      } finally {
        for (const window of windows.values()) window.cancelTimer();
        windows.clear();
      }
    },
  };
}

const defaultSetTimer: SetTimer = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  return () => clearTimeout(timer);
};

function defaultOnError(error: unknown, op: Operation): void {
  console.error(`oplog: throttled update of operation ${op.id} failed`, error);
}
