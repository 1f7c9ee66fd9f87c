/** `restic stats --json`: the repository's size in one of restic's counting modes. */
import { badOutputError } from "./classify.js";
import { type InvokeContext, invoke } from "./invoke.js";
import { type JsonObject, parseJsonObject } from "./json-lines.js";
import type { CallOptions, RepoStatsResult, ResticRepo } from "./types.js";

/** The counting modes the daemon asks for. */
export type StatsMode = "restore-size" | "raw-data";

/**
 * The argv for `stats --json --mode=<mode>`. No `--no-lock`: stats takes a shared lock, so
 * it never blocks backups, and while a prune holds its exclusive lock a clear "locked"
 * error is better than walking trees the prune may be deleting.
 */
export function statsArgs(mode: StatsMode): string[] {
  return ["stats", "--json", `--mode=${mode}`];
}

/**
 * Parses the stats object (the last JSON object line of the output). Fields restic leaves
 * out count as 0 (`total_blob_count` in restore-size mode); the compression fields are set
 * only where restic prints them (0.15+ on repository format 2). undefined when there is no
 * object with `total_size`.
 */
export function parseStats(text: string): RepoStatsResult | undefined {
  const msg = text
    .split("\n")
    .map(parseJsonObject)
    .filter((obj): obj is JsonObject => obj !== undefined)
    .at(-1);
  if (!msg || typeof msg.total_size !== "number") return undefined;
  const stats: RepoStatsResult = {
    totalSize: msg.total_size,
    totalFileCount: numberOr0(msg.total_file_count),
    totalBlobCount: numberOr0(msg.total_blob_count),
    snapshotsCount: numberOr0(msg.snapshots_count),
  };
  const optional: [keyof RepoStatsResult, string][] = [
    ["totalUncompressedSize", "total_uncompressed_size"],
    ["compressionRatio", "compression_ratio"],
    ["compressionProgress", "compression_progress"],
    ["compressionSpaceSaving", "compression_space_saving"],
  ];
  for (const [field, key] of optional) {
    const value = msg[key];
    if (typeof value === "number" && Number.isFinite(value)) stats[field] = value;
  }
  return stats;
}

function numberOr0(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** Runs `restic stats`. */
export async function runStats(
  ctx: InvokeContext,
  repo: ResticRepo,
  mode: StatsMode,
  opts?: CallOptions,
): Promise<RepoStatsResult> {
  const { outcome, run } = await invoke(ctx, repo, {
    subcommand: "stats",
    args: statsArgs(mode),
    signal: opts?.signal,
  });
  const stats = parseStats(outcome.stdout);
  if (!stats) throw badOutputError(run, "printed no statistics object");
  return stats;
}
