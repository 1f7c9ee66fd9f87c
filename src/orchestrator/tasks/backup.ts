/**
 * The backup task: runs `restic backup` for a plan and records its progress and outcome
 * on the plan's operation.
 */
import { create } from "@bufbuild/protobuf";
import type { Plan, Repo } from "../../../gen/v1/config_pb.js";
import { type Operation, OperationStatus } from "../../../gen/v1/operations_pb.js";
import {
  BackupProgressErrorSchema,
  BackupProgressStatusEntrySchema,
  BackupProgressSummarySchema,
} from "../../../gen/v1/restic_pb.js";
import { createThrottledUpdater } from "../../oplog/throttled-updater.js";
import type { BackupResult, BackupStatus } from "../../restic/types.js";
import type { OrchestratorDeps } from "../deps.js";
import { resticRepoOf } from "../repo-target.js";
import { finishWithError } from "./finish.js";

export interface BackupTaskInput {
  op: Operation;
  plan: Plan;
  repo: Repo;
  instance: string;
  dryRun: boolean;
  signal: AbortSignal;
}

/** Snapshot tags that tie a snapshot to its plan and to this installation. */
export function backupTags(planId: string, instance: string): string[] {
  return [`plan:${planId}`, `created-by:${instance}`];
}

/**
 * Runs the backup and returns the finished operation (success or warning).
 * Throws OperationFailedError, with the operation recorded as error or cancelled, otherwise.
 */
export async function runBackupTask(
  deps: OrchestratorDeps,
  input: BackupTaskInput,
): Promise<Operation> {
  const { ops, restic, clock } = deps;
  const { plan, repo } = input;
  let op = input.op;
  const progress = createThrottledUpdater(ops, {
    intervalMs: deps.progressIntervalMs ?? 1000,
    now: () => clock.now(),
  });
  try {
    const result = await restic.backup(
      resticRepoOf(repo),
      {
        paths: plan.paths,
        excludes: plan.excludes,
        iexcludes: plan.iexcludes,
        tags: backupTags(plan.id, input.instance),
        flags: plan.backupFlags,
        dryRun: input.dryRun,
        skipIfUnchanged: plan.skipIfUnchanged,
      },
      {
        signal: input.signal,
        onStatus: (status) => {
          setStatus(op, status);
          progress.update(op);
        },
      },
    );
    progress.close();
    setResult(op, result);
    op.unixTimeEndMs = BigInt(clock.now());
    [op] = ops.update(op) as [Operation];
    return op;
  } catch (err) {
    progress.close();
    op = ops.get(op.id) ?? op;
    return finishWithError(deps, op, err, input.signal);
  }
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
