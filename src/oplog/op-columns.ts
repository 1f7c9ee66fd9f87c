/**
 * The columns derived from an operation's payload for dashboards and retention, computed the
 * same way on every write, in the schema migration that added them, and by the memory store.
 */
import type { Operation } from "../../gen/v1/operations_pb.js";

/** Payload-derived values of one operation (NULL-able ones are null when not applicable). */
export interface OpColumns {
  /** The payload's oneof case, e.g. "operationBackup"; "" when unset. */
  kind: string;
  unixTimeEndMs: bigint;
  /** Backups with restic's summary only. */
  bytesAdded: bigint | null;
  /** Backups with restic's summary only. */
  bytesProcessed: bigint | null;
  /** Backups with restic's summary only: its totalDuration, rounded to ms. */
  durationMs: bigint | null;
  /** Index-snapshot operations only: 1 unless marked forgotten. */
  snapshotLive: 0 | 1 | null;
}

/** The derived columns of an operation. */
export function opColumns(op: Operation): OpColumns {
  const columns: OpColumns = {
    kind: op.op.case ?? "",
    unixTimeEndMs: op.unixTimeEndMs,
    bytesAdded: null,
    bytesProcessed: null,
    durationMs: null,
    snapshotLive: null,
  };
  if (op.op.case === "operationBackup") {
    const entry = op.op.value.lastStatus?.entry;
    if (entry?.case === "summary") {
      columns.bytesAdded = entry.value.dataAdded;
      columns.bytesProcessed = entry.value.totalBytesProcessed;
      columns.durationMs = secondsToMs(entry.value.totalDuration);
    }
  } else if (op.op.case === "operationIndexSnapshot") {
    columns.snapshotLive = op.op.value.forgot ? 0 : 1;
  }
  return columns;
}

function secondsToMs(seconds: number): bigint {
  const ms = Math.round(seconds * 1000);
  return Number.isFinite(ms) && ms > 0 ? BigInt(ms) : 0n;
}

/** A chart duration: restic's when known, else the elapsed time of a finished operation. */
export function chartDurationMs(op: Operation, columns: OpColumns): bigint {
  if (columns.durationMs !== null) return columns.durationMs;
  const elapsed = op.unixTimeEndMs - op.unixTimeStartMs;
  return op.unixTimeEndMs > 0n && elapsed > 0n ? elapsed : 0n;
}
