/**
 * The dashboard's SQL: per plan and per repository summaries of backups, from aggregates over
 * the payload-derived columns (migration 3) rather than from decoded operations.
 */
import type { Database, Statement } from "better-sqlite3";
import { OperationStatus } from "../../gen/v1/operations_pb.js";
import {
  type ActivityQuery,
  type ActivityReport,
  type ActivitySummary,
  BACKUP_KIND,
  DEFAULT_RECENT_LIMIT,
  emptySummary,
  INDEX_SNAPSHOT_KIND,
  nonNegativeInt,
  uniqueIds,
} from "./analytics.js";
import { type ComputedReport, cachedSummaries } from "./dashboard-cache.js";
import { type WindowRow, windowFields, windowTotals } from "./dashboard-window.js";

/** The column a summary groups by. */
export type SummaryColumn = "plan_id" | "repo_id";

const S = OperationStatus;
/** backup_days's day: unix_time_start_ms / DAY_MS in SQLite's integer division. */
const DAY_MS = 86_400_000;

/**
 * The dashboard's SQL texts for one grouping column (exported for EXPLAIN QUERY PLAN tests).
 * The window's counts and sums come from backup_days (migration 5) for its whole days and
 * from the backups themselves for its first, partial day: one row per (id, status) from each
 * part, which windowSummaries folds. Every other statement reads one of the partial indexes of
 * migration 4 and no table row: backups from operations_{plan,repo}_backups, which hold every
 * column read here, and snapshot counts from operations_{plan,repo}_live_snapshots. Indexes
 * are named because the planner, counting equality terms, would pick the wider (plan, kind,
 * start) index and read a row per backup, which costs seconds on a large log.
 */
export function dashboardSql(column: SummaryColumn) {
  const inIds = `${column} IN (SELECT value FROM json_each(@ids))`;
  const prefix = column === "plan_id" ? "operations_plan" : "operations_repo";
  const backups = `operations INDEXED BY ${prefix}_backups`;
  const liveSnapshots = `operations INDEXED BY ${prefix}_live_snapshots`;
  // backup_days's primary key starts with plan_id; repos have their covering index.
  const days = column === "plan_id" ? "backup_days" : "backup_days INDEXED BY backup_days_repo";
  return {
    aggregate: `
      SELECT ${column} AS id, status, sum(backups), sum(processed_n), sum(processed),
        sum(added_n), sum(added), sum(duration_n), sum(duration)
      FROM ${days}
      WHERE ${inIds} AND day > @sinceMs / ${DAY_MS}
      GROUP BY ${column}, status
      UNION ALL
      SELECT ${column} AS id, status, count(*), count(bytes_processed),
        coalesce(sum(bytes_processed), 0), count(bytes_added), coalesce(sum(bytes_added), 0),
        count(duration_ms), coalesce(sum(duration_ms), 0)
      FROM ${backups}
      WHERE ${inIds} AND kind = '${BACKUP_KIND}' AND unix_time_start_ms >= @sinceMs
        AND unix_time_start_ms < @sinceMs + 2 * ${DAY_MS}
        AND unix_time_start_ms / ${DAY_MS} = @sinceMs / ${DAY_MS}
      GROUP BY ${column}, status`,
    snapshots: `
      SELECT ${column} AS id, count(*) AS n FROM ${liveSnapshots}
      WHERE ${inIds} AND kind = '${INDEX_SNAPSHOT_KIND}' AND snapshot_live = 1
      GROUP BY ${column}`,
    recent: `
      SELECT id, flow_id AS flowId, unix_time_start_ms AS startMs,
        coalesce(duration_ms, CASE WHEN unix_time_end_ms > 0 AND unix_time_end_ms > unix_time_start_ms
          THEN unix_time_end_ms - unix_time_start_ms ELSE 0 END) AS durationMs,
        status, coalesce(bytes_added, 0) AS bytesAdded
      FROM ${backups}
      WHERE ${column} = @id AND kind = '${BACKUP_KIND}'
      ORDER BY unix_time_start_ms DESC, id DESC LIMIT @limit`,
    last: `
      SELECT unix_time_start_ms AS startMs, unix_time_end_ms AS endMs, status FROM ${backups}
      WHERE ${column} = @id AND kind = '${BACKUP_KIND}'
        AND status NOT IN (${S.STATUS_PENDING}, ${S.STATUS_INPROGRESS})
      ORDER BY unix_time_start_ms DESC, id DESC LIMIT 1`,
  };
}

/**
 * The earliest start at or after @sinceMs of a backup of the ids (NULL when there is none):
 * one seek per id in the summary's backup index. It says how long a summary stays right as
 * the window moves on (dashboard-cache.ts). Exported for the query-plan test.
 */
