/**
 * Followers of a live log: each gets a bounded queue of the chunks written after it joined.
 */

/** The follower fell too far behind a live log and was dropped; it should follow again. */
export class SlowFollowerError extends Error {
  override name = "SlowFollowerError";
  constructor(readonly maxQueuedBytes: number) {
    super(
      `log follower dropped: more than ${maxQueuedBytes} bytes were waiting for it; follow the log again`,
    );
  }
}

/** What a live log calls on each of its followers. */
export interface Follower {
  /** A chunk just written. */
  push(chunk: Buffer): void;
  /** The log ended (or was deleted, or its store closed). */
  end(): void;
}

/** A follower's side: its queued chunks as an async stream. */
export interface Subscription {
  /** Leaves the log's followers (idempotent). */
  close(): void;
  /**
   * Yields queued and later chunks until the log ends (returns) or `signal` aborts (returns).
   * Throws SlowFollowerError once more than the queue bound was waiting.
   */
  chunks(signal: AbortSignal): AsyncGenerator<Buffer>;
}

/**
 * Joins `followers` with a queue of at most `maxQueuedBytes`; beyond it, the follower leaves
 * the set, frees its queue and its stream throws SlowFollowerError.
 */
export function subscribe(followers: Set<Follower>, maxQueuedBytes: number): Subscription {
  let queue: Buffer[] = [];
  let queuedBytes = 0;
  let ended = false;
  let overflowed = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const follower: Follower = {
    push(chunk) {
      if (ended || overflowed) return;
      queue.push(chunk);
      queuedBytes += chunk.length;
      if (queuedBytes > maxQueuedBytes) {
        overflowed = true;
        queue = [];
        followers.delete(follower);
      }
      notify();
    },
    end() {
      ended = true;
      notify();
    },
  };
  async function* chunks(signal: AbortSignal): AsyncGenerator<Buffer> {
    while (!signal.aborted) {
      if (overflowed) throw new SlowFollowerError(maxQueuedBytes);
      const chunk = queue.shift();
      if (chunk !== undefined) {
        queuedBytes -= chunk.length;
        yield chunk;
      } else if (ended) {
        return;
      } else {
        await wakeOrAbort(signal, (resolve) => {
          wake = resolve;
        });
      }
    }
  }
  followers.add(follower);
  return { chunks, close: () => followers.delete(follower) };
}

/** Resolves when the registered waker is called or `signal` aborts. */
function wakeOrAbort(signal: AbortSignal, register: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      signal.removeEventListener("abort", done);
      resolve();
    };
    signal.addEventListener("abort", done);
    register(done);
  });
}
