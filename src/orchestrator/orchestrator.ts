/**
 * The orchestrator runs operations: it records each one in the operation log, runs
 * operations on one repository one at a time and different repositories in parallel,
 * chains the follow-ups (retention and indexing after a backup), and cancels on request
 * or at shutdown.
 */
import type { Config, Repo } from "../../gen/v1/config_pb.js";
import { type Operation, OperationStatus } from "../../gen/v1/operations_pb.js";
import type { ResticSnapshot } from "../../gen/v1/restic_pb.js";
import type { DiffSnapshotsResponse, LsEntry, TestRepoResponse } from "../../gen/v1/service_pb.js";
import { ConflictError, NotFoundError } from "../errors.js";
import { recoverInterrupted } from "../oplog/recover.js";
import { listSnapshotFolder } from "./browse.js";
import { splitCommandLine } from "./command-line.js";
import type { OrchestratorDeps } from "./deps.js";
import { diffSnapshots } from "./diff-snapshots.js";
import { restoreTarget, snapshotPath } from "./paths.js";
import { startPlanBackup } from "./plan-backup.js";
import { resticRepoOf } from "./repo-target.js";
import { addRepo, ensureRepoGuid, removeRepo } from "./repos.js";
import { type RestoreDatabaseRequest, restoreDatabaseSpec } from "./restore-database.js";
import { type RotationOptions, rotationSpec } from "./rotate-password.js";
import { createRunner, type OperationSpec } from "./runner.js";
import type { ScheduledJob } from "./scheduler.js";
import { createSerialQueues } from "./serial-queues.js";
import { isRecycled, recycledAt } from "./snapshot-tags.js";
import { listSnapshots } from "./snapshots.js";
import {
  forgetByPolicyTask,
  forgetPlansTask,
  forgetSnapshotsTask,
  keepRules,
} from "./tasks/forget.js";
import { type IndexResult, indexSnapshots } from "./tasks/index-snapshots.js";
import { checkTask, pruneTask, statsTask, unlockTask } from "./tasks/maintenance.js";
import { purgeTask, recycleTask, unrecycleTask } from "./tasks/recycle.js";
import { restoreTask } from "./tasks/restore.js";
import { runCommandTask } from "./tasks/run-command.js";
import { testRepo } from "./test-repo.js";
import { CLEANUP_TIME_LIMIT_MS, withTimeLimit } from "./time-limit.js";
import { createUploads, type Uploads } from "./uploads.js";

export type RepoTask = "prune" | "check" | "stats" | "unlock" | "forget";

const DAY_MS = 24 * 60 * 60 * 1000;
/** The message of an operation a crash left running, marked failed at the next start. */
const RECOVERED_MESSAGE =
  "the daemon stopped while this operation was running (crash or kill); marked failed at the next start";

