/** What an operation is and where it stands, in words and CSS classes. */
import { type Operation, OperationStatus } from "../../../gen/v1/operations_pb";

/** The kind of an operation, for display ("Backup", "Forget", "Hook"...). */
export function opKind(op: Operation): string {
  switch (op.op.case) {
    case "operationBackup": {
      const b = op.op.value;
      const source = b.stdinSource?.databaseName
        ? ` of database ${b.stdinSource.databaseName}`
        : "";
      return `Backup${source}${b.dryRun ? " (dry run)" : ""}`;
    }
    case "operationRestoreDatabase":
      return "Restore database";
    case "operationIndexSnapshot":
      return "Index snapshot";
    case "operationForget":
      return "Forget";
    case "operationPrune":
      return "Prune";
    case "operationRestore":
      return "Restore";
    case "operationStats":
      return "Stats";
    case "operationRunHook":
      return `Hook${op.op.value.name ? `: ${op.op.value.name}` : ""}`;
    case "operationCheck":
      return "Check";
    case "operationRunCommand":
      return `Command: restic ${op.op.value.args.join(" ")}`;
    case "operationUnlock":
      return "Unlock";
    case "operationRecycle":
      return "Recycle bin";
    default:
      return "Operation";
  }
}

const STATUS_TEXT: Record<OperationStatus, string> = {
  [OperationStatus.STATUS_UNKNOWN]: "unknown",
  [OperationStatus.STATUS_PENDING]: "pending",
  [OperationStatus.STATUS_INPROGRESS]: "running",
  [OperationStatus.STATUS_SUCCESS]: "success",
  [OperationStatus.STATUS_WARNING]: "warning",
  [OperationStatus.STATUS_ERROR]: "error",
  [OperationStatus.STATUS_SYSTEM_CANCELLED]: "cancelled (system)",
  [OperationStatus.STATUS_USER_CANCELLED]: "cancelled",
  [OperationStatus.STATUS_SKIPPED]: "skipped",
};

/** A status in words. */
export function statusText(status: OperationStatus): string {
  return STATUS_TEXT[status] ?? "unknown";
}

/** The CSS tone of a status: ok, warn, bad, busy, idle. */
export function statusTone(status: OperationStatus): "ok" | "warn" | "bad" | "busy" | "idle" {
  switch (status) {
    case OperationStatus.STATUS_SUCCESS:
      return "ok";
    case OperationStatus.STATUS_WARNING:
      return "warn";
    case OperationStatus.STATUS_ERROR:
    case OperationStatus.STATUS_SYSTEM_CANCELLED:
      return "bad";
    case OperationStatus.STATUS_INPROGRESS:
      return "busy";
    default:
      return "idle";
  }
}

/** True while an operation may still change (pending or running): it can be cancelled. */
export function isActive(op: Operation): boolean {
  return (
    op.status === OperationStatus.STATUS_PENDING || op.status === OperationStatus.STATUS_INPROGRESS
  );
}

/** The log reference of an operation, wherever its kind keeps it. */
export function logRefOf(op: Operation): string {
  if (op.logref) return op.logref;
  switch (op.op.case) {
    case "operationPrune":
    case "operationCheck":
    case "operationRunCommand":
    case "operationRunHook":
      return op.op.value.outputLogref;
    default:
      return "";
  }
}

/** Seconds left at the rate so far, or undefined when it cannot be told. */
function timeLeft(done: number, total: number, seconds: number): number | undefined {
  const rate = seconds > 0 ? done / seconds : 0;
  return rate > 0 && total > done ? (total - done) / rate : undefined;
}

/** Progress of a running backup or restore (0..1), or undefined when it reports none. */
export function progressOf(
  op: Operation,
  now = Date.now(),
):
  | {
      fraction: number;
      filesDone: bigint;
      totalFiles: bigint;
      bytesDone: bigint;
      totalBytes: bigint;
      seconds: number;
      secondsLeft?: number;
      currentFile?: string;
    }
  | undefined {
  if (op.op.case === "operationBackup") {
    const entry = op.op.value.lastStatus?.entry;
    if (entry?.case !== "status") return undefined;
    const s = entry.value;
    // Older restic reports neither time: count from the operation's start instead.
    const seconds = s.secondsElapsed || Math.max(0, (now - Number(op.unixTimeStartMs)) / 1000);
    return {
      fraction: s.percentDone,
      filesDone: s.filesDone,
      totalFiles: s.totalFiles,
      bytesDone: s.bytesDone,
      totalBytes: s.totalBytes,
      seconds,
      secondsLeft:
        s.secondsRemaining > 0n
          ? Number(s.secondsRemaining)
          : timeLeft(Number(s.bytesDone), Number(s.totalBytes), seconds),
      currentFile: s.currentFile[0],
    };
  }
  if (op.op.case === "operationRestoreDatabase") {
    const r = op.op.value;
    if (r.bytesDone === 0n) return undefined;
    const seconds = Math.max(0, (now - Number(op.unixTimeStartMs)) / 1000);
    return {
      fraction: r.bytesTotal > 0n ? Number(r.bytesDone) / Number(r.bytesTotal) : 0,
      filesDone: 0n,
      totalFiles: 1n,
      bytesDone: r.bytesDone,
      totalBytes: r.bytesTotal,
      seconds,
      secondsLeft: timeLeft(Number(r.bytesDone), Number(r.bytesTotal), seconds),
    };
  }
  if (op.op.case === "operationRestore") {
    const s = op.op.value.lastStatus;
    if (!s) return undefined;
    return {
      fraction: s.percentDone,
      filesDone: s.filesRestored,
      totalFiles: s.totalFiles,
      bytesDone: s.bytesRestored,
      totalBytes: s.totalBytes,
      seconds: s.secondsElapsed,
      secondsLeft: timeLeft(Number(s.bytesRestored), Number(s.totalBytes), s.secondsElapsed),
    };
  }
  return undefined;
}
