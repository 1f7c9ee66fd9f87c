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

/** The column a summary groups by. */
export type SummaryColumn = "plan_id" | "repo_id";

const S = OperationStatus;

/**
 * The dashboard's SQL texts for one grouping column (exported for EXPLAIN QUERY PLAN tests).
 * Every statement reads one of the partial indexes of migration 4 and no table row: backups
 * from operations_{plan,repo}_backups (bounded by column[, unix_time_start_ms]), which hold
 * every column read here, and snapshot counts from operations_{plan,repo}_live_snapshots. The
 * indexes are named because the planner, counting equality terms, would pick the wider
 * (plan, kind, start) index and read a row per backup, which costs seconds on a large log.
 * Averages are integer means over non-NULL values.
 */
export function dashboardSql(column: SummaryColumn) {
  const inIds = `${column} IN (SELECT value FROM json_each(@ids))`;
  const prefix = column === "plan_id" ? "operations_plan" : "operations_repo";
  const backups = `operations INDEXED BY ${prefix}_backups`;
  const liveSnapshots = `operations INDEXED BY ${prefix}_live_snapshots`;
  return {
    aggregate: `
      SELECT ${column} AS id,
        count(*) FILTER (WHERE status = ${S.STATUS_SUCCESS}) AS backupsSuccess,
        count(*) FILTER (WHERE status = ${S.STATUS_WARNING}) AS backupsWarning,
        count(*) FILTER (WHERE status = ${S.STATUS_ERROR}) AS backupsFailed,
        count(*) FILTER (WHERE status IN (${S.STATUS_SYSTEM_CANCELLED}, ${S.STATUS_USER_CANCELLED}))
          AS backupsCancelled,
        coalesce(sum(bytes_processed), 0) AS bytesScanned,
        coalesce(sum(bytes_added), 0) AS bytesAdded,
        coalesce(sum(bytes_processed) / count(bytes_processed), 0) AS bytesScannedAvg,
        coalesce(sum(bytes_added) / count(bytes_added), 0) AS bytesAddedAvg,
        coalesce(sum(duration_ms) / count(duration_ms), 0) AS durationAvgMs
      FROM ${backups}
      WHERE ${inIds} AND kind = '${BACKUP_KIND}' AND unix_time_start_ms >= @sinceMs
      GROUP BY ${column}`,
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

type Statements = Record<keyof ReturnType<typeof dashboardSql>, Statement>;

/**
 * Prepares the dashboard statements once and returns OpAnalytics.summarizeActivity for `db`.
 * Each call reads in one transaction, so its summaries are of one consistent state.
 */
export function createSqliteDashboard(db: Database): (query: ActivityQuery) => ActivityReport {
  const prepare = (column: SummaryColumn): Statements => {
    const sql = dashboardSql(column);
    return {
      aggregate: db.prepare(sql.aggregate).safeIntegers(true),
      snapshots: db.prepare(sql.snapshots).safeIntegers(true),
      // Rows as arrays: a few thousand chart points, and objects cost a third more here.
      recent: db.prepare(sql.recent).safeIntegers(true).raw(true),
      last: db.prepare(sql.last).safeIntegers(true),
    };
  };
  const plans = prepare("plan_id");
  const repos = prepare("repo_id");
  return db.transaction((query: ActivityQuery) => {
    const sinceMs = BigInt(Math.trunc(query.sinceMs));
    const limit = nonNegativeInt(query.recentLimit, DEFAULT_RECENT_LIMIT);
    return {
      plans: summarize(plans, uniqueIds(query.planIds), sinceMs, limit),
      repos: summarize(repos, uniqueIds(query.repoIds), sinceMs, limit),
    };
  });
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

type AggregateRow = Omit<ActivitySummary, "totalSnapshots" | "last" | "recent" | CountField> &
  Record<CountField, bigint>;
type CountField = "backupsSuccess" | "backupsWarning" | "backupsFailed" | "backupsCancelled";

/** One summary per id, in the order of `ids`. */
function summarize(
  sql: Statements,
  ids: string[],
  sinceMs: bigint,
  limit: number,
): ActivitySummary[] {
  if (ids.length === 0) return [];
  const params = { ids: JSON.stringify(ids) };
  const aggregates = new Map(
    (sql.aggregate.all({ ...params, sinceMs }) as AggregateRow[]).map((row) => [row.id, row]),
  );
  const snapshots = new Map(
    (sql.snapshots.all(params) as { id: string; n: bigint }[]).map((row) => [row.id, row.n]),
  );
  return ids.map((id) => {
    const summary = emptySummary(id);
    const row = aggregates.get(id);
    if (row !== undefined) Object.assign(summary, aggregateFields(row));
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

/** The numeric fields of an aggregate row, counts as numbers. */
function aggregateFields(row: AggregateRow): Partial<ActivitySummary> {
  return {
    backupsSuccess: Number(row.backupsSuccess),
    backupsWarning: Number(row.backupsWarning),
    backupsFailed: Number(row.backupsFailed),
    backupsCancelled: Number(row.backupsCancelled),
    bytesScanned: row.bytesScanned,
    bytesAdded: row.bytesAdded,
    bytesScannedAvg: row.bytesScannedAvg,
    bytesAddedAvg: row.bytesAddedAvg,
    durationAvgMs: row.durationAvgMs,
  };
}
