/**
 * Schema versions of the operation log database, tracked in `PRAGMA user_version`.
 */
import type { Database } from "better-sqlite3";
import { addAnalyticsColumns } from "./migration-analytics.js";
import { addBackupDays } from "./migration-backup-days.js";
import { addScaleIndexes } from "./migration-scale-indexes.js";

/**
 * One step of the schema. Migration i (0-based) takes the database from user_version i to i + 1.
 * Append only: never edit, reorder or remove a migration that has shipped.
 */
export type Migration = (db: Database) => void;

/** The operation log's schema history. */
export const MIGRATIONS: readonly Migration[] = [
  // 1: operations as protobuf bytes beside the columns selectors filter on.
  (db) => {
    db.exec(`
      CREATE TABLE operations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        modno INTEGER NOT NULL,
        flow_id INTEGER NOT NULL,
        repo_id TEXT NOT NULL,
        repo_guid TEXT NOT NULL,
        plan_id TEXT NOT NULL,
        instance_id TEXT NOT NULL,
        snapshot_id TEXT NOT NULL,
        status INTEGER NOT NULL,
        unix_time_start_ms INTEGER NOT NULL,
        operation BLOB NOT NULL
      );
      CREATE INDEX operations_modno ON operations (modno);
      CREATE INDEX operations_flow_id ON operations (flow_id);
      CREATE INDEX operations_repo_id ON operations (repo_id);
      CREATE INDEX operations_repo_guid ON operations (repo_guid);
      CREATE INDEX operations_plan_id ON operations (plan_id);
      CREATE INDEX operations_instance_id ON operations (instance_id);
      CREATE INDEX operations_snapshot_id ON operations (snapshot_id);
      CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO meta (key, value) VALUES ('modno', 0);
    `);
  },
  // 2: crash recovery looks operations up by status.
  (db) => {
    db.exec("CREATE INDEX operations_status ON operations (status);");
  },
  // 3: payload-derived columns (kind, end time, backup numbers, snapshot liveness) for
  // dashboards and retention, backfilled from the stored protobuf.
  addAnalyticsColumns,
  // 4: covering and partial indexes for the dashboard, retention and metrics on large logs.
  addScaleIndexes,
  // 5: backups counted and summed per (plan, repo, day, status), kept by triggers, for the
  // dashboard's window.
  addBackupDays,
];

/** The database was written by a newer Restwell whose schema this code does not know. */
export class SchemaVersionError extends Error {
  override name = "SchemaVersionError";
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(
      `this database was written by a newer Restwell (schema version ${found}, this version knows up to ${known}); upgrade Restwell or point it at another data directory`,
    );
  }
}

/** The schema version recorded in the database (0 for a new, empty database). */
export function schemaVersion(db: Database): number {
  return Number(db.pragma("user_version", { simple: true }));
}

/**
 * Brings the database to the newest version in `migrations`, each step in its own IMMEDIATE
 * transaction together with its user_version bump, so a failed step leaves the previous version.
 * Throws SchemaVersionError when the database is newer than `migrations`, without changing it.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): void {
  const step = db.transaction((index: number, migration: Migration) => {
    // Re-read inside the write lock: another process may have migrated meanwhile.
    if (schemaVersion(db) !== index) return;
    migration(db);
    db.pragma(`user_version = ${index + 1}`);
  });
  const found = schemaVersion(db);
  if (found > migrations.length) throw new SchemaVersionError(found, migrations.length);
  for (const [index, migration] of migrations.entries()) {
    if (index >= found) step.immediate(index, migration);
  }
}
