/** `restic backup --json`: its argv and the collection of its output streams. */
import { toBackupFileError, toBackupStatus, toBackupSummary } from "./backup-messages.js";
import { type JsonObject, parseJsonObject } from "./json-lines.js";
import type {
  BackupFileError,
  BackupOptions,
  BackupStatus,
  BackupSummary,
  ResticVersion,
} from "./types.js";
import { versionAtLeast } from "./version.js";

/** Per-file errors kept per backup; more are only counted, so a huge unreadable tree cannot exhaust memory. */
export const MAX_FILE_ERRORS = 1000;

/**
 * The argv after the global flags: `backup --json [--tag=t]... [--exclude=e]...
 * [--iexclude=e]... [--dry-run] [--skip-if-unchanged] [flags] -- paths...`. The
 * `--flag=value` form and the `--` keep values and paths that start with "-" from being read
 * as flags. Features newer than restic 0.14 are used only when `version` has them.
 */
export function backupArgs(backup: BackupOptions, version?: ResticVersion): string[] {
  const skipIfUnchanged = backup.skipIfUnchanged && version && versionAtLeast(version, 0, 17, 0);
  if (backup.stdin) {
    return [
      "backup",
      "--json",
      "--stdin",
      `--stdin-filename=${backup.stdin.filename}`,
      ...(backup.tags ?? []).map((tag) => `--tag=${tag}`),
      ...(backup.dryRun ? ["--dry-run"] : []),
      ...(backup.flags ?? []),
    ];
  }
  return [
    "backup",
    "--json",
    ...(backup.tags ?? []).map((tag) => `--tag=${tag}`),
    ...(backup.excludes ?? []).map((pattern) => `--exclude=${pattern}`),
    ...(backup.iexcludes ?? []).map((pattern) => `--iexclude=${pattern}`),
    ...(backup.dryRun ? ["--dry-run"] : []),
    ...(skipIfUnchanged ? ["--skip-if-unchanged"] : []),
    ...(backup.flags ?? []),
    "--",
    ...backup.paths,
  ];
}

/** Accumulates what a backup printed, line by line, from both streams. */
export interface BackupCollector {
  onStdoutLine(line: string): void;
  onStderrLine(line: string): void;
  /** The `summary` message, once seen. */
  readonly summary: BackupSummary | undefined;
  /** The first MAX_FILE_ERRORS per-file errors. */
  readonly errors: BackupFileError[];
  /** How many per-file errors were counted but not kept. */
  readonly errorsOmitted: number;
}

/**
 * Creates a collector that forwards each `status` to `onStatus` and keeps the summary and
 * per-file errors. Lines that are not JSON, and message types it does not know, are
 * ignored. A throwing `onStatus` is reported to `onCallbackError` and does not stop the
 * backup: a progress display's bug must not fail the snapshot.
 */
export function createBackupCollector(
  onStatus?: (status: BackupStatus) => void,
  onCallbackError: (error: unknown) => void = () => {},
): BackupCollector {
  let summary: BackupSummary | undefined;
  const errors: BackupFileError[] = [];
  let errorsOmitted = 0;
  const handle = (msg: JsonObject | undefined) => {
    switch (msg?.message_type) {
      case "status":
        if (!onStatus) return;
        try {
          onStatus(toBackupStatus(msg));
        } catch (error) {
          onCallbackError(error);
        }
        return;
      case "summary":
        summary = toBackupSummary(msg);
        return;
      case "error":
        if (errors.length < MAX_FILE_ERRORS) errors.push(toBackupFileError(msg));
        else errorsOmitted++;
        return;
    }
  };
  return {
    onStdoutLine: (line) => handle(parseJsonObject(line)),
    onStderrLine: (line) => handle(parseJsonObject(line)),
    get summary() {
      return summary;
    },
    errors,
    get errorsOmitted() {
      return errorsOmitted;
    },
  };
}
