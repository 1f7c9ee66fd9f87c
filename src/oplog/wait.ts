/** Waiting for an operation to finish, through the store's change events (no polling). */
import type { Operation } from "../../gen/v1/operations_pb.js";
import { NotFoundError } from "../errors.js";
import { isFinished } from "./recover.js";
import type { OpStore } from "./types.js";

/**
 * Resolves with the operation once it has finished, or as it is when `timeoutMs` passes or
 * `signal` aborts. Rejects with NotFoundError for an unknown (or deleted) operation.
 */
export function waitForOperation(
  store: OpStore,
  id: bigint,
  opts: { timeoutMs: number; signal?: AbortSignal },
): Promise<Operation> {
  const current = store.get(id);
  if (!current) return Promise.reject(new NotFoundError("operation", String(id)));
  if (isFinished(current) || opts.signal?.aborted) return Promise.resolve(current);
  return new Promise((resolve, reject) => {
    let last = current;
    const finish = (settle: () => void) => {
      unsubscribe();
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      settle();
    };
    const onAbort = () => finish(() => resolve(last));
    const timer = setTimeout(onAbort, opts.timeoutMs);
    opts.signal?.addEventListener("abort", onAbort);
    const unsubscribe = store.subscribe((event) => {
      if (event.type === "deleted") {
        if (event.ids.includes(id))
          finish(() => reject(new NotFoundError("operation", String(id))));
        return;
      }
      const op = event.operations.find((o) => o.id === id);
      if (!op) return;
      last = op;
      if (isFinished(op)) finish(() => resolve(op));
    });
  });
}
