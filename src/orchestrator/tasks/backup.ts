/**
 * The backup task: runs `restic backup` for a plan and records its progress and outcome
 * on the plan's operation.
 */
import { create } from "@bufbuild/protobuf";
import type { Plan } from "../../../gen/v1/config_pb.js";
import { type Operation, OperationStatus } from "../../../gen/v1/operations_pb.js";
import {
  BackupProgressErrorSchema,
  BackupProgressStatusEntrySchema,
  BackupProgressSummarySchema,
} from "../../../gen/v1/restic_pb.js";
import { checkPrecondition } from "../../hooks/precondition.js";
import type { BackupResult, BackupStatus } from "../../restic/types.js";
import type { TaskContext } from "../runner.js";
import { backupTags } from "../snapshot-tags.js";

/** The body of a backup operation: runs `restic backup` for the plan, recording progress and outcome. */
export function backupTask(opts: { dryRun: boolean }) {
  return async (ctx: TaskContext): Promise<void> => {
    const plan = ctx.plan as Plan;
    if (await skippedByPrecondition(ctx, plan)) return;
    const result = await ctx.deps.restic.backup(
      ctx.target,
      {
        paths: plan.paths,
        excludes: plan.excludes,
        iexcludes: plan.iexcludes,
        tags: backupTags(plan.id, ctx.cfg.instance),
        flags: plan.backupFlags,
        dryRun: opts.dryRun,
        skipIfUnchanged: plan.skipIfUnchanged,
      },
      {
        signal: ctx.signal,
        onStatus: (status) => {
          setStatus(ctx.op, status);
          ctx.progress();
        },
      },
    );
    setResult(ctx.op, result);
  };
}

/**
 * Checks the plan's precondition; when it does not hold, records the operation as skipped
 * with the reason and returns true.
 */
export async function skippedByPrecondition(ctx: TaskContext, plan: Plan): Promise<boolean> {
  const unmet = await checkPrecondition(plan.precondition, {
    signal: ctx.signal,
    env: ctx.deps.hookEnv,
  });
  if (!unmet) return false;
  ctx.op.status = OperationStatus.STATUS_SKIPPED;
  ctx.op.displayMessage = `skipped: ${unmet}`;
  return true;
}

/** A stream to back up as one file, opened when the operation runs. */
export interface StdinInput {
  /**
   * The bytes. Only a stream that ends normally is complete: a producer that fails (a dump
   * tool exiting non-zero, a client going away) must error or destroy it instead of ending
   * it, and restic is then stopped without a snapshot.
   */
  input: NodeJS.ReadableStream;
  /** Settles when the producer is done; a rejection fails the operation with its error. */
  done: Promise<void>;
}

/**
 * The body of a backup operation of a stream (a database dump or an upload): `restic backup
 * --stdin --stdin-filename <filename>` with `tags`, recording progress and outcome like a
 * paths backup. `open` starts the producer once the operation runs (after its queue turn).
 */
export function stdinBackupTask(opts: {
  filename: string;
  tags: string[];
  open: (signal: AbortSignal) => StdinInput;
}) {
  return async (ctx: TaskContext): Promise<void> => {
    const producer = opts.open(ctx.signal);
    // The producer's own failure explains a stopped restic better than "cancelled".
    const produced = producer.done.then(
      () => undefined,
      (error: unknown) => error,
    );
    let result: BackupResult;
    try {
      result = await ctx.deps.restic.backup(
        ctx.target,
        { paths: [], tags: opts.tags, stdin: { filename: opts.filename, input: producer.input } },
        {
          signal: ctx.signal,
          onStatus: (status) => {
            setStatus(ctx.op, status);
            ctx.progress();
          },
        },
      );
    } catch (error) {
      const cause = ctx.signal.aborted ? undefined : await produced;
      throw cause ?? error;
    }
    const failed = await produced;
    if (failed) throw failed;
    setResult(ctx.op, result);
  };
}

function setStatus(op: Operation, s: BackupStatus): void {
  if (op.op.case !== "operationBackup") return;
  op.op.value.lastStatus = {
    $typeName: "v1.BackupProgressEntry",
    entry: {
      case: "status",
      value: create(BackupProgressStatusEntrySchema, {
        percentDone: s.percentDone,
        totalFiles: BigInt(s.totalFiles),
        totalBytes: BigInt(s.totalBytes),
        filesDone: BigInt(s.filesDone),
        bytesDone: BigInt(s.bytesDone),
        currentFile: s.currentFiles,
        secondsElapsed: s.secondsElapsed,
        secondsRemaining: BigInt(Math.round(s.secondsRemaining ?? 0)),
      }),
    },
  };
}

function setResult(op: Operation, r: BackupResult): void {
  if (op.op.case !== "operationBackup") return;
  const s = r.summary;
  op.op.value.lastStatus = {
    $typeName: "v1.BackupProgressEntry",
    entry: {
      case: "summary",
      value: create(BackupProgressSummarySchema, {
        filesNew: BigInt(s.filesNew),
        filesChanged: BigInt(s.filesChanged),
        filesUnmodified: BigInt(s.filesUnmodified),
        dirsNew: BigInt(s.dirsNew),
        dirsChanged: BigInt(s.dirsChanged),
        dirsUnmodified: BigInt(s.dirsUnmodified),
        dataBlobs: BigInt(s.dataBlobs),
        treeBlobs: BigInt(s.treeBlobs),
        dataAdded: BigInt(s.dataAdded),
        totalFilesProcessed: BigInt(s.totalFilesProcessed),
        totalBytesProcessed: BigInt(s.totalBytesProcessed),
        totalDuration: s.totalDuration,
        snapshotId: s.snapshotId,
      }),
    },
  };
  op.op.value.errors = r.errors.map((e) => create(BackupProgressErrorSchema, e));
  op.snapshotId = s.snapshotId;
  if (r.partial) {
    op.status = OperationStatus.STATUS_WARNING;
    const n = r.errors.length;
    op.displayMessage = `snapshot ${s.snapshotId.slice(0, 8)} is partial: ${n} ${n === 1 ? "file" : "files"} could not be read (see the operation's errors)`;
  } else {
    op.status = OperationStatus.STATUS_SUCCESS;
    // restic >= 0.17 with --skip-if-unchanged makes no snapshot when nothing changed.
    if (!s.snapshotId && !op.op.value.dryRun) {
      op.displayMessage = "nothing changed since the last snapshot, so none was made";
    }
  }
}
