/**
 * The analytics capability of an operation store: dashboard summaries, history retention and
 * the repository sizes stats runs recorded.
 * Both stores implement it (SQLite with aggregates and window functions, memory with plain JS)
 * and pass test/oplog/analytics-contract.ts, so the two agree on every rule stated here.
 */
import { type Operation, OperationStatus } from "../../gen/v1/operations_pb.js";
import type { RepoStats } from "../../gen/v1/restic_pb.js";
import type { OpSelector, OpStore } from "./types.js";

/** What summarizeActivity reads. */
export interface ActivityQuery {
  /** Start of the window (inclusive, by unixTimeStartMs) the counts, sums and averages cover. */
  sinceMs: number;
  /** Plans to summarize, one summary each in this order (duplicates dropped). */
  planIds: readonly string[];
  /** Repositories to summarize, one summary each in this order (duplicates dropped). */
  repoIds: readonly string[];
  /** Most backups in `recent` per plan or repository (default 60). */
  recentLimit?: number;
}

/** One backup of a summary's chart. */
export interface RecentBackup {
  id: bigint;
  flowId: bigint;
  startMs: bigint;
  /** restic's reported duration; for a backup without a summary, end - start (0 while it runs). */
  durationMs: bigint;
  status: OperationStatus;
  /** From restic's summary; 0 without one. */
  bytesAdded: bigint;
}

/**
 * The backups of one plan or repository. Counts, sums and averages cover backups that started
 * in the window; averages are integer means (truncated) over the backups that reported a
 * summary (a backup that failed before restic's summary does not pull them towards 0).
 */
export interface ActivitySummary {
  /** The plan or repository id. */
  id: string;
  backupsSuccess: number;
  backupsWarning: number;
  /** STATUS_ERROR. */
  backupsFailed: number;
  /** STATUS_SYSTEM_CANCELLED and STATUS_USER_CANCELLED. */
  backupsCancelled: number;
  bytesScanned: bigint;
  bytesAdded: bigint;
  bytesScannedAvg: bigint;
  bytesAddedAvg: bigint;
  durationAvgMs: bigint;
  /** Index-snapshot operations not marked forgotten, of all time (not only the window). */
  totalSnapshots: number;
  /** The newest finished backup of all time (by start time), if any. */
  last?: { startMs: bigint; endMs: bigint; status: OperationStatus };
  /** The newest `recentLimit` backups of all time in any status, oldest first. */
  recent: RecentBackup[];
}

/** What summarizeActivity returns: one summary per requested plan and repository. */
export interface ActivityReport {
  plans: ActivitySummary[];
  repos: ActivitySummary[];
}

/** What pruneHistory keeps; everything else that is finished is deleted. */
export interface PruneHistoryOptions {
  /** Finished operations kept per (planId, repoId, kind), newest by start time first. */
  keepCount: number;
  /** Operations that started less than this many days before nowMs are kept. */
  keepDays: number;
  nowMs: number;
  /**
   * Snapshots still in a repository. An operation whose snapshotId is a prefix of one of these,
   * or has one as a prefix (short and full restic ids), is kept.
   */
  liveSnapshotIds: readonly string[];
}

/** What clearHistory deletes. */
export interface ClearHistoryOptions {
  selector?: OpSelector;
  /**
   * Only operations that did not succeed: ERROR, SYSTEM_CANCELLED, USER_CANCELLED. WARNING does
   * not count: a backup with warnings still made its snapshot.
   */
  onlyFailed?: boolean;
}

/** The numbers one stats run recorded, and when. */
export interface StatsPoint {
  /** The stats operation. */
  opId: bigint;
  /** When it was measured: the operation's end time, or its start time if it has none. */
  timeMs: bigint;
  stats: RepoStats;
}

/** What statsHistory returns for one repository. */
export interface StatsHistory {
  /** The newest stats run of all time (by start time, then id), if any. */
  latest?: StatsPoint;
  /** The stats runs that started at or after `sinceMs`, oldest first (by start time, then id). */
  points: StatsPoint[];
}