export function firstInWindowSql(column: SummaryColumn): string {
  const prefix = column === "plan_id" ? "operations_plan" : "operations_repo";
  return `
    SELECT min((SELECT unix_time_start_ms FROM operations INDEXED BY ${prefix}_backups
      WHERE ${column} = ids.value AND kind = '${BACKUP_KIND}' AND unix_time_start_ms >= @sinceMs
      ORDER BY unix_time_start_ms LIMIT 1))
    FROM json_each(@ids) AS ids`;
}

type Statements = Record<keyof ReturnType<typeof dashboardSql>, Statement> & {
  firstInWindow: Statement;
};

/**
 * Prepares the dashboard statements once and returns OpAnalytics.summarizeActivity for `db`.
 * Each computation reads in one transaction, so its summaries are of one consistent state; a
 * query asked again while `logVersion` and the window's backups are unchanged is answered
 * from its last report (dashboard-cache.ts). `logVersion` must change with every write.
 */
export function createSqliteDashboard(
  db: Database,
  logVersion: () => string,
): (query: ActivityQuery) => ActivityReport {
  const prepare = (column: SummaryColumn): Statements => {
    const sql = dashboardSql(column);
    return {
      aggregate: db.prepare(sql.aggregate).safeIntegers(true).raw(true),
      snapshots: db.prepare(sql.snapshots).safeIntegers(true),
      // Rows as arrays: a few thousand chart points, and objects cost a third more here.
      recent: db.prepare(sql.recent).safeIntegers(true).raw(true),
      last: db.prepare(sql.last).safeIntegers(true),
      firstInWindow: db.prepare(firstInWindowSql(column)).safeIntegers(true).pluck(),
    };
  };
  const plans = prepare("plan_id");
  const repos = prepare("repo_id");
  const compute = db.transaction((query: ActivityQuery): ComputedReport => {
    const sinceMs = BigInt(Math.trunc(query.sinceMs));
    const limit = nonNegativeInt(query.recentLimit, DEFAULT_RECENT_LIMIT);
    const planIds = uniqueIds(query.planIds);
    const repoIds = uniqueIds(query.repoIds);
    const firsts = [firstInWindow(plans, planIds, sinceMs), firstInWindow(repos, repoIds, sinceMs)];
    const found = firsts.filter((ms): ms is bigint => ms !== undefined);
    return {
      report: {
        plans: summarize(plans, planIds, sinceMs, limit),
        repos: summarize(repos, repoIds, sinceMs, limit),
      },
      firstInWindowMs:
        found.length > 0 ? Number(found.reduce((a, b) => (a < b ? a : b))) : undefined,
    };
  });
  return cachedSummaries({ compute: (query) => compute(query), logVersion });
}

function firstInWindow(sql: Statements, ids: string[], sinceMs: bigint): bigint | undefined {
  if (ids.length === 0) return undefined;
  const first = sql.firstInWindow.get({ ids: JSON.stringify(ids), sinceMs }) as bigint | null;
  return first ?? undefined;
}

/** A row of the recent statement, in its column order. */
type RecentRow = [
  id: bigint,
  flowId: bigint,
  startMs: bigint,
  durationMs: bigint,
  status: bigint,
  bytesAdded: bigint,
];

/** One summary per id, in the order of `ids`. */
function summarize(
  sql: Statements,
  ids: string[],
  sinceMs: bigint,
  limit: number,
): ActivitySummary[] {
  if (ids.length === 0) return [];
  const params = { ids: JSON.stringify(ids) };
  const window = windowTotals(sql.aggregate.all({ ...params, sinceMs }) as WindowRow[]);
  const snapshots = new Map(
    (sql.snapshots.all(params) as { id: string; n: bigint }[]).map((row) => [row.id, row.n]),
  );
  return ids.map((id) => {
    const summary = emptySummary(id);
    const totals = window.get(id);
    if (totals !== undefined) Object.assign(summary, windowFields(totals));
    summary.totalSnapshots = Number(snapshots.get(id) ?? 0n);
    const last = sql.last.get({ id }) as
      | { startMs: bigint; endMs: bigint; status: bigint }
      | undefined;
    if (last !== undefined) summary.last = { ...last, status: Number(last.status) };
    const rows = sql.recent.all({ id, limit }) as RecentRow[];
    summary.recent = rows
      .reverse()
      .map(([backupId, flowId, startMs, durationMs, status, bytesAdded]) => ({
        id: backupId,
        flowId,
        startMs,
        durationMs,
        status: Number(status),
        bytesAdded,
      }));
    return summary;
  });
}
