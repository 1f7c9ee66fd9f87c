/** Handlers that start work: Backup, DoRepoTask, Forget, Restore, RunCommand. */
import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { Int64ValueSchema } from "../../../gen/types/value_pb.js";
import type { Operation } from "../../../gen/v1/operations_pb.js";
import {
  type Backrest,
  DoRepoTaskRequest_Task,
  OperationStartedSchema,
} from "../../../gen/v1/service_pb.js";
import { ValidationError } from "../../errors.js";
import type { RepoTask } from "../../orchestrator/orchestrator.js";
import { required } from "./config.js";
import type { BackrestServiceDeps } from "./deps.js";
import { optionalSnapshotId, snapshotId } from "./snapshot-ids.js";

type Handlers = Pick<
  ServiceImpl<typeof Backrest>,
  "backup" | "startBackup" | "doRepoTask" | "forget" | "restore" | "runCommand"
>;

const REPO_TASKS: Partial<Record<DoRepoTaskRequest_Task, RepoTask>> = {
  [DoRepoTaskRequest_Task.PRUNE]: "prune",
  [DoRepoTaskRequest_Task.CHECK]: "check",
  [DoRepoTaskRequest_Task.STATS]: "stats",
  [DoRepoTaskRequest_Task.UNLOCK]: "unlock",
  [DoRepoTaskRequest_Task.FORGET]: "forget",
};

/** The started operation's id (0 when nothing was started). */
export function started(op: Operation | undefined) {
  return create(OperationStartedSchema, { operationId: op?.id ?? 0n });
}

export function taskHandlers(deps: BackrestServiceDeps): Handlers {
  const o = deps.orchestrator;
  return {
    backup: (req) =>
      o.backup(required(req.value, "value", "the plan to back up"), { dryRun: req.dryRun }),
    startBackup: (req) =>
      started(
        o.startBackup(required(req.value, "value", "the plan to back up"), { dryRun: req.dryRun }),
      ),
    doRepoTask: async (req) => {
      const repoId = required(req.repoId, "repoId", "a repo");
      if (req.task === DoRepoTaskRequest_Task.INDEX_SNAPSHOTS) {
        await o.indexSnapshots(repoId);
        return started(undefined);
      }
      const task = REPO_TASKS[req.task];
      if (!task) {
        throw new ValidationError([
          {
            path: "task",
            message:
              "must be one of TASK_INDEX_SNAPSHOTS, TASK_PRUNE, TASK_CHECK, TASK_STATS, TASK_UNLOCK, TASK_FORGET",
          },
        ]);
      }
      return started(o.startRepoTask(repoId, task).at(-1));
    },
    forget: (req) =>
      started(
        o.startForget({
          repoId: required(req.repoId, "repoId", "a repo"),
          planId: req.planId,
          snapshotId: optionalSnapshotId(req.snapshotId, "snapshotId"),
        }),
      ),
    restore: (req) =>
      started(
        o.startRestore({
          repoId: required(req.repoId, "repoId", "a repo"),
          planId: req.planId,
          snapshotId: snapshotId(req.snapshotId, "snapshotId", "the snapshot to restore from"),
          path: req.path,
          target: req.target,
        }),
      ),
    runCommand: (req) => {
      const repoId = required(req.repoId, "repoId", "a repo");
      const command =
        req.args.length > 0 ? req.args : required(req.command, "command", "a restic command");
      return create(Int64ValueSchema, { value: o.startCommand(repoId, command).id });
    },
  };
}
