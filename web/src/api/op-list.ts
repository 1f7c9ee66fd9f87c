/**
 * A live list of operations matching a selector, newest first: loaded a page at a time
 * (`lastN` doubles with each page), kept current by the shared event stream, re-read on
 * resync. Changes are applied in one batch per animation frame, so a burst of progress
 * events costs one render.
 */
import type { Operation } from "../../../gen/v1/operations_pb";
import { backrest } from "./clients";
import { errorMessage } from "./errors";
import { type OpChange, onOpChange } from "./op-events";

/** Which operations a list holds. Empty fields match everything. */
export interface OpFilter {
  planId?: string;
  repoId?: string;
  snapshotId?: string;
  flowId?: bigint;
}

/** What a list shows at a moment. */
export interface OpListState {
  /** Newest first (by id). */
  ops: readonly Operation[];
  loading: boolean;
  error?: string;
  /** True when older operations exist beyond the loaded ones. */
  hasMore: boolean;
}

/** True when `op` belongs to the list with `filter`. */
export function matches(op: Operation, filter: OpFilter): boolean {
  return (
    (!filter.planId || op.planId === filter.planId) &&
    (!filter.repoId || op.repoId === filter.repoId) &&
    (!filter.snapshotId || op.snapshotId === filter.snapshotId) &&
    (filter.flowId === undefined || op.flowId === filter.flowId)
  );
}

/** Index in `ops` (newest first) where `id` is or would be inserted. */
function position(ops: readonly Operation[], id: bigint): number {
  let lo = 0;
  let hi = ops.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((ops[mid] as Operation).id > id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Applies upserts and deletions to a newest-first list; returns a new array. */
export function applyChange(
  ops: readonly Operation[],
  change: OpChange,
  filter: OpFilter,
): Operation[] {
  const next = ops.slice();
  if (change.type === "delete") {
    const gone = new Set(change.ids);
    return next.filter((op) => !gone.has(op.id));
  }
  if (change.type !== "upsert") return next;
  const oldest = next.at(-1)?.id;
  for (const op of change.operations) {
    const at = position(next, op.id);
    const here = next[at]?.id === op.id;
    if (!matches(op, filter)) {
      if (here) next.splice(at, 1);
      continue;
    }
    if (here) next[at] = op;
    // Older than everything loaded: it belongs to a page not loaded yet.
    else if (oldest === undefined || op.id > oldest || at < next.length) next.splice(at, 0, op);
  }
  return next;
}

/** The store behind useOpList: one per mounted list. */
export function createOpList(filter: OpFilter, pageSize: number) {
  let state: OpListState = { ops: [], loading: true, hasMore: false };
  let lastN = pageSize;
  let pending: OpChange[] = [];
  let frame = 0;
  let generation = 0;
  const listeners = new Set<() => void>();

  const set = (next: Partial<OpListState>) => {
    state = { ...state, ...next };
    for (const listener of listeners) listener();
  };

  const load = async () => {
    const mine = ++generation;
    pending = [];
    set({ loading: true });
    try {
      const res = await backrest.getOperations({
        selector: {
          planId: filter.planId,
          repoId: filter.repoId,
          snapshotId: filter.snapshotId,
          flowId: filter.flowId,
        },
        lastN: BigInt(lastN),
      });
      if (mine !== generation) return;
      let ops = res.operations.slice().reverse();
      // Events that arrived while the page loaded are newer than what it returned.
      for (const change of pending.splice(0)) ops = applyChange(ops, change, filter);
      set({ ops, loading: false, error: undefined, hasMore: res.operations.length >= lastN });
    } catch (err) {
      if (mine === generation) set({ loading: false, error: errorMessage(err) });
    }
  };

  const flush = () => {
    frame = 0;
    let ops = state.ops;
    for (const change of pending.splice(0)) ops = applyChange(ops, change, filter);
    set({ ops });
  };

  const onChange = (change: OpChange) => {
    if (change.type === "resync") {
      void load();
      return;
    }
    pending.push(change);
    if (state.loading) return;
    if (!frame) frame = requestAnimationFrame(flush);
  };

  return {
    get: () => state,
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Starts loading and following; returns the function that stops both. */
    start() {
      const off = onOpChange(onChange);
      void load();
      return () => {
        off();
        generation++;
        if (frame) cancelAnimationFrame(frame);
      };
    },
    /** Loads the next (older) page. */
    loadMore() {
      if (state.loading || !state.hasMore) return;
      lastN *= 2;
      void load();
    },
    reload: load,
  };
}
