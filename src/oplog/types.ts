/**
 * The operation store contract. Every implementation (SQLite, and in-memory fakes for
 * orchestrator unit tests) must pass test/oplog/op-store-contract.ts.
 */
import type { Operation } from "../../gen/v1/operations_pb.js";

/** Picks operations; unset fields match everything. Mirrors the API's OpSelector. */
export interface OpSelector {
  ids?: bigint[];
  repoId?: string;
  repoGuid?: string;
  planId?: string;
  snapshotId?: string;
  flowId?: bigint;
  instanceId?: string;
  modnoGte?: bigint;
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
  /** Stores new operations. Assigns id (increasing) when 0, flowId = id when 0, and modno. Returns the stored copies. */
  add(...ops: Operation[]): Operation[];
  /** Replaces stored operations (matched by id) and bumps their modno. Throws NotFoundError for an unknown id. */
  update(...ops: Operation[]): Operation[];
  get(id: bigint): Operation | undefined;
  /** Matching operations, oldest (lowest id) first. Uses indexes, never a full scan for a selective field. */
  query(q?: OpQuery): Operation[];
  /** Deletes operations by id; returns the ids that existed. */
  delete(ids: bigint[]): bigint[];
  /** Listener is called synchronously after each committed change. Returns an unsubscribe function. */
  subscribe(listener: (event: OpEvent) => void): () => void;
  close(): void;
}
