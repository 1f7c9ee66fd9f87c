/**
 * Writes answers finished in the same event-loop turn together, after the turn's I/O.
 *
 * Each answer written to a socket is one system call, and on loopback that call also wakes the
 * process waiting on the other end. A client with many connections open (a load generator, a
 * browser, a script fanning requests out) that is idle waiting for answers is woken once per
 * answer when each is written as soon as it is ready, between the handling of the next
 * requests: under load that wake-up cost the daemon more than a third of its CPU per small
 * answer (BENCHMARKS.md, API throughput). Writing the answers of one turn back to back, in the
 * check phase right after the turn's I/O callbacks, lets the first write wake the client and
 * the rest find it awake. An answer waits at most for the rest of its turn's callbacks.
 */

/** Writes one answer; may throw (the caller's `onError` then runs for that answer only). */
export type AnswerWrite = () => void;

export interface AnswerWrites {
  /** Queues `write` for the end of this turn; writes run in the order they were queued. */
  push(write: AnswerWrite, onError: (error: unknown) => void): void;
}

/**
 * Creates a queue of answer writes flushed by `schedule` (default setImmediate: after the
 * current turn's I/O callbacks). A write that throws does not stop the others.
 */
export function createAnswerWrites(
  schedule: (flush: () => void) => void = setImmediate,
): AnswerWrites {
  let queued: { write: AnswerWrite; onError: (error: unknown) => void }[] = [];
  const flush = () => {
    const batch = queued;
    queued = [];
    for (const { write, onError } of batch) {
      try {
        write();
      } catch (error) {
        onError(error);
      }
    }
  };
  return {
    push(write, onError) {
      if (queued.push({ write, onError }) === 1) schedule(flush);
    },
  };
}
