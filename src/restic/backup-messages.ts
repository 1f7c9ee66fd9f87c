/**
 * Mapping of `restic backup --json` messages (snake_case, fields may be missing or new)
 * to the module's camelCase types.
 */
import {
  isJsonObject,
  type JsonObject,
  numberField,
  stringArrayField,
  stringField,
} from "./json-lines.js";
import type { BackupFileError, BackupStatus, BackupSummary } from "./types.js";

/** Maps a `status` message; restic leaves out fields that are still zero. */
export function toBackupStatus(msg: JsonObject): BackupStatus {
  const status: BackupStatus = {
    percentDone: numberField(msg, "percent_done"),
    totalFiles: numberField(msg, "total_files"),
    filesDone: numberField(msg, "files_done"),
    totalBytes: numberField(msg, "total_bytes"),
    bytesDone: numberField(msg, "bytes_done"),
    currentFiles: stringArrayField(msg, "current_files"),
    secondsElapsed: numberField(msg, "seconds_elapsed"),
  };
  const remaining = msg.seconds_remaining;
  if (typeof remaining === "number" && Number.isFinite(remaining))
    status.secondsRemaining = remaining;
  return status;
}

/** Maps the `summary` message; `snapshotId` is "" on a dry run. */
export function toBackupSummary(msg: JsonObject): BackupSummary {
  return {
    filesNew: numberField(msg, "files_new"),
    filesChanged: numberField(msg, "files_changed"),
    filesUnmodified: numberField(msg, "files_unmodified"),
    dirsNew: numberField(msg, "dirs_new"),
    dirsChanged: numberField(msg, "dirs_changed"),
    dirsUnmodified: numberField(msg, "dirs_unmodified"),
    dataBlobs: numberField(msg, "data_blobs"),
    treeBlobs: numberField(msg, "tree_blobs"),
    dataAdded: numberField(msg, "data_added"),
    totalFilesProcessed: numberField(msg, "total_files_processed"),
    totalBytesProcessed: numberField(msg, "total_bytes_processed"),
    totalDuration: numberField(msg, "total_duration"),
    snapshotId: stringField(msg, "snapshot_id"),
  };
}

/** Maps an `error` message (printed on stderr) about one file. */
export function toBackupFileError(msg: JsonObject): BackupFileError {
  return {
    item: stringField(msg, "item"),
    during: stringField(msg, "during"),
    message: describeGoError(msg.error) || "unknown error (restic did not describe it)",
  };
}

/**
 * Renders the `error` field readably. restic 0.14 JSON-encodes the Go error value itself,
 * so an unreadable file arrives as an os.PathError `{"Op":"open","Path":"/x","Err":13}`
 * with a bare errno; newer restic sends `{"message": "..."}`. Go's own wording is kept
 * ("open /x: permission denied").
 */
export function describeGoError(error: unknown, depth = 0): string {
  if (typeof error === "string") return error;
  if (typeof error === "number") return errnoText(error);
  if (!isJsonObject(error) || depth > 4) return "";
  if (typeof error.message === "string") return error.message;
  const inner = describeGoError(error.Err, depth + 1);
  const op = stringField(error, "Op");
  const subject = [
    stringField(error, "Path"),
    stringField(error, "Old"),
    stringField(error, "New"),
  ].filter((s) => s !== "");
  const head = [op || stringField(error, "Syscall"), ...subject].filter((s) => s !== "").join(" ");
  if (head && inner) return `${head}: ${inner}`;
  if (head || inner) return head || inner;
  const json = JSON.stringify(error);
  return json === "{}" ? "" : json;
}

// Linux errno numbers and Go's texts for them; the ones file reads can run into.
const ERRNO_TEXT: Partial<Record<number, string>> = {
  1: "operation not permitted",
  2: "no such file or directory",
  4: "interrupted system call",
  5: "input/output error",
  6: "no such device or address",
  9: "bad file descriptor",
  11: "resource temporarily unavailable",
  12: "cannot allocate memory",
  13: "permission denied",
  16: "device or resource busy",
  19: "no such device",
  20: "not a directory",
  21: "is a directory",
  22: "invalid argument",
  23: "too many open files in system",
  24: "too many open files",
  27: "file too large",
  28: "no space left on device",
  30: "read-only file system",
  36: "file name too long",
  40: "too many levels of symbolic links",
  61: "no data available",
  95: "operation not supported",
  107: "transport endpoint is not connected",
  110: "connection timed out",
  116: "stale NFS file handle",
  121: "remote I/O error",
};

/** Go's text for a Linux errno number, or "errno N" for one not in the table. */
export function errnoText(errno: number): string {
  return ERRNO_TEXT[errno] ?? `errno ${errno}`;
}