export interface Orchestrator {
  /**
   * Runs a plan's backup (its paths, and each database source as a snapshot of its own) and
   * resolves with the first finished operation once every source is done; retention and
   * indexing follow in the same flow. Takes no caller signal on purpose: a client that
   * disconnects does not stop a backup. Rejects with NotFoundError for an unknown plan,
   * OperationFailedError (of the first that failed) when any source's backup fails.
   */
  backup(
    planId: string,
    opts?: { dryRun?: boolean; existing?: Operation; attempt?: number },
  ): Promise<Operation>;
  /**
   * Queues a plan's backup and returns its first operation at once (retention and indexing
   * follow). A plan with database sources gets one more operation, in the same flow, per source.
   */
  startBackup(planId: string, opts?: { dryRun?: boolean }): Operation;
  /** Runs a scheduled job on its pending operation (see scheduler.ts). */
  runScheduled(job: ScheduledJob, pending: Operation): Promise<Operation>;
  /** Starts a maintenance task; resolves with its queued operation. "forget" applies every plan's policy on the repo. */
  startRepoTask(repoId: string, task: RepoTask): Operation[];
  /** Brings the operation log in step with the repository's snapshots (queued behind its operations). */
  indexSnapshots(repoId: string): Promise<IndexResult>;
  /** Forgets one snapshot, or applies a plan's retention policy. */
  startForget(req: { repoId: string; planId?: string; snapshotId?: string }): Operation;
  /** Validates the paths, then starts a restore; returns the queued operation. */
  startRestore(req: {
    repoId: string;
    planId?: string;
    snapshotId: string;
    path: string;
    target: string;
  }): Operation;
  /**
   * Checks a database restore (see restore-database.ts: a target holding tables is refused
   * with TargetNotEmptyError unless `replace`), then starts it; resolves with its operation.
   */
  startRestoreDatabase(req: RestoreDatabaseRequest, signal?: AbortSignal): Promise<Operation>;
  /** Starts a restic command (a command line split like a shell would, or an argument list). */
  startCommand(repoId: string, command: string | string[]): Operation;
  startRecycle(repoId: string, snapshotIds: string[]): Operation;
  startUnrecycle(repoId: string, snapshotIds: string[]): Operation;
  startPurge(repoId: string, snapshotIds: string[], prune: boolean): Operation;
  listSnapshots(
    repoId: string,
    filter: { planId?: string; recycled: boolean },
  ): Promise<ResticSnapshot[]>;
  listSnapshotFiles(
    repoId: string,
    snapshotId: string,
    path: string,
  ): Promise<{ path: string; entries: LsEntry[] }>;
  /**
   * What changed from snapshot `snapshotA` to `snapshotB` of a repo (see diff-snapshots.ts),
   * under the operation time limit. NotFoundError for an unknown repo; ResticError kind
   * "snapshot-not-found" for an unknown snapshot. `signal` is the caller's: nothing is
   * recorded, so a caller that goes away stops restic.
   */
  diffSnapshots(
    repoId: string,
    snapshotA: string,
    snapshotB: string,
    signal?: AbortSignal,
  ): Promise<DiffSnapshotsResponse>;
  /**
   * Tries a repo's location and password without saving or initializing anything (see
   * test-repo.ts). Not queued behind the repo's operations: it takes no lock.
   */
  testRepo(repo: Repo, signal?: AbortSignal): Promise<TestRepoResponse>;
  /** Cancels a pending or running operation. NotFoundError / ConflictError when there is none to cancel. */
  cancel(opId: bigint): void;
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
  /**
   * Replaces the repo's password by a new random one (see rotate-password.ts), queued behind
   * its other operations; resolves with the saved config, rejects like rotationSpec or with
   * OperationFailedError.
   */
  rotateRepoPassword(repoId: string): Promise<Config>;
  /** Files clients push into a plan's repository as snapshots (see uploads.ts). */
  readonly uploads: Uploads;
}

/** Capabilities beyond OrchestratorDeps: key management for password rotation, test faults. */
export type OrchestratorOptions = RotationOptions;

