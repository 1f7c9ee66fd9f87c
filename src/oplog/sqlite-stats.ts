/** OpAnalytics.statsHistory on SQLite: a repository's stats runs, read by the (repo, kind, start) index. */
import { fromBinary } from "@bufbuild/protobuf";
import type Database from "better-sqlite3";
import { OperationSchema } from "../../gen/v1/operations_pb.js";
import { STATS_KIND, type StatsHistory, type StatsPoint, statsPointOf } from "./analytics.js";

/** The statements, exported for the query-plan test. */
export const STATS_SQL = {
  /** A repository's stats runs that started at or after @sinceMs, oldest first. */
  window: `SELECT operation FROM operations
    WHERE repo_id = @repoId AND kind = '${STATS_KIND}' AND unix_time_start_ms >= @sinceMs
    ORDER BY unix_time_start_ms, id`,
  /** A repository's stats runs, newest first (read until one carries stats). */
  newest: `SELECT operation FROM operations
    WHERE repo_id = @repoId AND kind = '${STATS_KIND}'
    ORDER BY unix_time_start_ms DESC, id DESC`,
};

/** Prepares the statements once and returns OpAnalytics.statsHistory for `db`. */
export function createSqliteStatsHistory(
  db: Database.Database,
): (repoId: string, sinceMs: number) => StatsHistory {
  const window = db.prepare(STATS_SQL.window).pluck();
  const newest = db.prepare(STATS_SQL.newest).pluck();
  const point = (bytes: unknown): StatsPoint | undefined =>
    statsPointOf(fromBinary(OperationSchema, bytes as Uint8Array));
  return (repoId, sinceMs) => {
    const since = Number.isFinite(sinceMs) ? BigInt(Math.trunc(sinceMs)) : -(2n ** 63n);
    const points = window
      .all({ repoId, sinceMs: since })
      .map(point)
      .filter((p): p is StatsPoint => p !== undefined);
    let latest: StatsPoint | undefined;
    // Runs that failed before measuring carry no stats; the newest that does is usually first.
    for (const bytes of newest.iterate({ repoId })) {
      latest = point(bytes);
      if (latest) break;
    }
    return latest ? { latest, points } : { points };
  };
}
