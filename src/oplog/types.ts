/**
 * The operation store contract. Every implementation (SQLite, and in-memory fakes for
 * orchestrator unit tests) must pass test/oplog/op-store-contract.ts.
 */
import type { Operation, OperationStatus } from "../../gen/v1/operations_pb.js";

/**
 * Picks operations; unset fields match everything. Mirrors the API's OpSelector, including
 * proto3's notion of unset: an empty string, an empty list and a zero flowId/modnoGte count as
 * unset, so a selector copied field by field from an API request means what the client meant.
 * Set fields are combined with AND.
 *
 * Related helper: `recoverInterrupted` (src/oplog/recover.ts) marks operations left pending or
 * in progress by a crash as errors; it works on any OpStore.
 */
export interface OpSelector {
  ids?: bigint[];
  repoId?: string;
  repoGuid?: string;
  planId?: string;
  snapshotId?: string;
  flowId?: bigint;
  instanceId?: string;
  modnoGte?: bigint;
  /**
   * Only operations with an id below this one: the cursor of the next (older) page of a lastN
   * query, i.e. the oldest id already loaded. Unlike the fields above it has no "unset" value
   * besides undefined: 0 or a negative id matches nothing (the API refuses them).
   */
  beforeId?: bigint;
  /** Operations in any of these statuses (internal use, e.g. crash recovery; not in the API). */
  statuses?: OperationStatus[];
}

export interface OpQuery {
  selector?: OpSelector;
  /** Only the newest n matches (still returned oldest first). 0 or unset: all. */
  lastN?: number;
}

/** A change of the log, delivered to subscribers after it is committed. */
export type OpEvent =
  | { type: "created"; operations: Operation[] }
  | { type: "updated"; operations: Operation[] }
  | { type: "deleted"; ids: bigint[] };

export interface OpStore {
  /**
   * Stores new operations. Assigns id (increasing) when 0, flowId = id when 0, and modno. Returns the stored copies.
   * The arguments are not modified (the returned copies may share nested payload objects
   * with them). A nonzero id that is already stored throws ConflictError.
   */
  add(...ops: Operation[]): Operation[];
  /**
   * Replaces stored operations (matched by id) and bumps their modno. Throws NotFoundError for an unknown id.
   * All or nothing: when one id is unknown, none of the operations is written. Returns the stored copies.
   */
  update(...ops: Operation[]): Operation[];
  get(id: bigint): Operation | undefined;
  /** Matching operations, oldest (lowest id) first. Uses indexes, never a full scan for a selective field. */
  query(q?: OpQuery): Operation[];
  /**
   * What query returns, as frozen instances shared with other readers of the same versions:
   * for reading only (answers to clients). Cheaper than query when the same operations are
   * read again (the SQLite store keeps decoded versions by modno, and answers a query it was
   * just asked again with the same frozen array while the log has not changed).
   */
  queryShared(q?: OpQuery): readonly Readonly<Operation>[];
  /** Deletes operations by id; returns the ids that existed. */
  delete(ids: bigint[]): bigint[];
  /**
   * Listener is called synchronously after each committed change. Returns an unsubscribe function.
   * Operations in an event are shared by all listeners and must be treated as read-only; they
   * are never the objects returned to the writer. A listener that throws does not affect the
   * write or other listeners.
   */
  subscribe(listener: (event: OpEvent) => void): () => void;
  /** Proves the store can still write (a no-op write); throws otherwise. For health checks. */
  checkWritable(): void;
  close(): void;
}
