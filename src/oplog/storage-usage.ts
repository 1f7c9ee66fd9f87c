/**
 * Storage usage per repository and in total, from the recorded stats runs: the newest size,
 * its growth over a window (30 days by default) and the sizes measured in that window.
 */
import { NotFoundError } from "../errors.js";
import type { OpAnalytics, StatsPoint } from "./analytics.js";

const DAY_MS = 86_400_000;

/** A repository as the report needs it. */
export interface UsageRepo {
  id: string;
  /** storageAlertBytes; 0 for none. */
  alertBytes: bigint;
}

/** One repository's usage. Sizes are 0 and measuredAtMs 0 when no stats run was recorded. */
export interface RepoUsage {
  repoId: string;
  /** Bytes stored (restic's raw-data size). */
  totalSize: bigint;
  totalUncompressedSize: bigint;
  restoreSize: bigint;
  snapshotCount: bigint;
  /** Newest size minus the oldest size measured in the window (0 without a run in the window). */
  growth: bigint;
  measuredAtMs: bigint;
  alertBytes: bigint;
  /** The newest size is over alertBytes (never when alertBytes is 0). */
  overAlert: boolean;
  /** Sizes measured in the window, oldest first. */
  history: { timeMs: bigint; totalSize: bigint }[];
}

export interface StorageUsageReport {
  repos: RepoUsage[];
  totalSize: bigint;
  totalUncompressedSize: bigint;
  totalSnapshots: bigint;
  growth: bigint;
}

/** What storageUsage reads. */
export interface StorageUsageQuery {
  /** Repositories in config order. */
  repos: readonly UsageRepo[];
  /** One repository's id, or "" for all. NotFoundError when it is not in `repos`. */
  repoId: string;
  nowMs: number;
  /** Default 30. */
  windowDays?: number;
}

/** The storage usage of the asked-for repositories and their totals. */
export function storageUsage(
  ops: Pick<OpAnalytics, "statsHistory">,
  query: StorageUsageQuery,
): StorageUsageReport {
  const picked = query.repoId ? query.repos.filter((r) => r.id === query.repoId) : query.repos;
  if (query.repoId && picked.length === 0) throw new NotFoundError("repo", query.repoId);
  const sinceMs = query.nowMs - (query.windowDays ?? 30) * DAY_MS;
  const repos = picked.map((repo) => repoUsage(repo, ops.statsHistory(repo.id, sinceMs)));
  const sum = (field: "totalSize" | "totalUncompressedSize" | "snapshotCount" | "growth") =>
    repos.reduce((total, r) => total + r[field], 0n);
  return {
    repos,
    totalSize: sum("totalSize"),
    totalUncompressedSize: sum("totalUncompressedSize"),
    totalSnapshots: sum("snapshotCount"),
    growth: sum("growth"),
  };
}

function repoUsage(
  repo: UsageRepo,
  history: { latest?: StatsPoint; points: StatsPoint[] },
): RepoUsage {
  const stats = history.latest?.stats;
  const totalSize = stats?.totalSize ?? 0n;
  const oldest = history.points[0];
  return {
    repoId: repo.id,
    totalSize,
    totalUncompressedSize: stats?.totalUncompressedSize ?? 0n,
    restoreSize: stats?.restoreSize ?? 0n,
    snapshotCount: stats?.snapshotCount ?? 0n,
    growth: oldest ? totalSize - oldest.stats.totalSize : 0n,
    measuredAtMs: history.latest?.timeMs ?? 0n,
    alertBytes: repo.alertBytes,
    overAlert: repo.alertBytes > 0n && totalSize > repo.alertBytes,
    history: history.points.map((p) => ({ timeMs: p.timeMs, totalSize: p.stats.totalSize })),
  };
}
