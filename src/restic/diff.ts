/** `restic diff --json`: what changed between two snapshots, read one line at a time. */
import { badOutputError } from "./classify.js";
import { type InvokeContext, invoke } from "./invoke.js";
import {
  isJsonObject,
  type JsonObject,
  numberField,
  parseJsonObject,
  stringField,
} from "./json-lines.js";
import type {
  CallOptions,
  DiffChange,
  DiffCounts,
  DiffResult,
  DiffStatistics,
  ResticRepo,
} from "./types.js";

/** The most changes a diff keeps unless told otherwise; the rest are only counted. */
export const MAX_DIFF_CHANGES = 10_000;

/** Options of one diff. */
export type DiffCallOptions = CallOptions & {
  /** Changes kept (default MAX_DIFF_CHANGES); later ones are counted in `omitted`. */
  maxChanges?: number;
};

/**
 * The argv for `diff --json -- <a> <b>`. The ids come after "--" so that an id starting
 * with "-" is taken as an id (and not found), never as a flag.
 */
export function diffArgs(snapshotA: string, snapshotB: string): string[] {
  return ["diff", "--json", "--", snapshotA, snapshotB];
}

/** Reads `diff --json` output line by line, keeping at most `maxChanges` changes. */
export interface DiffReader {
  onLine(line: string): void;
  /** The result so far; `statistics` is undefined until restic printed its statistics line. */
  result(): Omit<DiffResult, "statistics"> & { statistics: DiffStatistics | undefined };
}

/**
 * Creates a reader for `diff --json` lines: `change` messages (path, modifier) are kept up
 * to `maxChanges` and counted past it; the `statistics` message gives the totals. Other
 * lines (text, unknown message types) are ignored.
 */
export function createDiffReader(maxChanges = MAX_DIFF_CHANGES): DiffReader {
  const changes: DiffChange[] = [];
  let omitted = 0;
  let statistics: DiffStatistics | undefined;
  return {
    onLine(line) {
      const msg = parseJsonObject(line);
      if (!msg) return;
      if (msg.message_type === "change") {
        if (changes.length < maxChanges)
          changes.push({ path: stringField(msg, "path"), modifier: stringField(msg, "modifier") });
        else omitted++;
      } else if (msg.message_type === "statistics") {
        statistics = toDiffStatistics(msg);
      }
    },
    result: () => ({ changes, omitted, truncated: omitted > 0, statistics }),
  };
}

/** Maps the `statistics` message. Fields restic leaves out count as 0. */
export function toDiffStatistics(msg: JsonObject): DiffStatistics {
  return {
    sourceSnapshot: stringField(msg, "source_snapshot"),
    targetSnapshot: stringField(msg, "target_snapshot"),
    changedFiles: numberField(msg, "changed_files"),
    added: toCounts(msg.added),
    removed: toCounts(msg.removed),
  };
}

function toCounts(value: unknown): DiffCounts {
  const obj = isJsonObject(value) ? value : {};
  return {
    files: numberField(obj, "files"),
    dirs: numberField(obj, "dirs"),
    others: numberField(obj, "others"),
    dataBlobs: numberField(obj, "data_blobs"),
    treeBlobs: numberField(obj, "tree_blobs"),
    bytes: numberField(obj, "bytes"),
  };
}

/**
 * Runs `restic diff` with its output streamed through a DiffReader, so a diff of millions
 * of paths holds only the kept changes. Rejects with ResticError (kind "snapshot-not-found"
 * for an unknown id) or ResticCancelledError.
 */
export async function runDiff(
  ctx: InvokeContext,
  repo: ResticRepo,
  snapshotA: string,
  snapshotB: string,
  opts?: DiffCallOptions,
): Promise<DiffResult> {
  const reader = createDiffReader(opts?.maxChanges);
  const { run } = await invoke(ctx, repo, {
    subcommand: "diff",
    args: diffArgs(snapshotA, snapshotB),
    signal: opts?.signal,
    onStdoutLine: reader.onLine,
  });
  const { statistics, ...rest } = reader.result();
  if (!statistics) throw badOutputError(run, "printed no statistics line");
  return { ...rest, statistics };
}
