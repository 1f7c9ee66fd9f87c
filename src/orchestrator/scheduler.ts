/**
 * The scheduler: plans each plan's backups and each repo's prune, check and forget from
 * their schedules, shows every upcoming run as a pending operation with its planned time,
 * and hands due runs to the orchestrator. It re-plans when the config changes and when the
 * wall clock jumps (or the machine slept); a run missed meanwhile happens once.
 */
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import type { Config, Schedule } from "../../gen/v1/config_pb.js";
import { type Operation, OperationSchema, OperationStatus } from "../../gen/v1/operations_pb.js";
import type { Logger } from "../log.js";
import type { OpStore } from "../oplog/types.js";
import type { Clock } from "./clock.js";
import type { ConfigSource } from "./deps.js";
import { nextRunTime } from "./schedule.js";

/** The message of a pending operation that waits for its scheduled time. */
export const SCHEDULED_MESSAGE = "waiting for its scheduled time";
/** How often the scheduler wakes at least, to notice clock jumps and sleep. */
const TICK_MS = 60_000;
/** How many of a job's newest operations lastRun reads: a flow's worth first, then up to 200. */
const LAST_RUN_WINDOWS = [10, 200];
/** A timer this late (or a clock going backwards) means the wall clock jumped or the machine slept. */
const JUMP_MS = 30_000;

export type JobKind = "backup" | "prune" | "check" | "forget";

/** One scheduled thing: a plan's backup or a repo's maintenance task. */
export interface ScheduledJob {
  key: string;
  kind: JobKind;
  repoId: string;
  planId?: string;
  schedule: Schedule;
}

/** A clock with timers, injectable so tests do not sleep. */
export interface SchedulerClock extends Clock {
  setTimeout(fn: () => void, ms: number): () => void;
}

export interface SchedulerDeps {
  config: ConfigSource & { onChange(listener: (cfg: Config) => void): () => void };
  ops: OpStore;
  clock: SchedulerClock;
  log: Logger;
  /** Runs a due job on its pending operation; resolves when the run has finished. */
  run(job: ScheduledJob, pending: Operation): Promise<unknown>;
}

export interface Scheduler {
  /** Deletes the pending runs a previous process planned (call before crash recovery). */
  removeStale(): void;
  /** Plans everything, starts the timer and re-plans on config changes. */
  start(): void;
  stop(): void;
  /** Plans again now (called on config changes and clock jumps). */
  replan(): void;
  /** The planned time of each job, by key (for the dashboard). */
  nextRuns(): Map<string, number>;
}

/** The payload of a job's pending operation. */
function scheduledPayload(
  kind: JobKind,
  at: number,
): MessageInitShape<typeof OperationSchema>["op"] {
  switch (kind) {
    case "backup":
      return { case: "operationBackup", value: { scheduledTimeMs: BigInt(at) } };
    case "prune":
      return { case: "operationPrune", value: {} };
    case "check":
      return { case: "operationCheck", value: {} };
    case "forget":
      return { case: "operationForget", value: {} };
  }
}

const PAYLOAD_CASE: Record<JobKind, Operation["op"]["case"]> = {
  backup: "operationBackup",
  prune: "operationPrune",
  check: "operationCheck",
  forget: "operationForget",
};

