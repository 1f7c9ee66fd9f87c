/**
 * OpAnalytics by scanning a list of operations: the memory store's version of dashboard.ts,
 * sqlite-history.ts and sqlite-stats.ts, with the same rules, derived from the same op-columns.ts.
 */
import { clone } from "@bufbuild/protobuf";
import { type Operation, OperationStatus } from "../../gen/v1/operations_pb.js";
import { RepoStatsSchema } from "../../gen/v1/restic_pb.js";
import {
  type ActivityQuery,
  type ActivityReport,
  type ActivitySummary,
  BACKUP_KIND,
  type ClearHistoryOptions,
  DEFAULT_RECENT_LIMIT,
  emptySummary,
  FAILED_STATUSES,
  INDEX_SNAPSHOT_KIND,
  nonNegativeInt,
  type PruneHistoryOptions,
  pruneCutoffMs,
  STATS_KIND,
  type StatsHistory,
  type StatsPoint,
  statsPointOf,
  uniqueIds,
} from "./analytics.js";
import { chartDurationMs, type OpColumns, opColumns } from "./op-columns.js";
import { isFinished } from "./recover.js";
import { effectiveSelector, matchesSelector } from "./selector.js";
import { createSnapshotMatcher } from "./snapshot-match.js";

interface Row {
  op: Operation;
  columns: OpColumns;
}

/** Newest first: by start time, then by id. */
const newestFirst = (a: Row, b: Row): number =>
  compare(b.op.unixTimeStartMs, a.op.unixTimeStartMs) || compare(b.op.id, a.op.id);

const compare = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

/** OpAnalytics.summarizeActivity over `ops`. */
export function summarizeOps(ops: readonly Operation[], query: ActivityQuery): ActivityReport {
  const rows = ops.map((op) => ({ op, columns: opColumns(op) }));
  const sinceMs = BigInt(Math.trunc(query.sinceMs));
  const limit = nonNegativeInt(query.recentLimit, DEFAULT_RECENT_LIMIT);
  const summarize = (field: "planId" | "repoId", ids: readonly string[]) =>
    uniqueIds(ids).map((id) =>
      summarizeRows(
        id,
        rows.filter((row) => row.op[field] === id),
        sinceMs,
        limit,
      ),
    );
  return { plans: summarize("planId", query.planIds), repos: summarize("repoId", query.repoIds) };
}

/** The summary of one plan's or repository's operations. */
function summarizeRows(id: string, rows: Row[], sinceMs: bigint, limit: number): ActivitySummary {
  const summary = emptySummary(id);
  const backups = rows.filter((row) => row.columns.kind === BACKUP_KIND).sort(newestFirst);
  const inWindow = backups.filter((row) => row.op.unixTimeStartMs >= sinceMs);
  const count = (...statuses: OperationStatus[]) =>
    inWindow.filter((row) => statuses.includes(row.op.status)).length;
  summary.backupsSuccess = count(OperationStatus.STATUS_SUCCESS);
  summary.backupsWarning = count(OperationStatus.STATUS_WARNING);
  summary.backupsFailed = count(OperationStatus.STATUS_ERROR);
  summary.backupsCancelled = count(
    OperationStatus.STATUS_SYSTEM_CANCELLED,
    OperationStatus.STATUS_USER_CANCELLED,
  );
  const scanned = sumAndMean(inWindow.map((row) => row.columns.bytesProcessed));
  const added = sumAndMean(inWindow.map((row) => row.columns.bytesAdded));
  summary.bytesScanned = scanned.sum;
  summary.bytesScannedAvg = scanned.mean;
  summary.bytesAdded = added.sum;
  summary.bytesAddedAvg = added.mean;
  summary.durationAvgMs = sumAndMean(inWindow.map((row) => row.columns.durationMs)).mean;
  summary.totalSnapshots = rows.filter(
    (row) => row.columns.kind === INDEX_SNAPSHOT_KIND && row.columns.snapshotLive === 1,
  ).length;
  const last = backups.find((row) => isFinished(row.op))?.op;
  if (last !== undefined) {
    summary.last = {
      startMs: last.unixTimeStartMs,
      endMs: last.unixTimeEndMs,
      status: last.status,
    };
  }
  summary.recent = backups
    .slice(0, limit)
    .reverse()
    .map(({ op, columns }) => ({
      id: op.id,
      flowId: op.flowId,
      startMs: op.unixTimeStartMs,
      durationMs: chartDurationMs(op, columns),
      status: op.status,
      bytesAdded: columns.bytesAdded ?? 0n,
    }));
  return summary;
}

/** Sum and truncated integer mean of the non-null values, like SQL's sum(x) / count(x). */
function sumAndMean(values: (bigint | null)[]): { sum: bigint; mean: bigint } {
  const present = values.filter((v): v is bigint => v !== null);
  const sum = present.reduce((a, b) => a + b, 0n);
  return { sum, mean: present.length > 0 ? sum / BigInt(present.length) : 0n };
}

/** The ids OpAnalytics.pruneHistory deletes from `ops`, ascending. */
export function selectPrunable(ops: readonly Operation[], opts: PruneHistoryOptions): bigint[] {
  const keepCount = nonNegativeInt(opts.keepCount, 0);
  const cutoffMs = pruneCutoffMs(opts);
  const isLive = createSnapshotMatcher(opts.liveSnapshotIds);
  const groups = new Map<string, Row[]>();
  for (const op of ops) {
    if (!isFinished(op)) continue;
    const columns = opColumns(op);
    const key = JSON.stringify([op.planId, op.repoId, columns.kind]);
    const group = groups.get(key) ?? [];
    group.push({ op, columns });
    groups.set(key, group);
  }
  const ids: bigint[] = [];
  for (const group of groups.values()) {
    for (const { op } of group.sort(newestFirst).slice(keepCount)) {
      if (op.unixTimeStartMs < cutoffMs && !isLive(op.snapshotId)) ids.push(op.id);
    }
  }
  return ids.sort(compare);
}

/** The ids OpAnalytics.clearHistory deletes from `ops`, ascending. */
export function selectClearable(ops: readonly Operation[], opts: ClearHistoryOptions): bigint[] {
  const selector = effectiveSelector(opts.selector);
  return ops
    .filter(
      (op) =>
        isFinished(op) &&
        matchesSelector(op, selector) &&
        (!opts.onlyFailed || FAILED_STATUSES.includes(op.status)),
    )
    .map((op) => op.id)
    .sort(compare);
}

/** OpAnalytics.statsHistory over `ops`. */
export function statsHistoryOf(
  ops: readonly Operation[],
  repoId: string,
  sinceMs: number,
): StatsHistory {
  const since = Number.isFinite(sinceMs) ? BigInt(Math.trunc(sinceMs)) : -(2n ** 63n);
  const runs = ops
    .filter((op) => op.repoId === repoId && op.op.case === STATS_KIND)
    .sort((a, b) => compare(a.unixTimeStartMs, b.unixTimeStartMs) || compare(a.id, b.id));
  // Copies, like every read of this store: callers must not reach the stored payloads.
  const withStats = (list: Operation[]) =>
    list
      .map(statsPointOf)
      .filter((p): p is StatsPoint => p !== undefined)
      .map((p) => ({ ...p, stats: clone(RepoStatsSchema, p.stats) }));
  const points = withStats(runs.filter((op) => op.unixTimeStartMs >= since));
  const latest = withStats(runs).at(-1);
  return latest ? { latest, points } : { points };
}
