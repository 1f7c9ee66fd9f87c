/**
 * History retention on SQLite: pruneHistory and clearHistory of OpAnalytics, each one
 * IMMEDIATE transaction that selects the ids to delete and deletes them in batches. A prune
 * that finds nothing old reads a few index entries per (plan, kind), however long the log.
 */
import type { Database, Statement } from "better-sqlite3";
import {
  type ClearHistoryOptions,
  FAILED_STATUSES,
  INDEX_SNAPSHOT_KIND,
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

/** The largest SQLite integer: a (start, id) bound every row is below. */
const MAX_INT64 = 2n ** 63n - 1n;

/**
 * pruneHistory's statements, all served by operations_retention (plan_id, kind,
 * unix_time_start_ms, id, repo_id, status), so a prune reads index entries of the (plan, kind)
 * groups that hold operations older than the cutoff, and rows only of what it deletes.
 * Exported for the query-plan test.
 */
export const PRUNE_SQL = {
  /** The first (plan, kind) group: two seeks, not a scan of the groups in between. */
  firstGroup: `SELECT plan_id AS planId, kind FROM operations ORDER BY plan_id, kind LIMIT 1`,
  /** The next kind of the plan after @kind. (A row value (plan_id, kind) > (?, ?) only seeks
   * by plan_id and then walks the plan's entries; these equality-then-range terms seek.) */
  nextKind: `SELECT plan_id AS planId, kind FROM operations
    WHERE plan_id = @planId AND kind > @kind ORDER BY kind LIMIT 1`,
  /** The first group of the plan after @planId. */
  nextPlan: `SELECT plan_id AS planId, kind FROM operations
    WHERE plan_id > @planId ORDER BY plan_id, kind LIMIT 1`,
  /** The repos of a group with finished operations that started before @cutoffMs. */
  oldRepos: `SELECT DISTINCT repo_id AS repoId FROM operations
    WHERE plan_id = @planId AND kind = @kind AND unix_time_start_ms < @cutoffMs AND ${FINISHED}`,
  /** The @keepCount-th newest finished operation of a (plan, repo, kind): the last one kept. */
  lastKept: `SELECT unix_time_start_ms AS startMs, id FROM operations
    WHERE plan_id = @planId AND kind = @kind AND repo_id = @repoId AND ${FINISHED}
    ORDER BY unix_time_start_ms DESC, id DESC LIMIT 1 OFFSET @skip`,
  /** Finished operations of a (plan, repo, kind) older than the cutoff and the last one kept. */
  candidates: `SELECT id, snapshot_id AS snapshotId FROM operations
    WHERE plan_id = @planId AND kind = @kind AND repo_id = @repoId AND ${FINISHED}
      AND unix_time_start_ms < @cutoffMs AND (unix_time_start_ms, id) < (@startMs, @id)`,
};

type Prepared = Record<keyof typeof PRUNE_SQL, Statement>;

/**
 * The ids pruneHistory may delete, before the live-snapshot check: per (plan, repo, kind), the
 * finished operations beyond the newest `keepCount` finished ones that started before the cutoff.
 */
function pruneCandidates(sql: Prepared, opts: PruneHistoryOptions) {
  const keepCount = nonNegativeInt(opts.keepCount, 0);
  const cutoffMs = pruneCutoffMs(opts);
  const found: { id: bigint; snapshotId: string }[] = [];
  let group = sql.firstGroup.get() as Group | undefined;
  while (group !== undefined) {
    const repos = sql.oldRepos.all({ ...group, cutoffMs }) as { repoId: string }[];
    for (const { repoId } of repos) {
      const where = { ...group, repoId };
      // Fewer than keepCount finished operations: all of them are kept.
      const bound =
        keepCount === 0
          ? { startMs: MAX_INT64, id: 0n }
          : (sql.lastKept.get({ ...where, skip: keepCount - 1 }) as Bound | undefined);
      if (bound === undefined) continue;
      found.push(...(sql.candidates.all({ ...where, cutoffMs, ...bound }) as typeof found));
    }
    group = (sql.nextKind.get(group) ?? sql.nextPlan.get(group)) as Group | undefined;
  }
  return found;
}

interface Group {
  planId: string;
  kind: string;
}

interface Bound {
  startMs: bigint;
  id: bigint;
}

/**
 * The snapshot ids of index-snapshot operations not marked forgotten (liveSnapshotIds), read
 * from the small partial index of live snapshots rather than from every index operation.
 */
export const LIVE_SNAPSHOT_IDS_SQL = `SELECT DISTINCT snapshot_id FROM operations
  INDEXED BY operations_plan_live_snapshots
  WHERE kind = '${INDEX_SNAPSHOT_KIND}' AND snapshot_live = 1`;

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
  const pruneSql = Object.fromEntries(
    Object.entries(PRUNE_SQL).map(([name, text]) => [name, db.prepare(text).safeIntegers(true)]),
  ) as Prepared;
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
    const isLive = createSnapshotMatcher(opts.liveSnapshotIds);
    const ids = pruneCandidates(pruneSql, opts)
      .filter((row) => !isLive(row.snapshotId))
      .map((row) => row.id)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
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
