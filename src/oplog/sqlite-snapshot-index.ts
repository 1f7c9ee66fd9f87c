/**
 * What indexing a repository's snapshots reads from the log, from indexes only: the index
 * operations of the snapshots restic lists now and of those still marked live, and the
 * backups that made them. A repository's whole history (hundreds of thousands of operations
 * after a year of backups) is never read.
 */
import { fromBinary } from "@bufbuild/protobuf";
import type { Database } from "better-sqlite3";
import { type Operation, OperationSchema } from "../../gen/v1/operations_pb.js";
import { BACKUP_KIND, INDEX_SNAPSHOT_KIND, type SnapshotIndexState } from "./analytics.js";

export const INDEXED_SQL = `SELECT operation FROM operations INDEXED BY operations_snapshot_id
  WHERE snapshot_id IN (SELECT value FROM json_each(@ids))
    AND kind = '${INDEX_SNAPSHOT_KIND}' AND repo_guid = @guid
  UNION
  SELECT operation FROM operations INDEXED BY operations_repo_live_snapshots
  WHERE kind = '${INDEX_SNAPSHOT_KIND}' AND snapshot_live = 1 AND repo_guid = @guid`;

/** Backups record the id restic reported: short in restic 0.14, full in later versions. */
export const BACKUPS_SQL = `SELECT operation FROM operations INDEXED BY operations_snapshot_id
  WHERE snapshot_id IN (SELECT value FROM json_each(@ids))
    AND kind = '${BACKUP_KIND}' AND repo_guid = @guid
  ORDER BY id`;

/** Creates snapshotIndexState over `db`. */
export function createSqliteSnapshotIndex(db: Database) {
  const indexed = db.prepare(INDEXED_SQL);
  const backups = db.prepare(BACKUPS_SQL);
  const decode = (rows: unknown[]): Operation[] =>
    (rows as { operation: Uint8Array }[]).map((r) => fromBinary(OperationSchema, r.operation));
  return (repoGuid: string, snapshotIds: readonly string[]): SnapshotIndexState => {
    const ids = JSON.stringify(snapshotIds);
    const backupIds = JSON.stringify([...snapshotIds, ...snapshotIds.map((id) => id.slice(0, 8))]);
    return {
      indexed: decode(indexed.all({ ids, guid: repoGuid })),
      backups: decode(backups.all({ ids: backupIds, guid: repoGuid })),
    };
  };
}
