/**
 * The one way operations run: recorded as pending, queued behind the other operations of
 * their repository, marked in progress, run, and recorded as finished, failed or cancelled.
 * Every task (backup, forget, prune, restore...) is a body run by this runner.
 */
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import type { Config, Plan, Repo } from "../../gen/v1/config_pb.js";
import { type Operation, OperationSchema, OperationStatus } from "../../gen/v1/operations_pb.js";
import { NotFoundError, UnavailableError } from "../errors.js";
import { createThrottledUpdater } from "../oplog/throttled-updater.js";
import type { ResticRepo } from "../restic/types.js";
import type { LogWriterLike, OrchestratorDeps } from "./deps.js";
import { CancelReason, HookVerdictError, OperationFailedError } from "./errors.js";
import { fireHooks } from "./hook-runner.js";
import { resticRepoOf } from "./repo-target.js";
import { ensureRepoGuid } from "./repos.js";
import type { SerialQueues } from "./serial-queues.js";
import { recordFailure } from "./tasks/finish.js";
import { CLEANUP_TIME_LIMIT_MS, operationTimeLimitMs, startTimeLimit } from "./time-limit.js";

/** What a task body gets to work with. */
export interface TaskContext {
  deps: OrchestratorDeps;
  /** The running operation. Change its fields, then save() or progress(). */
  op: Operation;
  cfg: Config;
  repo: Repo;
  plan: Plan | undefined;
  target: ResticRepo;
  signal: AbortSignal;
  /** Writes the operation now. */
  save(): void;
  /** Writes the operation at most once per progress interval (latest state wins). */
  progress(): void;
  /** The operation's log, created on first use; its ref is stored as op.logref. */
  log(): LogWriterLike;
}

/** An operation to run. */
export interface OperationSpec {
  repoId: string;
  planId?: string;
  /** Joins an existing flow (e.g. the forget after a backup); default: a flow of its own. */
  flowId?: bigint;
  payload: MessageInitShape<typeof OperationSchema>["op"];
  /** A pending operation recorded earlier (a scheduled run) to run instead of recording a new one. */
  existing?: Operation;
  /** How many times this run was retried after hook failures (for backoff). */
  attempt?: number;
  /** Called when a hook's onError asks to retry the operation after `delayMs`. */
  onRetry?: (delayMs: number) => void;
  /** The work. It may set a WARNING status and a displayMessage; throwing fails the operation. */
  run(ctx: TaskContext): Promise<void>;
}

export interface StartedOperation {
  /** The operation as recorded when queued (id, flowId, pending). */
  operation: Operation;
  /** Settles when it has finished: resolves with the final operation, or rejects with OperationFailedError. */
  done: Promise<Operation>;
}

export interface Runner {
  start(spec: OperationSpec): StartedOperation;
  /** Cancels a queued or running operation; false when it is not running here. */
  cancel(opId: bigint): boolean;
  /** Refuses new operations, cancels running ones (system-cancelled) and waits for them. */
  shutdown(): Promise<void>;
}

