/**
 * Firing hooks around operations: which conditions an operation reaches, running the
 * matching hooks of its plan and repo (each recorded as an operationRunHook in the parent's
 * flow, with its output as a log), and what a failed hook means for the operation (onError).
 */
import { create } from "@bufbuild/protobuf";
import {
  type Config,
  type Hook,
  Hook_Condition,
  Hook_OnError,
  type Plan,
  type Repo,
} from "../../gen/v1/config_pb.js";
import { type Operation, OperationSchema, OperationStatus } from "../../gen/v1/operations_pb.js";
import type { HookEvent, RunHookOptions } from "../hooks/index.js";
import type { OrchestratorDeps } from "./deps.js";
import type { TaskContext } from "./runner.js";

/** The hook runtime the orchestrator uses (src/hooks in the daemon; fakes in unit tests). */
export interface HookRuntime {
  hookMatches(hook: Hook, condition: Hook_Condition): boolean;
  eventName(condition: Hook_Condition): string;
  runHook(hook: Hook, event: HookEvent, opts: RunHookOptions): Promise<void>;
  /** Signing key for hooks without their own signingSecret. */
  defaultSecret: string;
  env?: Record<string, string>;
}

/** What a failed hook asks of its operation. */
export type HookVerdict =
  | { action: "continue" }
  | { action: "cancel" | "fatal"; reason: string }
  | { action: "retry"; reason: string; delayMs: number };

const C = Hook_Condition;
const START: Partial<Record<NonNullable<Operation["op"]["case"]>, Hook_Condition>> = {
  operationBackup: C.SNAPSHOT_START,
  operationPrune: C.PRUNE_START,
  operationCheck: C.CHECK_START,
  operationForget: C.FORGET_START,
};
const END: Partial<
  Record<NonNullable<Operation["op"]["case"]>, { ok: Hook_Condition; error: Hook_Condition }>
> = {
  operationBackup: { ok: C.SNAPSHOT_SUCCESS, error: C.SNAPSHOT_ERROR },
  operationPrune: { ok: C.PRUNE_SUCCESS, error: C.PRUNE_ERROR },
  operationCheck: { ok: C.CHECK_SUCCESS, error: C.CHECK_ERROR },
  operationForget: { ok: C.FORGET_SUCCESS, error: C.FORGET_ERROR },
};

/** The condition an operation reached: at its start, or at its end given its final status. */
export function conditionOf(op: Operation, phase: "start" | "end"): Hook_Condition | undefined {
  const kind = op.op.case;
  if (!kind) return undefined;
  if (phase === "start") return START[kind];
  const end = END[kind];
  switch (op.status) {
    case OperationStatus.STATUS_SUCCESS:
      return end?.ok;
    case OperationStatus.STATUS_WARNING:
      return kind === "operationBackup" ? C.SNAPSHOT_WARNING : end?.ok;
    case OperationStatus.STATUS_SKIPPED:
      return kind === "operationBackup" ? C.SNAPSHOT_SKIPPED : undefined;
    case OperationStatus.STATUS_ERROR:
      return end?.error ?? C.ANY_ERROR;
    default:
      return undefined;
  }
}

/** The retry delay of an onError policy for the n-th consecutive failure (0-based). */
export function retryDelayMs(onError: Hook_OnError, attempt: number): number | undefined {
  switch (onError) {
    case Hook_OnError.RETRY_1MINUTE:
      return 60_000;
    case Hook_OnError.RETRY_10MINUTES:
      return 600_000;
    case Hook_OnError.RETRY_EXPONENTIAL_BACKOFF:
      return Math.min(60_000 * 2 ** attempt, 3_600_000);
    default:
      return undefined;
  }
}

/**
 * Runs the hooks of the operation's plan and repo that match its condition for `phase`,
 * one after the other. Returns what the first failing hook with a non-ignore onError asks for.
 */
export async function fireHooks(
  ctx: TaskContext,
  phase: "start" | "end",
  attempt = 0,
): Promise<HookVerdict> {
  const runtime = ctx.deps.hooks;
  const condition = conditionOf(ctx.op, phase);
  if (!runtime || condition === undefined) return { action: "continue" };
  const event = hookEvent(ctx, runtime, condition);
  for (const { hook, name } of hooksOf(ctx.cfg, ctx.repo, ctx.plan)) {
    if (!runtime.hookMatches(hook, condition)) continue;
    const error = await runRecordedHook(ctx.deps, runtime, {
      hook,
      name,
      condition,
      event,
      parent: ctx.op,
      signal: ctx.signal,
    });
    if (error === undefined) continue;
    const delayMs = retryDelayMs(hook.onError, attempt);
    if (delayMs !== undefined) return { action: "retry", reason: error, delayMs };
    if (hook.onError === Hook_OnError.CANCEL) return { action: "cancel", reason: error };
    if (hook.onError === Hook_OnError.FATAL) return { action: "fatal", reason: error };
  }
  return { action: "continue" };
}

