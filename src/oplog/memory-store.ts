/**
 * An in-memory OpStore: a fake at our own seam for orchestrator unit tests. It passes the same
 * contract suite as the SQLite store but keeps nothing across restarts and scans on every query.
 */

import type { Operation, OperationStatus } from "../../gen/v1/operations_pb.js";
import { deepFreeze } from "../deep-freeze.js";
import { ConflictError, NotFoundError } from "../errors.js";
import type { AnalyticsOpStore } from "./analytics.js";
import { createListeners, type ListenerErrorHandler } from "./listeners.js";
import {
  selectClearable,
  selectPrunable,
  statsHistoryOf,
  summarizeOps,
} from "./memory-analytics.js";
import { effectiveSelector, matchesSelector } from "./selector.js";
import { copyOperations, stampOperation } from "./stamp.js";
import type { OpQuery } from "./types.js";

/** Re-exported for callers that imported it from here before it moved to selector.ts. */
export { matchesSelector } from "./selector.js";

/** Options of createMemoryOpStore. */
export interface MemoryOpStoreOptions {
  /** Receives errors thrown by subscribers (default: console.error). */
  onListenerError?: ListenerErrorHandler;
}

/**
 * Creates an empty in-memory operation store with the same id and modno rules as SQLite, and
 * the same analytics (computed by scanning).
 */
export function createMemoryOpStore(opts: MemoryOpStoreOptions = {}): AnalyticsOpStore {
  const ops = new Map<bigint, Operation>();
  const listeners = createListeners(opts.onListenerError);
  let lastId = 0n;
  let lastModno = 0n;
  let closed = false;
  const open = () => {
    if (closed) throw new Error("the operation store is closed");
  };

  const query = (q: OpQuery) => {
    open();
    const selector = effectiveSelector(q.selector);
    const matches = [...ops.values()].filter((op) => matchesSelector(op, selector));
    matches.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const lastN = Math.max(0, Math.trunc(q.lastN ?? 0));
    return copyOperations(lastN > 0 ? matches.slice(-lastN) : matches);
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
    query: (q = {}) => query(q),
    // Copies, frozen: nothing is shared here, but readers get what the SQLite store gives.
    queryShared: (q = {}) => deepFreeze(query(q)),
    delete(ids) {
      open();
      return remove(ids);
    },
    summarizeActivity(query) {
      open();
      return summarizeOps([...ops.values()], query);
    },
    pruneHistory(options) {
      open();
      return remove(selectPrunable([...ops.values()], options));
    },
    clearHistory(options) {
      open();
      return remove(selectClearable([...ops.values()], options));
    },
    liveSnapshotIds() {
      open();
      return [...ops.values()]
        .filter((op) => op.op.case === "operationIndexSnapshot" && !op.op.value.forgot)
        .map((op) => op.snapshotId);
    },
    snapshotIndexState(repoGuid, snapshotIds) {
      open();
      const wanted = new Set(snapshotIds);
      const backupIds = new Set([...snapshotIds, ...snapshotIds.map((id) => id.slice(0, 8))]);
      const ofRepo = [...ops.values()].filter((op) => op.repoGuid === repoGuid);
      return {
        indexed: copyOperations(
          ofRepo.filter(
            (op) =>
              op.op.case === "operationIndexSnapshot" &&
              (wanted.has(op.snapshotId) || !op.op.value.forgot),
          ),
        ),
        backups: copyOperations(
          ofRepo.filter((op) => op.op.case === "operationBackup" && backupIds.has(op.snapshotId)),
        ),
      };
    },
    statsHistory(repoId, sinceMs) {
      open();
      return statsHistoryOf([...ops.values()], repoId, sinceMs);
    },
    subscribe: (listener) => listeners.subscribe(listener),
    countByKindAndStatus() {
      open();
      const counts = new Map<string, { kind: string; status: OperationStatus; count: number }>();
      for (const op of ops.values()) {
        const kind = op.op.case ?? "";
        const entry = counts.get(`${kind}/${op.status}`) ?? { kind, status: op.status, count: 0 };
        entry.count += 1;
        counts.set(`${kind}/${op.status}`, entry);
      }
      return [...counts.values()];
    },
    checkWritable() {
      open();
    },
    close() {
      closed = true;
      listeners.clear();
    },
  };

  function remove(ids: readonly bigint[]): bigint[] {
    const deleted = [...new Set(ids)].filter((id) => ops.delete(id));
    if (deleted.length > 0) listeners.emit({ type: "deleted", ids: [...deleted] });
    return deleted;
  }

  function commit(stored: Operation[], type: "created" | "updated"): Operation[] {
    if (stored.length === 0) return [];
    for (const op of stored) ops.set(op.id, op);
    if (listeners.size > 0) listeners.emit({ type, operations: copyOperations(stored) });
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
