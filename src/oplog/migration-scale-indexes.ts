/**
 * Schema version 4: indexes that keep the dashboard, history retention, the live-snapshot list
 * and the per-kind counts from reading the whole table of a large log. Measured with
 * bench/oplog-scale.ts on 1,000,000 operations, where each of those read every row.
 */
import type { Database } from "better-sqlite3";

/**
 * Creates the indexes (see each comment) and replaces operations_plan_kind_start, which only
 * the dashboard used, by operations_retention. Runs inside the migration's transaction.
 */
export function addScaleIndexes(db: Database): void {
  db.exec(`
    -- Backups only, with every column the dashboard reads, in (start, id) order: its
    -- summaries, charts and last backups come from the index without touching a row.
    CREATE INDEX operations_plan_backups ON operations (plan_id, unix_time_start_ms, id, status,
      bytes_processed, bytes_added, duration_ms, unix_time_end_ms, flow_id)
      WHERE kind = 'operationBackup';
    CREATE INDEX operations_repo_backups ON operations (repo_id, unix_time_start_ms, id, status,
      bytes_processed, bytes_added, duration_ms, unix_time_end_ms, flow_id)
      WHERE kind = 'operationBackup';
    -- Snapshots not forgotten: a few per plan however long the history, for the dashboard's
    -- snapshot counts and retention's list of live snapshots.
    CREATE INDEX operations_plan_live_snapshots ON operations (plan_id, snapshot_id)
      WHERE kind = 'operationIndexSnapshot' AND snapshot_live = 1;
    CREATE INDEX operations_repo_live_snapshots ON operations (repo_id, snapshot_id)
      WHERE kind = 'operationIndexSnapshot' AND snapshot_live = 1;
    -- Retention: each (plan, kind) newest first, with the repo and status that decide which
    -- operations count towards keepCount, so a prune reads only what it may delete.
    DROP INDEX operations_plan_kind_start;
    CREATE INDEX operations_retention ON operations (plan_id, kind, unix_time_start_ms, id,
      repo_id, status);
    -- Operations by kind and status (metrics), counted from the index alone.
    CREATE INDEX operations_kind_status ON operations (kind, status);
  `);
}
