/**
 * Operations for the analytics tests: backups with restic's summary, and snapshot index entries.
 */
import { OperationStatus } from "../../gen/v1/operations_pb.js";
import { newOp } from "./fixtures.js";

/** A fixed "now" for analytics tests, and a day, in ms. */
export const NOW_MS = 1_700_000_000_000;
export const DAY_MS = 86_400_000;

/** ms since the epoch, `days` before NOW_MS (fractions allowed), as a bigint. */
export const daysAgo = (days: number): bigint => BigInt(Math.round(NOW_MS - days * DAY_MS));

/** What backupOp sets; a summary is attached when `added` is given. */
export interface BackupInit {
  planId?: string;
  repoId?: string;
  start: bigint;
  end?: bigint;
  status?: OperationStatus;
  snapshotId?: string;
  added?: bigint;
  processed?: bigint;
  durationS?: number;
}

/** A backup operation (not yet stored), finished successfully unless told otherwise. */
export function backupOp(init: BackupInit) {
  const summary =
    init.added === undefined
      ? undefined
      : {
          dataAdded: init.added,
          totalBytesProcessed: init.processed ?? 0n,
          totalDuration: init.durationS ?? 0,
          snapshotId: init.snapshotId ?? "",
        };
  return newOp({
    planId: init.planId ?? "p1",
    repoId: init.repoId ?? "r1",
    status: init.status ?? OperationStatus.STATUS_SUCCESS,
    unixTimeStartMs: init.start,
    unixTimeEndMs: init.end ?? 0n,
    snapshotId: init.snapshotId ?? "",
    op: {
      case: "operationBackup",
      value: summary ? { lastStatus: { entry: { case: "summary", value: summary } } } : {},
    },
  });
}

/** A snapshot index entry (not yet stored) for `snapshotId`. */
export function indexSnapshotOp(init: {
  snapshotId: string;
  forgot?: boolean;
  planId?: string;
  repoId?: string;
  start?: bigint;
}) {
  return newOp({
    planId: init.planId ?? "p1",
    repoId: init.repoId ?? "r1",
    status: OperationStatus.STATUS_SUCCESS,
    unixTimeStartMs: init.start ?? daysAgo(1),
    snapshotId: init.snapshotId,
    op: {
      case: "operationIndexSnapshot",
      value: { snapshot: { id: init.snapshotId }, forgot: init.forgot ?? false },
    },
  });
}

/** A finished operation of another kind (a forget), to check that kinds stay apart. */
export function forgetOp(init: { planId?: string; repoId?: string; start: bigint }) {
  return newOp({
    planId: init.planId ?? "p1",
    repoId: init.repoId ?? "r1",
    status: OperationStatus.STATUS_SUCCESS,
    unixTimeStartMs: init.start,
    op: { case: "operationForget", value: {} },
  });
}