/** Dashboard and retention queries, offered by both operation stores. */
export interface OpAnalytics {
  /**
   * Summaries of backups per plan and per repository (an id without backups gets zeros). The
   * report is read-only: a store may hand the same (frozen) report to later calls while the log
   * has not changed.
   */
  summarizeActivity(query: ActivityQuery): ActivityReport;
  /**
   * Deletes finished operations (not PENDING/INPROGRESS) that are beyond the newest
   * `keepCount` finished ones of their (planId, repoId, kind), AND started more than `keepDays`
   * before `nowMs`, AND are not tied to a live snapshot. All in one transaction. Returns the
   * deleted ids in ascending order and emits one "deleted" event (none when nothing was deleted).
   */
  pruneHistory(opts: PruneHistoryOptions): bigint[];
  /**
   * Deletes the finished operations matching the selector (only failed ones with
   * `onlyFailed`); PENDING and INPROGRESS operations are never deleted. An empty selector
   * matches every operation. Returns the deleted ids ascending; one "deleted" event.
   */
  clearHistory(opts: ClearHistoryOptions): bigint[];
  /** Snapshot ids of the index-snapshot operations not marked forgotten (for pruneHistory). */
  liveSnapshotIds(): string[];
  /**
   * The recorded sizes of a repository: stats operations (kind "operationStats") of `repoId`
   * that carry stats, whatever their status (a run that failed after measuring still measured).
   */
  statsHistory(repoId: string, sinceMs: number): StatsHistory;
  /** How many operations there are of each kind (payload case) and status. */
  countByKindAndStatus(): { kind: string; status: OperationStatus; count: number }[];
  /**
   * What indexing the snapshots of the repository `repoGuid` needs, read without its whole
   * history: `snapshotIds` are the full ids restic lists now.
   */
  snapshotIndexState(repoGuid: string, snapshotIds: readonly string[]): SnapshotIndexState;
}

/** The log's side of a repository's snapshot index (see OpAnalytics.snapshotIndexState). */
export interface SnapshotIndexState {
  /**
   * The index operations of the repo for any of the snapshot ids, and every one of its index
   * operations not marked forgotten; oldest first is not guaranteed.
   */
  indexed: Operation[];
  /** The repo's backups whose snapshot id is one of the ids or its short (8-character) form, by id. */
  backups: Operation[];
}

/** An operation store with analytics, as both openSqliteOpStore and createMemoryOpStore return. */
export type AnalyticsOpStore = OpStore & OpAnalytics;

/** The payload case of backups, as stored in the `kind` column. */
export const BACKUP_KIND = "operationBackup";
/** The payload case of stats runs. */
export const STATS_KIND = "operationStats";
/** The payload case of snapshot index entries. */
export const INDEX_SNAPSHOT_KIND = "operationIndexSnapshot";

/** Statuses clearHistory({ onlyFailed: true }) deletes. */
export const FAILED_STATUSES: readonly OperationStatus[] = [
  OperationStatus.STATUS_ERROR,
  OperationStatus.STATUS_SYSTEM_CANCELLED,
  OperationStatus.STATUS_USER_CANCELLED,
];

/** The default number of backups in ActivitySummary.recent. */
export const DEFAULT_RECENT_LIMIT = 60;

/** A non-negative safe integer from a caller's number (NaN and negatives become 0). */
export function nonNegativeInt(value: number | undefined, fallback: number): number {
  const n = Math.trunc(value ?? fallback);
  if (Number.isNaN(n) || n <= 0) return 0;
  return Math.min(n, Number.MAX_SAFE_INTEGER);
}

/** Ids in first-seen order without repeats. */
export function uniqueIds(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/**
 * The start time before which pruneHistory may delete. A non-finite result (NaN or infinite
 * keepDays or nowMs) keeps everything rather than guessing.
 */
export function pruneCutoffMs(opts: PruneHistoryOptions): bigint {
  const ms = opts.nowMs - Math.max(0, opts.keepDays) * 86_400_000;
  return Number.isFinite(ms) ? BigInt(Math.trunc(ms)) : -(2n ** 63n);
}

/** The stats point of a stats operation, or undefined when it recorded no stats. */
export function statsPointOf(op: Operation): StatsPoint | undefined {
  if (op.op.case !== STATS_KIND || !op.op.value.stats) return undefined;
  const timeMs = op.unixTimeEndMs > 0n ? op.unixTimeEndMs : op.unixTimeStartMs;
  return { opId: op.id, timeMs, stats: op.op.value.stats };
}

/** A summary with no backups, for an id that has none yet. */
export function emptySummary(id: string): ActivitySummary {
  return {
    id,
    backupsSuccess: 0,
    backupsWarning: 0,
    backupsFailed: 0,
    backupsCancelled: 0,
    bytesScanned: 0n,
    bytesAdded: 0n,
    bytesScannedAvg: 0n,
    bytesAddedAvg: 0n,
    durationAvgMs: 0n,
    totalSnapshots: 0,
    recent: [],
  };
}
