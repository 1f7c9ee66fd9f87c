/**
 * The dashboard's window totals: the aggregate statement of dashboard.ts answers one row per
 * (id, status) from backup_days's whole days and one from the window's first, partial day;
 * these fold them into one summary's counts, sums and means.
 */
import { OperationStatus } from "../../gen/v1/operations_pb.js";
import type { ActivitySummary } from "./analytics.js";

const S = OperationStatus;

/** A row of the aggregate statement: one (id, status) of backup_days or of the first day. */
export type WindowRow = [
  id: string,
  status: bigint,
  backups: bigint,
  processedN: bigint,
  processed: bigint,
  addedN: bigint,
  added: bigint,
  durationN: bigint,
  duration: bigint,
];

/** One id's backups in the window: counts by outcome, sums, and how many reported each sum. */
export interface WindowTotals {
  success: bigint;
  warning: bigint;
  failed: bigint;
  cancelled: bigint;
  processedN: bigint;
  processed: bigint;
  addedN: bigint;
  added: bigint;
  durationN: bigint;
  duration: bigint;
}

/** Which count a status adds to; other statuses (pending, running) count in none. */
const OUTCOME: ReadonlyMap<number, "success" | "warning" | "failed" | "cancelled"> = new Map([
  [S.STATUS_SUCCESS, "success"],
  [S.STATUS_WARNING, "warning"],
  [S.STATUS_ERROR, "failed"],
  [S.STATUS_SYSTEM_CANCELLED, "cancelled"],
  [S.STATUS_USER_CANCELLED, "cancelled"],
]);

function emptyTotals(): WindowTotals {
  const zero = 0n;
  return {
    success: zero,
    warning: zero,
    failed: zero,
    cancelled: zero,
    processedN: zero,
    processed: zero,
    addedN: zero,
    added: zero,
    durationN: zero,
    duration: zero,
  };
}

/** Folds the aggregate rows (whole days and the first day, per status) into totals per id. */
export function windowTotals(rows: WindowRow[]): Map<string, WindowTotals> {
  const totals = new Map<string, WindowTotals>();
  for (const [
    id,
    status,
    backups,
    processedN,
    processed,
    addedN,
    added,
    durationN,
    duration,
  ] of rows) {
    const t = totals.get(id) ?? emptyTotals();
    totals.set(id, t);
    const outcome = OUTCOME.get(Number(status));
    if (outcome !== undefined) t[outcome] += backups;
    t.processedN += processedN;
    t.processed += processed;
    t.addedN += addedN;
    t.added += added;
    t.durationN += durationN;
    t.duration += duration;
  }
  return totals;
}

/** The summary fields of window totals; means are truncated, over backups with a summary. */
export function windowFields(t: WindowTotals): Partial<ActivitySummary> {
  const mean = (sum: bigint, n: bigint) => (n > 0n ? sum / n : 0n);
  return {
    backupsSuccess: Number(t.success),
    backupsWarning: Number(t.warning),
    backupsFailed: Number(t.failed),
    backupsCancelled: Number(t.cancelled),
    bytesScanned: t.processed,
    bytesAdded: t.added,
    bytesScannedAvg: mean(t.processed, t.processedN),
    bytesAddedAvg: mean(t.added, t.addedN),
    durationAvgMs: mean(t.duration, t.durationN),
  };
}