/** The hooks that hear about a plan's or repo's events: the plan's, the repo's, then the daemon's. */
function hooksOf(
  cfg: Config,
  repo: Repo | undefined,
  plan: Plan | undefined,
): { hook: Hook; name: string }[] {
  return [
    ...(plan?.hooks ?? []).map((hook, i) => ({ hook, name: `plan/${plan?.id}/hook/${i}` })),
    ...(repo?.hooks ?? []).map((hook, i) => ({ hook, name: `repo/${repo?.id}/hook/${i}` })),
    ...(cfg.settings?.hooks ?? []).map((hook, i) => ({ hook, name: `settings/hook/${i}` })),
  ];
}

/**
 * Tells hooks about an event that is not an operation's start or end (storage.threshold,
 * security.alert): the repo's hooks (when there is a repo) and the daemon's. Failures are
 * recorded on the hook operations; they stop nothing.
 */
export async function notifyHooks(
  deps: OrchestratorDeps,
  condition: Hook_Condition,
  info: { repo?: Repo; message: string; parent?: Operation },
): Promise<void> {
  const runtime = deps.hooks;
  if (!runtime) return;
  const cfg = deps.config.get();
  const event: HookEvent = {
    event: runtime.eventName(condition),
    condition,
    instance: cfg.instance,
    repo: { id: info.repo?.id ?? "", uri: info.repo?.uri ?? "" },
    operationId: info.parent?.id ?? 0n,
    flowId: info.parent?.flowId ?? 0n,
    error: info.message,
    time: new Date(deps.clock.now()),
  };
  for (const { hook, name } of hooksOf(cfg, info.repo, undefined)) {
    if (!runtime.hookMatches(hook, condition)) continue;
    await runRecordedHook(deps, runtime, { hook, name, condition, event, parent: info.parent });
  }
}

interface HookRun {
  hook: Hook;
  name: string;
  condition: Hook_Condition;
  event: HookEvent;
  /** The operation the hook runs for; its flow, repo and plan are the hook operation's. */
  parent?: Operation;
  signal?: AbortSignal;
}

/** Runs one hook as its own operation (in the parent's flow); returns its error, if any. */
async function runRecordedHook(
  deps: OrchestratorDeps,
  runtime: HookRuntime,
  run: HookRun,
): Promise<string | undefined> {
  const { ops, clock, logs } = deps;
  const log = logs.create();
  const parent = run.parent;
  const [hookOp] = ops.add(
    create(OperationSchema, {
      status: OperationStatus.STATUS_INPROGRESS,
      flowId: parent?.flowId ?? 0n,
      repoId: parent?.repoId ?? run.event.repo.id,
      repoGuid: parent?.repoGuid ?? "",
      planId: parent?.planId ?? "",
      instanceId: run.event.instance,
      unixTimeStartMs: BigInt(clock.now()),
      logref: log.ref,
      op: {
        case: "operationRunHook",
        value: {
          parentOp: parent?.id ?? 0n,
          name: run.name,
          condition: run.condition,
          outputLogref: log.ref,
        },
      },
    }),
  ) as [Operation];
  let error: string | undefined;
  try {
    await runtime.runHook(run.hook, run.event, {
      signal: run.signal,
      defaultSecret: runtime.defaultSecret,
      env: runtime.env,
      onOutput: (line: string) => log.write(`${line}\n`),
    });
  } catch (err) {
    const known = err instanceof Error && err.name === "HookError";
    error = known ? (err as Error).message : "the hook failed; see the daemon's log";
    if (!known) deps.log.warn("hook failed", { hook: run.name, error: String(err) });
  }
  log.end();
  ops.update({
    ...hookOp,
    status: error ? OperationStatus.STATUS_ERROR : OperationStatus.STATUS_SUCCESS,
    displayMessage: error ?? "",
    unixTimeEndMs: BigInt(clock.now()),
  });
  return error;
}

function hookEvent(ctx: TaskContext, runtime: HookRuntime, condition: Hook_Condition): HookEvent {
  const op = ctx.op;
  const summary =
    op.op.case === "operationBackup" && op.op.value.lastStatus?.entry.case === "summary"
      ? op.op.value.lastStatus.entry.value
      : undefined;
  const start = Number(op.unixTimeStartMs);
  const end = Number(op.unixTimeEndMs);
  return {
    event: runtime.eventName(condition),
    condition,
    instance: ctx.cfg.instance,
    ...(ctx.plan ? { plan: { id: ctx.plan.id } } : {}),
    repo: { id: ctx.repo.id, uri: ctx.repo.uri },
    operationId: op.id,
    flowId: op.flowId,
    ...(op.snapshotId ? { snapshotId: op.snapshotId } : {}),
    ...(op.status === OperationStatus.STATUS_ERROR || op.status === OperationStatus.STATUS_SKIPPED
      ? { error: op.displayMessage }
      : {}),
    ...(end > 0 ? { durationMs: end - start } : {}),
    ...(summary
      ? {
          summary: {
            filesNew: Number(summary.filesNew),
            filesChanged: Number(summary.filesChanged),
            filesUnmodified: Number(summary.filesUnmodified),
            dataAdded: Number(summary.dataAdded),
            totalFilesProcessed: Number(summary.totalFilesProcessed),
            totalBytesProcessed: Number(summary.totalBytesProcessed),
            totalDuration: summary.totalDuration,
            snapshotId: summary.snapshotId,
          },
        }
      : {}),
    time: new Date(ctx.deps.clock.now()),
  };
}
