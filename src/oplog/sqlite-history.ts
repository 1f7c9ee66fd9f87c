/**
 * History retention on SQLite: pruneHistory and clearHistory of OpAnalytics, each one
 * IMMEDIATE transaction that selects the ids to delete and deletes them in batches.
 */
import type { Database, Statement } from "better-sqlite3";
import {
  type ClearHistoryOptions,
  FAILED_STATUSES,
  nonNegativeInt,
  type PruneHistoryOptions,
  pruneCutoffMs,
} from "./analytics.js";
import { UNFINISHED_STATUSES } from "./recover.js";
import { effectiveSelector } from "./selector.js";
import { createSnapshotMatcher } from "./snapshot-match.js";
import { whereClause } from "./sqlite-query.js";

/** Ids per DELETE statement, so one huge prune does not build one huge JSON list. */
const DELETE_BATCH = 1000;

const FINISHED = `status NOT IN (${UNFINISHED_STATUSES.join(", ")})`;

/**
 * Finished operations past the newest @keepCount finished ones of their (plan, repo, kind)
 * and started before @cutoffMs, with the snapshot id the caller checks against live snapshots.
 */
export const PRUNE_CANDIDATES_SQL = `
  SELECT id, snapshot_id AS snapshotId FROM (
    SELECT id, snapshot_id, unix_time_start_ms,
      row_number() OVER (PARTITION BY plan_id, repo_id, kind
        ORDER BY unix_time_start_ms DESC, id DESC) AS rank
    FROM operations WHERE ${FINISHED}
  )
  WHERE rank > @keepCount AND unix_time_start_ms < @cutoffMs
  ORDER BY id`;

/** The SQL that selects the ids clearHistory deletes, and its parameters. */
export function clearCandidatesSql(opts: ClearHistoryOptions) {
  const where = whereClause(effectiveSelector(opts.selector));
  const terms = [FINISHED];
  if (opts.onlyFailed) terms.push(`status IN (${FAILED_STATUSES.join(", ")})`);
  const sql = `SELECT id FROM operations${where.sql === "" ? " WHERE" : `${where.sql} AND`} ${terms.join(" AND ")} ORDER BY id`;
  return { sql, params: where.params };
}

/** pruneHistory and clearHistory on `db`; the caller emits the "deleted" event after commit. */
export function createSqliteHistory(db: Database) {
  const pruneCandidates = db.prepare(PRUNE_CANDIDATES_SQL).safeIntegers(true);
  const deleteBatch = db.prepare(
    "DELETE FROM operations WHERE id IN (SELECT value FROM json_each(?))",
  );
  const clearStatements = new Map<string, Statement>();

  const deleteIds = (ids: bigint[]): void => {
    for (let i = 0; i < ids.length; i += DELETE_BATCH) {
      deleteBatch.run(`[${ids.slice(i, i + DELETE_BATCH).join(",")}]`);
    }
  };

  const prune = db.transaction((opts: PruneHistoryOptions): bigint[] => {
    const rows = pruneCandidates.all({
      keepCount: nonNegativeInt(opts.keepCount, 0),
      cutoffMs: pruneCutoffMs(opts),
    }) as { id: bigint; snapshotId: string }[];
    const isLive = createSnapshotMatcher(opts.liveSnapshotIds);
    const ids = rows.filter((row) => !isLive(row.snapshotId)).map((row) => row.id);
    deleteIds(ids);
    return ids;
  });

  const clear = db.transaction((opts: ClearHistoryOptions): bigint[] => {
    const { sql, params } = clearCandidatesSql(opts);
    let statement = clearStatements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql).pluck().safeIntegers(true);
      clearStatements.set(sql, statement);
    }
    const ids = statement.all(params) as bigint[];
    deleteIds(ids);
    return ids;
  });

  return {
    /** Deletes what pruneHistory allows; returns the deleted ids, ascending. */
    prune: (opts: PruneHistoryOptions) => prune.immediate(opts),
    /** Deletes what clearHistory selects; returns the deleted ids, ascending. */
    clear: (opts: ClearHistoryOptions) => clear.immediate(opts),
  };
}
