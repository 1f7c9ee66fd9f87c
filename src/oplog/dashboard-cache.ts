/**
 * Reuse of dashboard summaries (OpAnalytics.summarizeActivity) while nothing they depend on
 * has changed. A summary is a function of the log and of the window's start: the log's
 * version says when the first changed, and the window moves on without changing anything
 * until its start passes the oldest backup inside it. Every dashboard view and refresh asks
 * for the same summaries; on a large log computing them takes tens of milliseconds.
 */
import { deepFreeze } from "../deep-freeze.js";
import type { ActivityQuery, ActivityReport } from "./analytics.js";

/** A freshly computed report and what decides how long it stays right. */
export interface ComputedReport {
  report: ActivityReport;
  /**
   * The earliest start (unix ms) of a backup the report counts in its window, i.e. at or after
   * the query's sinceMs; undefined when the window holds none.
   */
  firstInWindowMs: number | undefined;
}

export interface DashboardCacheOptions {
  /** Computes a report, reading the log in one consistent state. */
  compute(query: ActivityQuery): ComputedReport;
  /** A value that differs whenever the log may have changed since it was last read. */
  logVersion(): string;
  /** Reports kept, one per distinct query (plans, repos, recent limit); default 4. */
  maxEntries?: number;
}

interface Entry {
  version: string;
  sinceMs: number;
  /** The largest sinceMs the report is still right for. */
  validThroughMs: number;
  report: ActivityReport;
}

/**
 * summarizeActivity over `compute` that answers a query again from its last report while the
 * log's version is the same and the window's start has not moved back or past the earliest
 * backup the report counts (moving it up to there changes no count or sum). Reports are
 * frozen: every caller gets the same read-only objects.
 */
export function cachedSummaries(
  opts: DashboardCacheOptions,
): (query: ActivityQuery) => ActivityReport {
  const maxEntries = opts.maxEntries ?? 4;
  const entries = new Map<string, Entry>();
  return (query) => {
    const version = opts.logVersion();
    const sinceMs = Math.trunc(query.sinceMs);
    const key = JSON.stringify([query.planIds, query.repoIds, query.recentLimit ?? null]);
    const hit = entries.get(key);
    if (
      hit !== undefined &&
      hit.version === version &&
      sinceMs >= hit.sinceMs &&
      sinceMs <= hit.validThroughMs
    )
      return hit.report;
    const { report, firstInWindowMs } = opts.compute({ ...query, sinceMs });
    if (!entries.has(key) && entries.size >= maxEntries) entries.clear();
    entries.set(key, {
      version,
      sinceMs,
      validThroughMs: firstInWindowMs ?? Number.POSITIVE_INFINITY,
      report: deepFreeze(report),
    });
    return report;
  };
}
