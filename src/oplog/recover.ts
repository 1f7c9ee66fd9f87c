/**
 * Crash recovery for the operation log.
 */
import { type Operation, OperationStatus } from "../../gen/v1/operations_pb.js";
import type { OpStore } from "./types.js";

/** Statuses that only a running daemon can move forward. */
export const UNFINISHED_STATUSES: readonly OperationStatus[] = [
  OperationStatus.STATUS_PENDING,
  OperationStatus.STATUS_INPROGRESS,
];

/** True once an operation can no longer change status by itself. */
export function isFinished(op: Operation): boolean {
  return !UNFINISHED_STATUSES.includes(op.status);
}

/**
 * Marks every operation left pending or in progress (by a crash or a kill) as STATUS_ERROR with
 * `displayMessage = message` and `unixTimeEndMs = nowMs`, in one update. Call it at startup,
 * before anything is scheduled. Returns the updated operations, oldest first, so the caller can
 * release what they held (e.g. unlock their repos); returns [] when nothing was interrupted.
 */
export function recoverInterrupted(store: OpStore, message: string, nowMs: number): Operation[] {
  const interrupted = store.query({ selector: { statuses: [...UNFINISHED_STATUSES] } });
  if (interrupted.length === 0) return [];
  for (const op of interrupted) {
    op.status = OperationStatus.STATUS_ERROR;
    op.displayMessage = message;
    op.unixTimeEndMs = BigInt(Math.trunc(nowMs));
  }
  return store.update(...interrupted);
}
