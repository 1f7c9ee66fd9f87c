/** Repository maintenance: prune, check, stats and unlock. */
import { create } from "@bufbuild/protobuf";
import { Hook_Condition } from "../../../gen/v1/config_pb.js";
import { RepoStatsSchema } from "../../../gen/v1/restic_pb.js";
import { latestRepoStats } from "../../oplog/repo-stats.js";
import { notifyHooks } from "../hook-runner.js";
import type { TaskContext } from "../runner.js";

/** Writes each line of restic's output to the operation's log. */
function logLines(ctx: TaskContext) {
  const log = ctx.log();
  return (line: string) => log.write(`${line}\n`);
}

/** `restic prune`, honouring the repo's prunePolicy limits on unused space. */
export async function pruneTask(ctx: TaskContext): Promise<void> {
  if (ctx.op.op.case !== "operationPrune") return;
  const policy = ctx.repo.prunePolicy;
  const maxUnused =
    policy && policy.maxUnusedPercent > 0
      ? `${policy.maxUnusedPercent}%`
      : policy && policy.maxUnusedBytes > 0n
        ? `${policy.maxUnusedBytes}`
        : undefined;
  const onOutput = logLines(ctx);
  ctx.op.op.value.outputLogref = ctx.op.logref;
  await ctx.deps.restic.prune(ctx.target, { maxUnused }, { signal: ctx.signal, onOutput });
}

/** `restic check`, reading the share of pack data the repo's checkPolicy asks for. */
export async function checkTask(ctx: TaskContext): Promise<void> {
  if (ctx.op.op.case !== "operationCheck") return;
  const mode = ctx.repo.checkPolicy?.mode;
  const readDataSubset =
    mode?.case === "readDataSubsetPercent" && mode.value > 0 ? `${mode.value}%` : undefined;
  const onOutput = logLines(ctx);
  ctx.op.op.value.outputLogref = ctx.op.logref;
  await ctx.deps.restic.check(ctx.target, { readDataSubset }, { signal: ctx.signal, onOutput });
}

/** Repository size (raw data), restore size and snapshot count, stored on the operation. */
export async function statsTask(ctx: TaskContext): Promise<void> {
  if (ctx.op.op.case !== "operationStats") return;
  const raw = await ctx.deps.restic.stats(ctx.target, "raw-data", { signal: ctx.signal });
  const restore = await ctx.deps.restic.stats(ctx.target, "restore-size", { signal: ctx.signal });
  ctx.op.op.value.stats = create(RepoStatsSchema, {
    totalSize: BigInt(raw.totalSize),
    totalUncompressedSize: BigInt(raw.totalUncompressedSize ?? raw.totalSize),
    compressionRatio: raw.compressionRatio ?? 1,
    totalBlobCount: BigInt(raw.totalBlobCount),
    snapshotCount: BigInt(raw.snapshotsCount),
    restoreSize: BigInt(restore.totalSize),
    totalFileCount: BigInt(restore.totalFileCount),
  });
  const limit = ctx.repo.storageAlertBytes;
  // Raised once when the size crosses the limit, not on every stats run above it.
  const before = latestRepoStats(ctx.deps.ops, ctx.repo.id, ctx.op.id)?.totalSize ?? 0n;
  if (limit > 0n && BigInt(raw.totalSize) > limit && before <= limit) {
    ctx.op.displayMessage = `the repository stores ${raw.totalSize} bytes, more than its storageAlertBytes (${limit})`;
    ctx.save();
    await notifyHooks(ctx.deps, Hook_Condition.STORAGE_THRESHOLD, {
      repo: ctx.repo,
      message: ctx.op.displayMessage,
      parent: ctx.op,
    });
  }
}

/** `restic unlock`: removes stale locks (all locks with removeAll). */
export async function unlockTask(ctx: TaskContext): Promise<void> {
  if (ctx.op.op.case !== "operationUnlock") return;
  await ctx.deps.restic.unlock(ctx.target, {
    signal: ctx.signal,
    removeAll: ctx.op.op.value.removeAll,
  });
}
