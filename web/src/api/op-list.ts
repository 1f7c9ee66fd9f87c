/**
 * A live list of operations matching a selector, newest first. The newest page loads first;
 * each older page is asked for with a cursor (`before_id` = the oldest id loaded), so a page
 * costs the same however deep it is, and operations created in between shift nothing. The
 * shared event stream keeps the loaded operations current and adds new ones on top; a resync
 * re-reads as many as are loaded. Changes are applied in one batch per animation frame, so a
 * burst of progress events costs one render.
 *
 * The list always holds every matching operation from its oldest loaded id up: pages are
 * contiguous, events about newer operations are applied, events about older ones are left to
 * the page that will load them.
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

/**
 * Applies upserts and deletions to a newest-first list; returns a new array. Applying a change
 * twice, or an upsert older (by modno) than the stored copy, changes nothing: a page that
 * arrives after events about it can have them applied again.
 */
export function applyChanges(
  ops: readonly Operation[],
  changes: readonly OpChange[],
  filter: OpFilter,
): Operation[] {
  let next = ops.slice();
  for (const change of changes) {
    if (change.type === "delete") {
      const gone = new Set(change.ids);
      next = next.filter((op) => !gone.has(op.id));
    } else if (change.type === "upsert") {
      for (const op of change.operations) upsert(next, op, filter);
    }
  }
  return next;
}

/** Puts `op` into `ops` (newest first) in place, or takes it out when it no longer matches. */
function upsert(ops: Operation[], op: Operation, filter: OpFilter): void {
  const at = position(ops, op.id);
  const stored = ops[at]?.id === op.id ? ops[at] : undefined;
  if (!matches(op, filter)) {
    if (stored) ops.splice(at, 1);
    return;
  }
  if (stored) {
    if (stored.modno <= op.modno) ops[at] = op;
    return;
  }
  // Older than everything loaded: it belongs to a page not loaded yet.
  const oldest = ops.at(-1)?.id;
  if (oldest === undefined || op.id > oldest) ops.splice(at, 0, op);
}

/**
 * `ops` (newest first) followed by the operations of an older page (newest first), leaving out
 * any that are not older than the oldest loaded one (a page never repeats a loaded operation).
 */
export function appendPage(ops: readonly Operation[], page: readonly Operation[]): Operation[] {
  const oldest = ops.at(-1)?.id;
  return ops.concat(oldest === undefined ? page : page.filter((op) => op.id < oldest));
}

/** How long after a failed page the list waits before it asks for one again. */
const PAGE_RETRY_MS = 2000;

/** The store behind useOpList: one per mounted list. */
export function createOpList(filter: OpFilter, pageSize: number) {
  let state: OpListState = { ops: [], loading: true, hasMore: false };
  /** Changes waiting for the next animation frame. */
  let queued: OpChange[] = [];
  /** While the whole list is re-read: the changes to apply to what the read returns. */
  let held: OpChange[] | undefined;
  /** While an older page loads: the changes to apply again once it is appended. */
  let paging: OpChange[] | undefined;
  let frame = 0;
  let generation = 0;
  /** When loading an older page last failed (performance.now()). */
  let pageFailedAt = Number.NEGATIVE_INFINITY;
  const listeners = new Set<() => void>();

  const set = (next: Partial<OpListState>) => {
    state = { ...state, ...next };
    for (const listener of listeners) listener();
  };

  const getOperations = (lastN: number, beforeId?: bigint) =>
    backrest.getOperations({
      selector: {
        planId: filter.planId,
        repoId: filter.repoId,
        snapshotId: filter.snapshotId,
        flowId: filter.flowId,
        beforeId,
      },
      lastN: BigInt(lastN),
    });

  /** Reads the newest operations again, as many as are loaded (at least a page). */
  const reload = async () => {
    const mine = ++generation;
    held = [];
    paging = undefined;
    // What is queued happened before the read: the read has it.
    queued = [];
    const lastN = Math.max(pageSize, state.ops.length);
    set({ loading: true });
    try {
      const res = await getOperations(lastN);
      if (mine !== generation) return;
      // Events that arrived while the read ran may be newer than what it returned.
      const ops = applyChanges(res.operations.slice().reverse(), held, filter);
      held = undefined;
      set({ ops, loading: false, error: undefined, hasMore: res.operations.length >= lastN });
    } catch (err) {
      if (mine !== generation) return;
      const ops = applyChanges(state.ops, held ?? [], filter);
      held = undefined;
      set({ ops, loading: false, error: errorMessage(err) });
    }
  };

  /** Appends the page of operations older than the oldest loaded one. */
  const loadOlder = async () => {
    const oldest = state.ops.at(-1)?.id;
    if (state.loading || !state.hasMore) return;
    // The list asks again whenever it is near its end: after a failure, only once the user
    // scrolls again a little later, never in a loop against a daemon that keeps failing.
    if (performance.now() - pageFailedAt < PAGE_RETRY_MS) return;
    // Every loaded operation was deleted: no cursor left, start from the newest again.
    if (oldest === undefined) return reload();
    const mine = generation;
    paging = [];
    set({ loading: true });
    try {
      const res = await getOperations(pageSize, oldest);
      if (mine !== generation) return;
      const appended = appendPage(state.ops, res.operations.slice().reverse());
      // A page that adds nothing ends the paging, whatever its size (a daemon ignoring the
      // cursor would otherwise repeat its newest page forever).
      const hasMore = res.operations.length >= pageSize && appended.length > state.ops.length;
      const ops = applyChanges(appended, paging, filter);
      paging = undefined;
      set({ ops, loading: false, error: undefined, hasMore });
    } catch (err) {
      if (mine !== generation) return;
      paging = undefined;
      pageFailedAt = performance.now();
      set({ loading: false, error: errorMessage(err) });
    }
  };

  const flush = () => {
    frame = 0;
    const changes = queued;
    queued = [];
    if (changes.length === 0) return;
    const ops = applyChanges(state.ops, changes, filter);
    // Deletions (a cleared history) emptied the list while older operations may be left.
    if (ops.length === 0 && state.hasMore) void reload();
    else set({ ops });
  };

  const onChange = (change: OpChange) => {
    if (change.type === "resync") {
      void reload();
      return;
    }
    if (held) {
      held.push(change);
      return;
    }
    paging?.push(change);
    queued.push(change);
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
      void reload();
      return () => {
        off();
        generation++;
        if (frame) cancelAnimationFrame(frame);
        frame = 0;
      };
    },
    /** Loads the next (older) page. */
    loadMore() {
      void loadOlder();
    },
    reload,
  };
}
