/**
 * An in-memory OpStore: a fake at our own seam for orchestrator unit tests. It passes the same
 * contract suite as the SQLite store but keeps nothing across restarts and scans on every query.
 */
import type { Operation } from "../../gen/v1/operations_pb.js";
import { ConflictError, NotFoundError } from "../errors.js";
import { createListeners, type ListenerErrorHandler } from "./listeners.js";
import { type EffectiveSelector, effectiveSelector, STRING_FIELDS } from "./selector.js";
import { copyOperations, stampOperation } from "./stamp.js";
import type { OpStore } from "./types.js";

/** Options of createMemoryOpStore. */
export interface MemoryOpStoreOptions {
  /** Receives errors thrown by subscribers (default: console.error). */
  onListenerError?: ListenerErrorHandler;
}

/** Creates an empty in-memory operation store with the same id and modno rules as SQLite. */
export function createMemoryOpStore(opts: MemoryOpStoreOptions = {}): OpStore {
  const ops = new Map<bigint, Operation>();
  const listeners = createListeners(opts.onListenerError);
  let lastId = 0n;
  let lastModno = 0n;
  let closed = false;
  const open = () => {
    if (closed) throw new Error("the operation store is closed");
  };

  return {
    add(...input) {
      open();
      assertNewIds(input, ops);
      const stored = input.map((op) => {
        const id = op.id === 0n ? lastId + 1n : op.id;
        if (id > lastId) lastId = id;
        return stampOperation(op, id, ++lastModno);
      });
      return commit(stored, "created");
    },
    update(...input) {
      open();
      const unknown = input.find((op) => !ops.has(op.id));
      if (unknown) throw new NotFoundError("operation", String(unknown.id));
      const stored = input.map((op) => stampOperation(op, op.id, ++lastModno));
      return commit(stored, "updated");
    },
    get(id) {
      open();
      const op = ops.get(id);
      return op === undefined ? undefined : copyOperations([op])[0];
    },
    query(q = {}) {
      open();
      const selector = effectiveSelector(q.selector);
      const matches = [...ops.values()].filter((op) => matchesSelector(op, selector));
      matches.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const lastN = Math.max(0, Math.trunc(q.lastN ?? 0));
      return copyOperations(lastN > 0 ? matches.slice(-lastN) : matches);
    },
    delete(ids) {
      open();
      const deleted = [...new Set(ids)].filter((id) => ops.delete(id));
      if (deleted.length > 0) listeners.emit({ type: "deleted", ids: deleted });
      return deleted;
    },
    subscribe: (listener) => listeners.subscribe(listener),
    close() {
      closed = true;
      listeners.clear();
    },
  };

  function commit(stored: Operation[], type: "created" | "updated"): Operation[] {
    if (stored.length === 0) return [];
    for (const op of stored) ops.set(op.id, op);
    listeners.emit({ type, operations: copyOperations(stored) });
    return copyOperations(stored);
  }
}

/** Throws ConflictError when a given (nonzero) id is stored or repeated, as SQLite's primary key would. */
function assertNewIds(input: readonly Operation[], stored: ReadonlyMap<bigint, Operation>): void {
  const seen = new Set<bigint>();
  for (const op of input) {
    if (op.id === 0n) continue;
    if (stored.has(op.id) || seen.has(op.id)) {
      throw new ConflictError(`operation "${op.id}" already exists`);
    }
    seen.add(op.id);
  }
}

/** Whether an operation matches every set field of a selector. */
export function matchesSelector(op: Operation, selector: EffectiveSelector): boolean {
  if (selector.ids && !selector.ids.includes(op.id)) return false;
  for (const field of STRING_FIELDS) {
    const value = selector[field];
    if (value !== undefined && op[field] !== value) return false;
  }
  if (selector.flowId !== undefined && op.flowId !== selector.flowId) return false;
  if (selector.modnoGte !== undefined && op.modno < selector.modnoGte) return false;
  if (selector.statuses && !selector.statuses.includes(op.status)) return false;
  return true;
}
