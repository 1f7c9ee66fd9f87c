/** `restic restore`: its argv, its progress (JSON on restic 0.16+) and its text output. */
import { buildCallEnv } from "./env.js";
import { type InvokeContext, invoke } from "./invoke.js";
import { type JsonObject, numberField, parseJsonObject } from "./json-lines.js";
import { callbackErrorLogger, callSafely, createTextOutput } from "./text-output.js";
import type {
  CallOptions,
  ResticRepo,
  ResticVersion,
  RestoreOptions,
  RestoreProgress,
  RestoreResult,
} from "./types.js";
import { versionAtLeast } from "./version.js";

/** Options of one restore call. */
export type RestoreCallOptions = CallOptions & {
  onProgress?: (p: RestoreProgress) => void;
  onOutput?: (line: string) => void;
};

/** True when this restic prints restore progress as JSON (`restore --json`, 0.16+). */
export function restorePrintsJson(version: ResticVersion): boolean {
  return versionAtLeast(version, 0, 16, 0);
}

/**
 * restic reads `--include` values as patterns, so `*`, `?`, `[` and `\` in a file name would
 * select other files or none; escaping them makes each include exactly that path.
 */
export function escapeIncludePattern(path: string): string {
  return path.replace(/[\\*?[]/g, "\\$&");
}

/**
 * The argv for `restore [--json] --target=<dir> [--include=<path>]... -- <snapshot>`.
 * `--json` is passed only where restic honours it: 0.14 accepts it and prints text anyway.
 */
export function restoreArgs(restore: RestoreOptions, version: ResticVersion): string[] {
  return [
    "restore",
    ...(restorePrintsJson(version) ? ["--json"] : []),
    `--target=${restore.target}`,
    ...(restore.include ?? []).map((path) => `--include=${escapeIncludePattern(path)}`),
    "--",
    restore.snapshotId,
  ];
}

/**
 * Maps a `status` or `summary` message of `restore --json`. restic leaves out zero fields;
 * the summary has no percent_done, so it counts as 1 (done). Skipped files (0.17+) are
 * copied when present.
 */
export function toRestoreProgress(msg: JsonObject): RestoreProgress {
  const progress: RestoreProgress = {
    percentDone: numberField(msg, "percent_done", msg.message_type === "summary" ? 1 : 0),
    totalFiles: numberField(msg, "total_files"),
    filesRestored: numberField(msg, "files_restored"),
    totalBytes: numberField(msg, "total_bytes"),
    bytesRestored: numberField(msg, "bytes_restored"),
    secondsElapsed: numberField(msg, "seconds_elapsed"),
  };
  if (typeof msg.files_skipped === "number") progress.filesSkipped = msg.files_skipped;
  if (typeof msg.bytes_skipped === "number") progress.bytesSkipped = msg.bytes_skipped;
  return progress;
}

/** Sorts restore output: JSON status/summary lines become progress, other lines text. */
export interface RestoreCollector {
  onStdoutLine(line: string): void;
  onStderrLine(line: string): void;
  readonly summary: RestoreProgress | undefined;
}

/**
 * Creates a collector that sends `status` messages to `onProgress`, keeps the `summary`,
 * and passes every non-JSON line (and every stderr line, where restic reports files it
 * could not restore) to `onText`. Other JSON messages (e.g. 0.17's verbose_status) are
 * dropped. A throwing `onProgress` is reported to `onCallbackError`, not propagated.
 */
export function createRestoreCollector(
  onProgress: ((p: RestoreProgress) => void) | undefined,
  onText: (line: string) => void,
  onCallbackError: (error: unknown) => void = () => {},
): RestoreCollector {
  let summary: RestoreProgress | undefined;
  const onLine = (line: string) => {
    const msg = parseJsonObject(line);
    if (!msg) return onText(line);
    if (msg.message_type === "summary") summary = toRestoreProgress(msg);
    else if (msg.message_type === "status" && onProgress)
      callSafely(() => onProgress(toRestoreProgress(msg)), onCallbackError);
    else if (msg.message_type === "error") onText(line);
  };
  return {
    onStdoutLine: onLine,
    onStderrLine: onLine,
    get summary() {
      return summary;
    },
  };
}

/** Runs `restic restore`; rejects with ResticError when restic exits non-zero. */
export async function runRestore(
  ctx: InvokeContext,
  repo: ResticRepo,
  restore: RestoreOptions,
  version: ResticVersion,
  opts?: RestoreCallOptions,
): Promise<RestoreResult> {
  const { secrets } = buildCallEnv(ctx.baseEnv, repo);
  const logError = callbackErrorLogger(ctx.log, secrets, "restic restore: a callback");
  // Nothing is kept: the text goes to onOutput, and failures carry stderr's tail.
  const text = createTextOutput(secrets, opts?.onOutput, logError, 0);
  const collector = createRestoreCollector(opts?.onProgress, text.onLine, logError);
  await invoke(ctx, repo, {
    subcommand: "restore",
    args: restoreArgs(restore, version),
    signal: opts?.signal,
    onStdoutLine: collector.onStdoutLine,
    onStderrLine: collector.onStderrLine,
  });
  return collector.summary ? { summary: collector.summary } : {};
}
