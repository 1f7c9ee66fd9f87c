/**
 * Schema version 3: payload-derived columns for dashboards and retention, with their indexes,
 * and a backfill of rows written by earlier versions.
 */
import { fromBinary } from "@bufbuild/protobuf";
import type { Database } from "better-sqlite3";
import { OperationSchema } from "../../gen/v1/operations_pb.js";
import { opColumns } from "./op-columns.js";

/** Rows decoded and rewritten per backfill round, to bound memory on large logs. */
const BACKFILL_BATCH = 1000;

/**
 * Adds kind, unix_time_end_ms, bytes_added, bytes_processed, duration_ms and snapshot_live
 * (see op-columns.ts), indexes by (plan_id | repo_id, kind, unix_time_start_ms), and fills
 * the new columns of existing rows. Runs inside the migration's transaction.
 */
export function addAnalyticsColumns(db: Database): void {
  db.exec(`
    ALTER TABLE operations ADD COLUMN kind TEXT NOT NULL DEFAULT '';
    ALTER TABLE operations ADD COLUMN unix_time_end_ms INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE operations ADD COLUMN bytes_added INTEGER;
    ALTER TABLE operations ADD COLUMN bytes_processed INTEGER;
    ALTER TABLE operations ADD COLUMN duration_ms INTEGER;
    ALTER TABLE operations ADD COLUMN snapshot_live INTEGER;
  `);
  backfillAnalyticsColumns(db);
  // Indexes after the backfill: building once beats updating them row by row.
  db.exec(`
    CREATE INDEX operations_plan_kind_start ON operations (plan_id, kind, unix_time_start_ms);
    CREATE INDEX operations_repo_kind_start ON operations (repo_id, kind, unix_time_start_ms);
  `);
}

/** Decodes every stored operation in id order, batch by batch, and writes its derived columns. */
function backfillAnalyticsColumns(db: Database): void {
  const page = db
    .prepare("SELECT id, operation FROM operations WHERE id > ? ORDER BY id LIMIT ?")
    .safeIntegers(true);
  const write = db.prepare(`
    UPDATE operations SET kind = @kind, unix_time_end_ms = @unixTimeEndMs,
      bytes_added = @bytesAdded, bytes_processed = @bytesProcessed,
      duration_ms = @durationMs, snapshot_live = @snapshotLive
    WHERE id = @id`);
  let after = 0n;
  for (;;) {
    const rows = page.all(after, BACKFILL_BATCH) as { id: bigint; operation: Uint8Array }[];
    for (const row of rows) {
      write.run({ id: row.id, ...opColumns(fromBinary(OperationSchema, row.operation)) });
    }
    const last = rows.at(-1);
    if (last === undefined || rows.length < BACKFILL_BATCH) return;
    after = last.id;
  }
}