/** Every job the config schedules. */
export function jobsOf(cfg: Config): ScheduledJob[] {
  const jobs: ScheduledJob[] = [];
  for (const plan of cfg.plans) {
    if (plan.schedule)
      jobs.push({
        key: `plan:${plan.id}`,
        kind: "backup",
        repoId: plan.repo,
        planId: plan.id,
        schedule: plan.schedule,
      });
  }
  for (const repo of cfg.repos) {
    const tasks: [JobKind, Schedule | undefined][] = [
      ["prune", repo.prunePolicy?.schedule],
      ["check", repo.checkPolicy?.schedule],
      ["forget", repo.forgetPolicy?.schedule],
    ];
    for (const [kind, schedule] of tasks) {
      if (schedule) jobs.push({ key: `repo:${repo.id}:${kind}`, kind, repoId: repo.id, schedule });
    }
  }
  return jobs;
}

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const pending = new Map<string, Operation>();
  const planned = new Map<string, number>();
  const running = new Set<string>();
  let cancelTimer: (() => void) | undefined;
  let expectedWake = 0;
  let lastWake = 0;
  let unsubscribe: (() => void) | undefined;

  /**
   * The last run of a job that is not a waiting scheduled run, among the newest 200 operations
   * of its plan (or repo). It is nearly always among the newest few, so those are read first:
   * at start-up every job is planned, and decoding 200 operations each was most of it.
   */
  function lastRun(job: ScheduledJob): { startMs: number; endMs: number } | undefined {
    const selector = job.planId ? { planId: job.planId } : { repoId: job.repoId };
    for (const lastN of LAST_RUN_WINDOWS) {
      const ops = deps.ops.query({ selector, lastN });
      for (let i = ops.length - 1; i >= 0; i--) {
        const op = ops[i] as Operation;
        if (op.op.case !== PAYLOAD_CASE[job.kind] || op.status === OperationStatus.STATUS_PENDING)
          continue;
        const start = Number(op.unixTimeStartMs);
        return { startMs: start, endMs: Number(op.unixTimeEndMs) || start };
      }
      if (ops.length < lastN) return undefined;
    }
    return undefined;
  }

  /** The pending operation that shows a job's next run at `at`. */
  function pendingOp(job: ScheduledJob, at: number, instanceId: string): Operation {
    return create(OperationSchema, {
      status: OperationStatus.STATUS_PENDING,
      planId: job.planId ?? "",
      repoId: job.repoId,
      instanceId,
      unixTimeStartMs: BigInt(at),
      displayMessage: SCHEDULED_MESSAGE,
      op: scheduledPayload(job.kind, at),
    });
  }

  /**
   * Plans every job: deletes the pending runs of jobs that are gone or moved and adds the new
   * ones, each in one write (one transaction, one event) rather than one per job.
   */
  function replan(): void {
    const now = deps.clock.now();
    const cfg = deps.config.get();
    const jobs = jobsOf(cfg);
    const keys = new Set(jobs.map((j) => j.key));
    const stale: bigint[] = [];
    const unplan = (key: string) => {
      const op = pending.get(key);
      if (op) stale.push(op.id);
      pending.delete(key);
      planned.delete(key);
    };
    for (const key of pending.keys()) if (!keys.has(key)) unplan(key);
    const toAdd: { key: string; op: Operation }[] = [];
    for (const job of jobs) {
      if (running.has(job.key)) continue;
      const at = nextRunTime(job.schedule, { now, lastRun: lastRun(job) });
      if (at === undefined) {
        unplan(job.key);
        continue;
      }
      planned.set(job.key, at);
      const start = Math.max(at, 0);
      const existing = pending.get(job.key);
      if (existing && Number(existing.unixTimeStartMs) === start) continue;
      if (existing) stale.push(existing.id);
      toAdd.push({ key: job.key, op: pendingOp(job, start, cfg.instance) });
    }
    if (stale.length > 0) deps.ops.delete(stale);
    if (toAdd.length > 0) {
      const added = deps.ops.add(...toAdd.map((a) => a.op));
      for (const [i, op] of added.entries()) pending.set((toAdd[i] as { key: string }).key, op);
    }
    arm();
  }

  function arm(): void {
    cancelTimer?.();
    const now = deps.clock.now();
    const soonest = Math.min(now + TICK_MS, ...planned.values());
    const delay = Math.max(0, soonest - now);
    expectedWake = now + delay;
    lastWake = now;
    cancelTimer = deps.clock.setTimeout(wake, delay);
  }

  function wake(): void {
    const now = deps.clock.now();
    if (now - expectedWake > JUMP_MS || now < lastWake) {
      deps.log.warn("the clock jumped or the machine slept; re-planning schedules", {
        late_ms: now - expectedWake,
      });
      replan();
    }
    for (const job of jobsOf(deps.config.get())) {
      const at = planned.get(job.key);
      if (at !== undefined && at <= now && !running.has(job.key)) fire(job);
    }
    arm();
  }

  function fire(job: ScheduledJob): void {
    const op = pending.get(job.key);
    pending.delete(job.key);
    planned.delete(job.key);
    if (!op) return;
    const cfg = deps.config.get();
    const plan = job.planId ? cfg.plans.find((p) => p.id === job.planId) : undefined;
    if (cfg.settings?.paused || plan?.paused) {
      skip(
        op,
        cfg.settings?.paused
          ? "skipped: every schedule is paused"
          : `skipped: plan "${job.planId}" is paused`,
      );
      replan();
      return;
    }
    running.add(job.key);
    deps
      .run(job, op)
      .catch(() => {}) // recorded on the operation
      .finally(() => {
        running.delete(job.key);
        replan();
      });
  }

  function skip(op: Operation, reason: string): void {
    const now = BigInt(deps.clock.now());
    deps.ops.update({
      ...op,
      status: OperationStatus.STATUS_SKIPPED,
      displayMessage: reason,
      unixTimeStartMs: now,
      unixTimeEndMs: now,
    });
  }

  return {
    removeStale() {
      const stale = deps.ops
        .query({ selector: { statuses: [OperationStatus.STATUS_PENDING] } })
        .filter((op) => op.displayMessage === SCHEDULED_MESSAGE)
        .map((op) => op.id);
      if (stale.length > 0) deps.ops.delete(stale);
    },
    start() {
      unsubscribe = deps.config.onChange(() => replan());
      replan();
    },
    stop() {
      cancelTimer?.();
      unsubscribe?.();
    },
    replan,
    nextRuns: () => new Map(planned),
  };
}
