/**
 * Runs tasks one at a time per key and in parallel across keys: operations on one
 * repository are serialized, different repositories proceed independently.
 */
export interface SerialQueues {
  /** Runs `task` after every task queued earlier under `key` has settled. */
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** Resolves when every queued task has settled. */
  idle(): Promise<void>;
}

export function createSerialQueues(): SerialQueues {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run(key, task) {
      const prev = tails.get(key) ?? Promise.resolve();
      const result = prev.then(task, task);
      const tail = result.catch(() => {});
      tails.set(key, tail);
      // Forget the key once its queue drains, so keys of removed repos do not accumulate.
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
    async idle() {
      while (tails.size > 0) await Promise.all(tails.values());
    },
  };
}
