/**
 * The orchestrator runs operations: it records each one in the operation log, runs
 * operations on one repository one at a time and different repositories in parallel,
 * and cancels them on request or at shutdown.
 */
import { create } from "@bufbuild/protobuf";
import type { Config, Plan, Repo } from "../../gen/v1/config_pb.js";
import { type Operation, OperationSchema, OperationStatus } from "../../gen/v1/operations_pb.js";
import { NotFoundError, UnavailableError } from "../errors.js";
import { recoverInterrupted } from "../oplog/recover.js";
import type { OrchestratorDeps } from "./deps.js";
import { CancelReason } from "./errors.js";
import { resticRepoOf } from "./repo-target.js";
import { addRepo, ensureRepoGuid, removeRepo } from "./repos.js";
import { createSerialQueues } from "./serial-queues.js";
import { runBackupTask } from "./tasks/backup.js";
import { finishWithError } from "./tasks/finish.js";

export interface Orchestrator {
  /**
   * Runs a plan's backup and resolves with the finished operation once restic is done.
   * Deliberately takes no caller signal: a client that disconnects does not stop a backup.
   * Rejects with NotFoundError for an unknown plan, OperationFailedError when the backup fails.
   */
  backup(planId: string, opts?: { dryRun?: boolean }): Promise<Operation>;
  /** Cancels a queued or running operation. Returns false when it is not running here. */
  cancel(opId: bigint): boolean;
  /**
   * Start-up recovery: operations a crash left in progress are marked failed and the
   * stale locks of their repositories are removed. Returns the recovered operations.
   */
  recover(): Promise<Operation[]>;
  /** Cancels everything running (recorded as system-cancelled) and waits for it to end. */
  shutdown(): Promise<void>;
  /** Adds or replaces a repository (queued behind its running operations); see repos.addRepo. */
  addRepo(repo: Repo): Promise<Config>;
  /** Removes a repository from the config and its history from the log; see repos.removeRepo. */
  removeRepo(repoId: string): Config;
}

export function createOrchestrator(deps: OrchestratorDeps): Orchestrator {
  const queues = createSerialQueues();
  const running = new Map<bigint, AbortController>();
  let closing = false;

  function find(cfg: Config, planId: string): { plan: Plan; repo: Repo } {
    const plan = cfg.plans.find((p) => p.id === planId);
    if (!plan) throw new NotFoundError("plan", planId);
    const repo = cfg.repos.find((r) => r.id === plan.repo);
    if (!repo) throw new NotFoundError("repo", plan.repo);
    return { plan, repo };
  }

  async function backup(planId: string, opts: { dryRun?: boolean } = {}): Promise<Operation> {
    if (closing)
      throw new UnavailableError("the daemon is shutting down; retry once it has restarted");
    const cfg = deps.config.get();
    const { repo } = find(cfg, planId);
    const now = BigInt(deps.clock.now());
    const [queued] = deps.ops.add(
      create(OperationSchema, {
        status: OperationStatus.STATUS_PENDING,
        planId,
        repoId: repo.id,
        repoGuid: repo.guid,
        instanceId: cfg.instance,
        unixTimeStartMs: now,
        op: { case: "operationBackup", value: { dryRun: opts.dryRun ?? false } },
      }),
    ) as [Operation];
    const controller = new AbortController();
    running.set(queued.id, controller);
    try {
      return await queues.run(repo.id, () =>
        startBackup(queued, planId, opts.dryRun ?? false, controller.signal),
      );
    } finally {
      running.delete(queued.id);
    }
  }

  async function startBackup(
    queued: Operation,
    planId: string,
    dryRun: boolean,
    signal: AbortSignal,
  ) {
    let op = deps.ops.get(queued.id) ?? queued;
    try {
      signal.throwIfAborted();
      // The config may have changed while the operation waited in the queue.
      const cfg = deps.config.get();
      const { plan, repo } = find(cfg, planId);
      op.status = OperationStatus.STATUS_INPROGRESS;
      op.unixTimeStartMs = BigInt(deps.clock.now());
      [op] = deps.ops.update(op) as [Operation];
      const guid = await ensureRepoGuid(deps, repo, signal);
      if (op.repoGuid !== guid) {
        op.repoGuid = guid;
        [op] = deps.ops.update(op) as [Operation];
      }
      return await runBackupTask(deps, { op, plan, repo, instance: cfg.instance, dryRun, signal });
    } catch (err) {
      if (err instanceof Error && err.name === "OperationFailedError") throw err;
      return finishWithError(deps, deps.ops.get(op.id) ?? op, err, signal);
    }
  }

  async function recover(): Promise<Operation[]> {
    const recovered = recoverInterrupted(
      deps.ops,
      "the daemon stopped while this operation was running (crash or kill); marked failed at the next start",
      deps.clock.now(),
    );
    const repoIds = new Set(recovered.map((op) => op.repoId));
    const cfg = deps.config.get();
    await Promise.all(
      [...repoIds].map(async (id) => {
        const repo = cfg.repos.find((r) => r.id === id);
        if (!repo) return;
        try {
          await queues.run(id, () => deps.restic.unlock(resticRepoOf(repo)));
          deps.log.info("removed stale locks after an interrupted operation", { repo: id });
        } catch (err) {
          deps.log.warn("could not unlock repository after an interrupted operation", {
            repo: id,
            error: err instanceof Error ? err.message : String(err),
          });
        }
      }),
    );
    return recovered;
  }

  return {
    backup,
    cancel(opId) {
      const controller = running.get(opId);
      if (!controller) return false;
      controller.abort(new CancelReason("user"));
      return true;
    },
    recover,
    async shutdown() {
      closing = true;
      for (const c of running.values()) c.abort(new CancelReason("system"));
      await queues.idle();
    },
    addRepo: (repo) => queues.run(repo.id, () => addRepo(deps, repo)),
    removeRepo: (repoId) => removeRepo(deps, repoId),
  };
}
