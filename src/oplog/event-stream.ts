/**
 * Operation events as an async stream with a bounded queue, for the API's event stream.
 */
import type { OpEvent, OpStore } from "./types.js";

/** Sent when nothing happened for a while, so proxies and clients keep the stream open. */
export interface KeepAlive {
  type: "keep-alive";
}

/** One item of an operation event stream. */
export type OpStreamItem = OpEvent | KeepAlive;

/**
 * The consumer fell too far behind the operation log and was dropped; it should reconnect and
 * resync (query again, e.g. with modnoGte).
 */
export class SlowConsumerError extends Error {
  override name = "SlowConsumerError";
  constructor(readonly maxQueued: number) {
    super(
      `operation event stream dropped: more than ${maxQueued} events were waiting for the client; reconnect to resync`,
    );
  }
}

/** Options of streamOpEvents. */
export interface OpEventStreamOptions {
  /** Ends the stream (normally, without an error) when aborted. */
  signal: AbortSignal;
  /** Most events waiting for the consumer before it is dropped (default 1000). */
  maxQueued?: number;
  /** Idle time after which a keep-alive is yielded, in ms (default 15000). */
  keepAliveMs?: number;
}

/**
 * Yields the store's events in commit order, and a keep-alive after every `keepAliveMs` without
 * one. Subscribes when iteration starts (the first next()), so events committed before then
 * are not seen. Returns when `signal` aborts (queued events are dropped). When more than
 * `maxQueued` events wait for the consumer, it unsubscribes, frees the queue and throws
 * SlowConsumerError. It always unsubscribes when it ends, however it ends.
 */
export async function* streamOpEvents(
  store: OpStore,
  opts: OpEventStreamOptions,
): AsyncGenerator<OpStreamItem, void, undefined> {
  const { signal, maxQueued = 1000, keepAliveMs = 15_000 } = opts;
  if (signal.aborted) return;
  let queue: OpEvent[] = [];
  let overflowed = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const unsubscribe = store.subscribe((event) => {
    if (overflowed) return;
    queue.push(event);
    if (queue.length > maxQueued) {
      overflowed = true;
      queue = [];
      unsubscribe();
    }
    notify();
  });
  // Unsubscribe at once on abort, even if the consumer never calls next() again.
  const onAbort = () => {
    unsubscribe();
    queue = [];
    notify();
  };
  signal.addEventListener("abort", onAbort);
  try {
    while (!signal.aborted) {
      if (overflowed) throw new SlowConsumerError(maxQueued);
      const event = queue.shift();
      if (event !== undefined) {
        yield event;
        continue;
      }
      const woken = await sleepUntilWoken(keepAliveMs, (resolve) => {
        wake = resolve;
      });
      if (!woken && !signal.aborted) yield { type: "keep-alive" };
    }
  } finally {
    unsubscribe();
    signal.removeEventListener("abort", onAbort);
  }
}

/** Resolves true when the registered waker is called, false when `ms` pass first. */
function sleepUntilWoken(ms: number, register: (wake: () => void) => void): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    register(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