export function createRunner(deps: OrchestratorDeps, queues: SerialQueues): Runner {
  const running = new Map<bigint, AbortController>();
  /** Repos where a stopped or failed restic may have left its lock: unlocked before their next operation. */
  const staleLocks = new Set<string>();
  let closing = false;
  /** Finished operations whose end could not be written yet (a full disk), by id. */
  const unrecorded = new Map<bigint, Operation>();
  const retryUnrecorded = createRetryTimer(UNRECORDED_RETRY_MS, () => {
    for (const [opId, op] of unrecorded) {
      try {
        write(op);
        unrecorded.delete(opId);
      } catch {
        return true; // still failing: try again later
      }
    }
    return false;
  });

  /**
   * Stores `op` and takes over its new modno. The object itself stays the task's, so
   * references a task holds into its payload remain live.
   */
  function write(op: Operation): void {
    const [stored] = deps.ops.update(op);
    if (stored) op.modno = stored.modno;
  }

  function start(spec: OperationSpec): StartedOperation {
    if (closing)
      throw new UnavailableError("the daemon is shutting down; retry once it has restarted");
    const cfg = deps.config.get();
    const repo = cfg.repos.find((r) => r.id === spec.repoId);
    if (!repo) throw new NotFoundError("repo", spec.repoId);
    if (spec.planId !== undefined && !cfg.plans.some((p) => p.id === spec.planId)) {
      throw new NotFoundError("plan", spec.planId);
    }
    const fields = create(OperationSchema, {
      status: OperationStatus.STATUS_PENDING,
      planId: spec.planId ?? "",
      repoId: repo.id,
      repoGuid: repo.guid,
      instanceId: cfg.instance,
      flowId: spec.flowId ?? 0n,
      unixTimeStartMs: BigInt(deps.clock.now()),
      op: spec.payload,
    });
    const [operation] = spec.existing
      ? (deps.ops.update({ ...fields, id: spec.existing.id, flowId: spec.existing.flowId }) as [
          Operation,
        ])
      : (deps.ops.add(fields) as [Operation]);
    const controller = new AbortController();
    running.set(operation.id, controller);
    const done = queues
      .run(repo.id, () => execute(operation.id, spec, controller))
      .finally(() => running.delete(operation.id));
    return { operation, done };
  }

  async function execute(
    id: bigint,
    spec: OperationSpec,
    controller: AbortController,
  ): Promise<Operation> {
    // The limit counts from here: time spent queued behind other operations is not the op's.
    const clearLimit = startTimeLimit(controller, operationTimeLimitMs(deps.config.get()));
    try {
      return await executeLimited(id, spec, controller.signal);
    } finally {
      clearLimit();
    }
  }

  async function executeLimited(
    id: bigint,
    spec: OperationSpec,
    signal: AbortSignal,
  ): Promise<Operation> {
    const progress = createThrottledUpdater(deps.ops, {
      intervalMs: deps.progressIntervalMs ?? 1000,
      now: () => deps.clock.now(),
    });
    let log: LogWriterLike | undefined;
    const ctx = { deps, op: deps.ops.get(id) } as TaskContext;
    try {
      signal.throwIfAborted();
      Object.assign(ctx, await prepare(ctx.op, spec, signal));
      ctx.save = () => {
        progress.flush(ctx.op.id);
        write(ctx.op);
      };
      ctx.progress = () => progress.update(ctx.op);
      ctx.log = () => {
        if (!log) {
          const maxBytes = Number(ctx.cfg.settings?.logMaxBytes ?? 0n);
          log = deps.logs.create(maxBytes > 0 ? { maxBytes } : {});
          ctx.op.logref = log.ref;
          ctx.save();
        }
        return log;
      };
      const started = await fireHooks(ctx, "start", spec.attempt);
      if (started.action !== "continue") throw new HookVerdictError(started);
      await spec.run(ctx);
      if (ctx.op.status === OperationStatus.STATUS_INPROGRESS)
        ctx.op.status = OperationStatus.STATUS_SUCCESS;
      // Before the throttle's last write: that write carries the same object, and a waiter
      // must never see a finished status without its end time.
      ctx.op.unixTimeEndMs = BigInt(deps.clock.now());
      progress.close();
      log?.end();
      write(ctx.op);
      const ended = await fireHooks(ctx, "end", spec.attempt);
      if (ended.action === "continue") return ctx.op;
      ctx.op.status = OperationStatus.STATUS_ERROR;
      ctx.op.displayMessage = new HookVerdictError(ended).message;
      write(ctx.op);
      if (ended.action === "retry") spec.onRetry?.(ended.delayMs);
      throw new OperationFailedError(ctx.op, { cause: new HookVerdictError(ended) });
    } catch (err) {
      progress.close();
      log?.end();
      if (err instanceof OperationFailedError) throw err;
      if (ctx.repo && mayHaveLeftLock(err, signal)) await unlockAfterStop(ctx.repo, signal);
      const failed = recordEnd(deps.ops.get(id) ?? ctx.op, err, signal);
      if (ctx.repo) {
        ctx.op = failed;
        await fireHooks(ctx, "end", spec.attempt).catch(() => ({ action: "continue" }));
      }
      if (err instanceof HookVerdictError && err.verdict.delayMs !== undefined)
        spec.onRetry?.(err.verdict.delayMs);
      throw new OperationFailedError(failed, { cause: err });
    }
  }

  /**
   * Records how the operation ended. When the log cannot take the write (the disk is full),
   * the end is kept and written again every few seconds until it is, so the operation does
   * not show as running until the next start.
   */
  function recordEnd(op: Operation, err: unknown, signal: AbortSignal): Operation {
    try {
      return recordFailure(deps, op, err, signal);
    } catch (writeError) {
      deps.log.warn("could not record the end of an operation; retrying until it is recorded", {
        op: op.id,
        error: writeError instanceof Error ? writeError.message : String(writeError),
      });
      unrecorded.set(op.id, op);
      retryUnrecorded.schedule();
      return op;
    }
  }

  /** Re-reads the config (it may have changed while queued), marks the op in progress, learns the repo guid. */
  async function prepare(op: Operation | undefined, spec: OperationSpec, signal: AbortSignal) {
    if (!op) throw new NotFoundError("operation", "(deleted while queued)");
    const cfg = deps.config.get();
    const repo = cfg.repos.find((r) => r.id === spec.repoId);
    if (!repo) throw new NotFoundError("repo", spec.repoId);
    const plan = spec.planId ? cfg.plans.find((p) => p.id === spec.planId) : undefined;
    if (spec.planId && !plan) throw new NotFoundError("plan", spec.planId);
    op.status = OperationStatus.STATUS_INPROGRESS;
    op.unixTimeStartMs = BigInt(deps.clock.now());
    write(op);
    const guid = await ensureRepoGuid(deps, repo, signal);
    if (op.repoGuid !== guid) {
      op.repoGuid = guid;
      write(op);
    }
    const target = resticRepoOf(repo);
    if (repo.autoUnlock || staleLocks.has(repo.id)) {
      await deps.restic.unlock(target, { signal });
      staleLocks.delete(repo.id);
    }
    return { op, cfg, repo: { ...repo, guid }, plan, target, signal };
  }

  /**
   * A stopped restic may have been killed before it could remove its lock, and one that
   * lost its backend could not remove it. After a cancel or shutdown, removes stale locks
   * now (bounded); after a failure or a time limit (the backend is likely what failed),
   * or when that unlock fails, before the repo's next operation.
   */
  async function unlockAfterStop(repo: Repo, signal: AbortSignal): Promise<void> {
    staleLocks.add(repo.id);
    if (!(signal.reason instanceof CancelReason)) return;
    try {
      await deps.restic.unlock(resticRepoOf(repo), {
        signal: AbortSignal.timeout(CLEANUP_TIME_LIMIT_MS),
      });
      staleLocks.delete(repo.id);
    } catch (err) {
      deps.log.warn(
        "could not remove stale locks after a stop; retrying before the next operation",
        {
          repo: repo.id,
          error: err instanceof Error ? err.message : String(err),
        },
      );
    }
  }

  return {
    start,
    cancel(opId) {
      const controller = running.get(opId);
      if (!controller) return false;
      controller.abort(new CancelReason("user"));
      return true;
    },
    async shutdown() {
      closing = true;
      for (const c of running.values()) c.abort(new CancelReason("system"));
      await queues.idle();
      // A last attempt; what still fails is marked failed by the next start's recovery.
      retryUnrecorded.runNow();
      retryUnrecorded.stop();
    },
  };
}

/** How often the end of an operation that could not be recorded is written again. */
export const UNRECORDED_RETRY_MS = 5_000;

/**
 * Runs `attempt` every `intervalMs` once scheduled, for as long as it returns true (more to
 * do); the timer never keeps the process alive.
 */
function createRetryTimer(intervalMs: number, attempt: () => boolean) {
  let timer: NodeJS.Timeout | undefined;
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  const runNow = () => {
    if (!attempt()) stop();
  };
  return {
    schedule() {
      if (timer) return;
      timer = setInterval(runNow, intervalMs);
      timer.unref();
    },
    runNow,
    stop,
  };
}

/**
 * True when restic may have ended without removing its lock: it was stopped (cancel, shutdown,
 * time limit), or it failed for a reason other than one that stops it before it locks.
 */
function mayHaveLeftLock(err: unknown, signal: AbortSignal): boolean {
  if (signal.aborted) return true;
  if (!(err instanceof Error) || err.name !== "ResticError") return false;
  const kind = (err as { kind?: string }).kind;
  return kind === "failed" || kind === "backend-unreachable";
}
