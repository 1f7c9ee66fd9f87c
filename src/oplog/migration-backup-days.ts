/**
 * Schema version 5: backup_days, the backups of each (plan, repo, day, status) counted and
 * summed, kept exact by triggers on every insert, update and delete of a backup, so the
 * dashboard's 30-day summaries read a few rows per plan and day instead of every backup.
 * (On 1,000,000 operations, bench/oplog-scale.ts, the window held about 18,000 backups, and
 * aggregating them twice, per plan and per repo, was most of the dashboard's time.)
 *
 * A day is `unix_time_start_ms / 86400000` in SQLite's integer division (UTC days).
 */
import type { Database } from "better-sqlite3";

const BACKUP = "'operationBackup'";
const DAY = "86400000";

/** The values a backup row adds to its backup_days row, from `row` (NEW or OLD). */
function contribution(row: "NEW" | "OLD"): string {
  return `${row}.plan_id, ${row}.repo_id, ${row}.unix_time_start_ms / ${DAY}, ${row}.status, 1,
    ${row}.bytes_processed IS NOT NULL, coalesce(${row}.bytes_processed, 0),
    ${row}.bytes_added IS NOT NULL, coalesce(${row}.bytes_added, 0),
    ${row}.duration_ms IS NOT NULL, coalesce(${row}.duration_ms, 0)`;
}

const ADD_NEW = `
  INSERT INTO backup_days SELECT ${contribution("NEW")} WHERE NEW.kind = ${BACKUP}
  ON CONFLICT (plan_id, day, repo_id, status) DO UPDATE SET
    backups = backups + 1,
    processed_n = processed_n + excluded.processed_n, processed = processed + excluded.processed,
    added_n = added_n + excluded.added_n, added = added + excluded.added,
    duration_n = duration_n + excluded.duration_n, duration = duration + excluded.duration;`;

const OLD_KEY = `plan_id = OLD.plan_id AND day = OLD.unix_time_start_ms / ${DAY}
    AND repo_id = OLD.repo_id AND status = OLD.status`;

const REMOVE_OLD = `
  UPDATE backup_days SET
    backups = backups - 1,
    processed_n = processed_n - (OLD.bytes_processed IS NOT NULL),
    processed = processed - coalesce(OLD.bytes_processed, 0),
    added_n = added_n - (OLD.bytes_added IS NOT NULL),
    added = added - coalesce(OLD.bytes_added, 0),
    duration_n = duration_n - (OLD.duration_ms IS NOT NULL),
    duration = duration - coalesce(OLD.duration_ms, 0)
  WHERE ${OLD_KEY} AND OLD.kind = ${BACKUP};
  DELETE FROM backup_days WHERE ${OLD_KEY} AND backups = 0;`;

/** The columns of a backup row that decide its backup_days row and what it adds there. */
const ROLLUP_COLUMNS = [
  "kind",
  "plan_id",
  "repo_id",
  "unix_time_start_ms",
  "status",
  "bytes_processed",
  "bytes_added",
  "duration_ms",
];

/** Creates backup_days with its triggers and fills it from the existing backups. */
export function addBackupDays(db: Database): void {
  const changed = ROLLUP_COLUMNS.map((c) => `OLD.${c} IS NOT NEW.${c}`).join(" OR ");
  db.exec(`
    CREATE TABLE backup_days (
      plan_id TEXT NOT NULL,
      repo_id TEXT NOT NULL,
      day INTEGER NOT NULL,
      status INTEGER NOT NULL,
      backups INTEGER NOT NULL,
      processed_n INTEGER NOT NULL,
      processed INTEGER NOT NULL,
      added_n INTEGER NOT NULL,
      added INTEGER NOT NULL,
      duration_n INTEGER NOT NULL,
      duration INTEGER NOT NULL,
      PRIMARY KEY (plan_id, day, repo_id, status)
    ) WITHOUT ROWID;
    CREATE INDEX backup_days_repo ON backup_days (repo_id, day, status, backups, processed_n,
      processed, added_n, added, duration_n, duration);
    INSERT INTO backup_days
      SELECT plan_id, repo_id, unix_time_start_ms / ${DAY}, status, count(*),
        count(bytes_processed), coalesce(sum(bytes_processed), 0),
        count(bytes_added), coalesce(sum(bytes_added), 0),
        count(duration_ms), coalesce(sum(duration_ms), 0)
      FROM operations WHERE kind = ${BACKUP}
      GROUP BY plan_id, repo_id, unix_time_start_ms / ${DAY}, status;
    CREATE TRIGGER backup_days_insert AFTER INSERT ON operations
      WHEN NEW.kind = ${BACKUP}
      BEGIN ${ADD_NEW} END;
    CREATE TRIGGER backup_days_delete AFTER DELETE ON operations
      WHEN OLD.kind = ${BACKUP}
      BEGIN ${REMOVE_OLD} END;
    -- Progress updates of a running backup change none of these columns: no rollup write.
    CREATE TRIGGER backup_days_update AFTER UPDATE ON operations
      WHEN (OLD.kind = ${BACKUP} OR NEW.kind = ${BACKUP}) AND (${changed})
      BEGIN ${REMOVE_OLD} ${ADD_NEW} END;
  `);
}