export function createOrchestrator(
  deps: OrchestratorDeps,
  options: OrchestratorOptions = {},
): Orchestrator {
  const queues = createSerialQueues();
  const runner = createRunner(deps, queues);
  const retries = new Set<NodeJS.Timeout>();

  function repoById(repoId: string): Repo {
    const repo = deps.config.get().repos.find((r) => r.id === repoId);
    if (!repo) throw new NotFoundError("repo", repoId);
    return repo;
  }

  /** Starts an operation whose outcome is recorded; failures are not rethrown to anyone. */
  function launch(spec: OperationSpec, then?: (op: Operation) => void): Operation {
    const { operation, done } = runner.start(spec);
    done
      .then(then, () => {})
      .catch((err: unknown) => deps.log.warn("follow-up failed", { error: String(err) }));
    return operation;
  }

  /** Queues an index of the repository; errors are logged (the next index catches up). */
  function reindexLater(repoId: string): void {
    indexRepo(repoId).catch((err: unknown) =>
      deps.log.warn("snapshot indexing failed", {
        repo: repoId,
        error: err instanceof Error ? err.message : String(err),
      }),
    );
  }

  async function indexRepo(repoId: string): Promise<IndexResult> {
    return queues.run(repoId, () =>
      withTimeLimit(deps.config.get(), async (signal) => {
        const repo = repoById(repoId);
        const guid = await ensureRepoGuid(deps, repo, signal);
        const result = await indexSnapshots(deps, { ...repo, guid }, signal);
        purgeExpired(repo, result);
        return result;
      }),
    );
  }

  /** Starts a purge of recycled snapshots older than the configured age. */
  function purgeExpired(repo: Repo, result: IndexResult): void {
    const days = deps.config.get().settings?.recycleBinDays || 30;
    const cutoff = deps.clock.now() - days * DAY_MS;
    const expired = result.snapshots.filter(
      (s) => isRecycled(s.tags) && recycledAt(s.tags) < cutoff,
    );
    if (expired.length > 0)
      startPurge(
        repo.id,
        expired.map((s) => s.id),
        false,
      );
  }

  function startForgetForPlan(repoId: string, planId: string, flowId?: bigint): Operation {
    const plan = deps.config.get().plans.find((p) => p.id === planId);
    if (!plan) throw new NotFoundError("plan", planId);
    return launch(
      {
        repoId,
        planId,
        flowId,
        payload: { case: "operationForget", value: {} },
        run: forgetByPolicyTask(plan),
      },
      () => reindexLater(repoId),
    );
  }

  async function backup(
    planId: string,
    opts: { dryRun?: boolean; existing?: Operation; attempt?: number } = {},
  ): Promise<Operation> {
    return launchBackup(planId, opts).done;
  }

  /** Queues a plan's backup; `done` settles once it and its follow-ups are started. */
  function launchBackup(
    planId: string,
    opts: { dryRun?: boolean; existing?: Operation; attempt?: number },
  ): { operation: Operation; done: Promise<Operation> } {
    const plan = deps.config.get().plans.find((p) => p.id === planId);
    if (!plan) throw new NotFoundError("plan", planId);
    const dryRun = opts.dryRun ?? false;
    const scheduled =
      opts.existing?.op.case === "operationBackup" ? opts.existing.op.value.scheduledTimeMs : 0n;
    // One operation for the paths and one per database source; retention follows them all.
    const { operation, done } = startPlanBackup(runner, plan, {
      dryRun,
      existing: opts.existing,
      scheduledTimeMs: scheduled,
      attempt: opts.attempt ?? 0,
      onRetry: (delayMs) =>
        retryLater(delayMs, () => backup(planId, { dryRun, attempt: (opts.attempt ?? 0) + 1 })),
    });
    const followed = done.then(({ first, ran, failure }) => {
      if (!dryRun && ran) {
        if (keepRules(plan.retention)) startForgetForPlan(plan.repo, planId, operation.flowId);
        else reindexLater(plan.repo);
      }
      if (failure !== undefined || !first) throw failure; // the first source's failure
      return first;
    });
    return { operation, done: followed };
  }

  function startBackup(planId: string, opts: { dryRun?: boolean } = {}): Operation {
    const { operation, done } = launchBackup(planId, opts);
    done.catch(() => {}); // the outcome is recorded on the operation
    return operation;
  }

  /** Runs `again` after `delayMs` (a hook asked for a retry); a shutdown drops pending retries. */
  function retryLater(delayMs: number, again: () => Promise<unknown>): void {
    const timer = setTimeout(() => {
      retries.delete(timer);
      again().catch(() => {}); // recorded on the operation
    }, delayMs);
    timer.unref();
    retries.add(timer);
  }

  /** Runs a scheduled job on its pending operation; resolves when it has finished. */
  function runScheduled(job: ScheduledJob, pending: Operation): Promise<Operation> {
    if (job.kind === "backup" && job.planId) return backup(job.planId, { existing: pending });
    const plans = deps.config
      .get()
      .plans.filter((p) => p.repo === job.repoId && keepRules(p.retention));
    const specs = {
      prune: { payload: { case: "operationPrune", value: {} }, run: pruneTask },
      check: { payload: { case: "operationCheck", value: {} }, run: checkTask },
      forget: { payload: { case: "operationForget", value: {} }, run: forgetPlansTask(plans) },
    } satisfies Record<string, Omit<OperationSpec, "repoId">>;
    const spec = specs[job.kind as keyof typeof specs];
    const { done } = runner.start({
      repoId: job.repoId,
      existing: pending,
      ...spec,
    } as OperationSpec);
    if (job.kind === "forget")
      void done.then(
        () => reindexLater(job.repoId),
        () => {},
      );
    return done;
  }

  function startRepoTask(repoId: string, task: RepoTask): Operation[] {
    repoById(repoId);
    if (task === "forget") {
      const plans = deps.config
        .get()
        .plans.filter((p) => p.repo === repoId && keepRules(p.retention));
      return plans.map((p) => startForgetForPlan(repoId, p.id));
    }
    const specs = {
      prune: { payload: { case: "operationPrune", value: {} }, run: pruneTask },
      check: { payload: { case: "operationCheck", value: {} }, run: checkTask },
      stats: { payload: { case: "operationStats", value: {} }, run: statsTask },
      unlock: { payload: { case: "operationUnlock", value: {} }, run: unlockTask },
    } satisfies Record<string, Omit<OperationSpec, "repoId">>;
    return [launch({ repoId, ...specs[task] } as OperationSpec)];
  }

  function startForget(req: { repoId: string; planId?: string; snapshotId?: string }): Operation {
    repoById(req.repoId);
    if (req.snapshotId) {
      return launch(
        {
          repoId: req.repoId,
          planId: req.planId || undefined,
          payload: { case: "operationForget", value: {} },
          run: forgetSnapshotsTask([req.snapshotId]),
        },
        () => reindexLater(req.repoId),
      );
    }
    if (!req.planId) throw new NotFoundError("plan", "(none given: set planId or snapshotId)");
    return startForgetForPlan(req.repoId, req.planId);
  }

  function startRestore(req: {
    repoId: string;
    planId?: string;
    snapshotId: string;
    path: string;
    target: string;
  }) {
    repoById(req.repoId);
    const path = snapshotPath(req.path, "path");
    const stamp = new Date(deps.clock.now()).toISOString().replace(/[:.]/g, "-");
    const target = restoreTarget(
      req.target || `${deps.dataDir}/restores/${req.snapshotId.slice(0, 8)}-${stamp}`,
    );
    return launch({
      repoId: req.repoId,
      planId: req.planId || undefined,
      payload: { case: "operationRestore", value: { path, target, snapshotId: req.snapshotId } },
      run: restoreTask({ snapshotId: req.snapshotId, path, target }),
    });
  }

  async function startRestoreDatabase(
    req: RestoreDatabaseRequest,
    signal?: AbortSignal,
  ): Promise<Operation> {
    return launch(await restoreDatabaseSpec(deps, req, signal));
  }

  function startCommand(repoId: string, command: string | string[]): Operation {
    const args = typeof command === "string" ? splitCommandLine(command) : command;
    return launch({
      repoId,
      payload: { case: "operationRunCommand", value: { args } },
      run: runCommandTask(args),
    });
  }

  function startRecycling(
    repoId: string,
    action: 1 | 2 | 3,
    ids: string[],
    run: OperationSpec["run"],
  ) {
    return launch(
      { repoId, payload: { case: "operationRecycle", value: { action, snapshotIds: ids } }, run },
      () => reindexLater(repoId),
    );
  }

  function startPurge(repoId: string, ids: string[], prune: boolean): Operation {
    return startRecycling(repoId, 3, ids, purgeTask(ids, prune));
  }

  function cancel(opId: bigint): void {
    if (runner.cancel(opId)) return;
    const op = deps.ops.get(opId);
    if (!op) throw new NotFoundError("operation", String(opId));
    throw new ConflictError(
      `operation ${opId} is not running (${OperationStatus[op.status]}); only pending or running operations can be cancelled`,
    );
  }

  /**
   * True when the repo's newest operation is one an earlier start marked as interrupted.
   * Snapshot index entries do not count: indexing reads without a lock, and it may add entries
   * (for snapshots made before) after the interrupted operation was queued.
   */
  function newestWasRecovered(repoId: string): boolean {
    // Reads the newest operations only, widening the window past runs of index entries:
    // reading a repo's whole history here made start-up slow on large logs.
    for (let lastN = 64; ; lastN *= 8) {
      const ops = deps.ops.query({ selector: { repoId }, lastN });
      const newest = ops.findLast((op) => op.op.case !== "operationIndexSnapshot");
      if (newest) return newest.displayMessage === RECOVERED_MESSAGE;
      if (ops.length < lastN) return false;
    }
  }

  async function recover(): Promise<Operation[]> {
    const recovered = recoverInterrupted(deps.ops, RECOVERED_MESSAGE, deps.clock.now());
    const cfg = deps.config.get();
    // Nothing has run on a repo whose newest operation an earlier start recovered: that start
    // may have been killed before its unlock removed the stale locks, so unlock again.
    const repos = cfg.repos.filter(
      (r) => recovered.some((op) => op.repoId === r.id) || newestWasRecovered(r.id),
    );
    await Promise.all(
      repos.map(async (repo) => {
        try {
          // Bounded: a backend that does not answer must not hold the repo's queue.
          await queues.run(repo.id, () =>
            deps.restic.unlock(resticRepoOf(repo), {
              signal: AbortSignal.timeout(CLEANUP_TIME_LIMIT_MS),
            }),
          );
          deps.log.info("removed stale locks after an interrupted operation", { repo: repo.id });
        } catch (err) {
          deps.log.warn("could not unlock repository after an interrupted operation", {
            repo: repo.id,
            error: err instanceof Error ? err.message : String(err),
          });
        }
      }),
    );
    return recovered;
  }

  return {
    backup,
    startBackup,
    runScheduled,
    startRepoTask,
    indexSnapshots: indexRepo,
    startForget,
    startRestore,
    startRestoreDatabase,
    startCommand,
    startRecycle: (repoId, ids) => startRecycling(repoId, 1, ids, recycleTask(ids)),
    startUnrecycle: (repoId, ids) => startRecycling(repoId, 2, ids, unrecycleTask(ids)),
    startPurge,
    listSnapshots: (repoId, filter) => {
      const repo = repoById(repoId);
      return withTimeLimit(deps.config.get(), (signal) =>
        listSnapshots(deps, repo, filter, signal),
      );
    },
    async listSnapshotFiles(repoId, snapshotId, path) {
      const repo = repoById(repoId);
      const folder = snapshotPath(path, "path");
      return withTimeLimit(deps.config.get(), async (signal) => {
        const guid = await ensureRepoGuid(deps, repo, signal);
        return {
          path: folder,
          entries: await listSnapshotFolder(deps, { ...repo, guid }, snapshotId, folder, signal),
        };
      });
    },
    diffSnapshots(repoId, snapshotA, snapshotB, signal) {
      const repo = repoById(repoId);
      return withTimeLimit(deps.config.get(), (limit) =>
        diffSnapshots(
          deps,
          repo,
          snapshotA,
          snapshotB,
          signal ? AbortSignal.any([signal, limit]) : limit,
        ),
      );
    },
    testRepo: (repo, signal) => testRepo(deps, repo, { signal }),
    cancel,
    recover,
    shutdown() {
      for (const timer of retries) clearTimeout(timer);
      return runner.shutdown();
    },
    addRepo: (repo) =>
      queues.run(repo.id, () =>
        withTimeLimit(deps.config.get(), (signal) => addRepo(deps, repo, signal)),
      ),
    removeRepo: (repoId) => removeRepo(deps, repoId),
    async rotateRepoPassword(repoId) {
      await runner.start(rotationSpec(deps.config.get(), repoId, options)).done;
      return deps.config.get();
    },
    uploads: createUploads(deps, runner, (plan, op) => {
      if (keepRules(plan.retention)) startForgetForPlan(plan.repo, plan.id, op.flowId);
      else reindexLater(plan.repo);
    }),
  };
}
