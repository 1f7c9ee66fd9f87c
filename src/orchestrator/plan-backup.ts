/**
 * Starting a plan's backup: one operation for its paths (when it has any) and one per
 * database source, all in one flow and queued in that order on the plan's repository. Each
 * database becomes a snapshot of its own (see tasks/database-backup.ts).
 */
import { create } from "@bufbuild/protobuf";
import type { Plan } from "../../gen/v1/config_pb.js";
import {
  type Operation,
  OperationStatus,
  StdinSource_Kind,
  StdinSourceSchema,
} from "../../gen/v1/operations_pb.js";
import { databaseFilename } from "./database-sources.js";
import type { OperationSpec, Runner } from "./runner.js";
import { backupTask } from "./tasks/backup.js";
import { databaseBackupTask } from "./tasks/database-backup.js";

/** How the plan's backup runs. */
export interface PlanBackupOptions {
  dryRun: boolean;
  /** A pending operation recorded earlier (a scheduled run), taken by the first source. */
  existing?: Operation;
  /** When a scheduled run was planned (unix ms), recorded on every source's operation. */
  scheduledTimeMs: bigint;
  attempt: number;
  /** Called when a hook asks to retry the paths backup (the whole plan is run again). */
  onRetry: (delayMs: number) => void;
}

/** How every source's operation ended. */
export interface PlanBackupOutcome {
  /** The first source's operation as it finished (undefined when it failed). */
  first: Operation | undefined;
  /** True when at least one source ran (not skipped) and finished. */
  ran: boolean;
  /** The first failure (an OperationFailedError), if any source failed. */
  failure: unknown;
}

/** The specs of the plan's source operations, paths first; the first joins `existing`. */
function sourceSpecs(plan: Plan, opts: PlanBackupOptions): Omit<OperationSpec, "flowId">[] {
  const specs: Omit<OperationSpec, "flowId">[] = [];
  const base = { repoId: plan.repo, planId: plan.id, attempt: opts.attempt };
  const backup = { dryRun: opts.dryRun, scheduledTimeMs: opts.scheduledTimeMs };
  if (plan.paths.length > 0 || plan.databases.length === 0) {
    specs.push({
      ...base,
      payload: { case: "operationBackup", value: backup },
      run: backupTask({ dryRun: opts.dryRun }),
      onRetry: opts.onRetry,
    });
  }
  for (const source of plan.databases) {
    const stdinSource = create(StdinSourceSchema, {
      kind: StdinSource_Kind.DATABASE,
      filename: databaseFilename(source),
      databaseName: source.name,
    });
    specs.push({
      ...base,
      payload: { case: "operationBackup", value: { ...backup, stdinSource } },
      run: databaseBackupTask(source.name, { dryRun: opts.dryRun }),
    });
  }
  return specs;
}

/**
 * Queues one operation per source of the plan. Returns the first operation at once, and
 * `done`, which settles when every one of them has finished (it never rejects).
 */
export function startPlanBackup(
  runner: Runner,
  plan: Plan,
  opts: PlanBackupOptions,
): { operation: Operation; done: Promise<PlanBackupOutcome> } {
  const [firstSpec, ...rest] = sourceSpecs(plan, opts);
  if (!firstSpec) throw new Error("a plan backup always has a source");
  const first = runner.start({ ...firstSpec, existing: opts.existing });
  const started = [first];
  for (const spec of rest) {
    started.push(runner.start({ ...spec, flowId: first.operation.flowId }));
  }
  const done = Promise.allSettled(started.map((s) => s.done)).then((results) => {
    const failed = results.find((r) => r.status === "rejected");
    const finished = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    return {
      first: results[0]?.status === "fulfilled" ? results[0].value : undefined,
      ran: finished.some((op) => op.status !== OperationStatus.STATUS_SKIPPED),
      failure: failed?.status === "rejected" ? failed.reason : undefined,
    };
  });
  return { operation: first.operation, done };
}
