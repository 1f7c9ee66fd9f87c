/** Hook firing and onError policies, with a fake hook runtime at the orchestrator's seam. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { type Hook, Hook_Condition, Hook_OnError, HookSchema } from "../../gen/v1/config_pb.js";
import { OperationStatus } from "../../gen/v1/operations_pb.js";
import type { HookEvent } from "../../src/hooks/index.js";
import type { HookRuntime } from "../../src/orchestrator/hook-runner.js";
import { createOrchestrator } from "../../src/orchestrator/orchestrator.js";
import { makeDeps, settle, summary } from "./fakes.js";

/** Hooks that fail when their condition is in `failOn`; every call is recorded. */
function fakeRuntime(failOn: Hook_Condition[] = []) {
  const calls: HookEvent[] = [];
  const runtime: HookRuntime = {
    hookMatches: (hook, condition) => hook.conditions.includes(condition),
    eventName: (c) => Hook_Condition[c] ?? "unknown",
    runHook: async (_hook, event) => {
      calls.push(event);
      if (failOn.includes(event.condition))
        throw Object.assign(new Error("receiver said 500"), { name: "HookError" });
    },
    defaultSecret: "k",
  };
  return { runtime, calls };
}

function hook(conditions: Hook_Condition[], onError = Hook_OnError.IGNORE): Hook {
  return create(HookSchema, {
    conditions,
    onError,
    action: { case: "actionCommand", value: { command: "true" } },
  });
}

async function backupWithHooks(hooks: Hook[], failOn: Hook_Condition[]) {
  const { deps, fake, config, ops } = makeDeps();
  const { runtime, calls } = fakeRuntime(failOn);
  deps.hooks = runtime;
  const plan = config.get().plans.find((p) => p.id === "p2");
  if (plan) plan.hooks = hooks;
  const done = createOrchestrator(deps)
    .backup("p2")
    .catch((e: unknown) => e);
  await settle(30);
  fake.backups[0]?.resolve({ summary: summary(), errors: [], partial: false });
  const result = await done;
  return { result, calls, ops, fake };
}

describe("hooks around operations", () => {
  it("start and end hooks run in order, each recorded as an operation in the backup's flow", async () => {
    const { result, calls, ops } = await backupWithHooks(
      [hook([Hook_Condition.SNAPSHOT_START]), hook([Hook_Condition.SNAPSHOT_SUCCESS])],
      [],
    );
    assert.equal((result as { status: OperationStatus }).status, OperationStatus.STATUS_SUCCESS);
    assert.deepEqual(
      calls.map((c) => c.condition),
      [Hook_Condition.SNAPSHOT_START, Hook_Condition.SNAPSHOT_SUCCESS],
    );
    const hookOps = ops.query().filter((o) => o.op.case === "operationRunHook");
    assert.equal(hookOps.length, 2);
    assert.ok(hookOps.every((o) => o.flowId === (result as { flowId: bigint }).flowId));
    assert.ok(hookOps.every((o) => o.status === OperationStatus.STATUS_SUCCESS));
  });

  it("ON_ERROR_CANCEL on a start hook cancels the backup before restic runs", async () => {
    const { result, fake } = await backupWithHooks(
      [hook([Hook_Condition.SNAPSHOT_START], Hook_OnError.CANCEL)],
      [Hook_Condition.SNAPSHOT_START],
    );
    const op = (result as { operation: { status: OperationStatus; displayMessage: string } })
      .operation;
    assert.equal(op.status, OperationStatus.STATUS_SYSTEM_CANCELLED);
    assert.match(op.displayMessage, /cancelled by a hook: receiver said 500/);
    assert.equal(fake.backups.length, 0, "restic never ran");
  });

  it("ON_ERROR_FATAL on an end hook fails the finished backup", async () => {
    const { result } = await backupWithHooks(
      [hook([Hook_Condition.SNAPSHOT_SUCCESS], Hook_OnError.FATAL)],
      [Hook_Condition.SNAPSHOT_SUCCESS],
    );
    const op = (result as { operation: { status: OperationStatus; displayMessage: string } })
      .operation;
    assert.equal(op.status, OperationStatus.STATUS_ERROR);
    assert.match(op.displayMessage, /a hook failed: receiver said 500/);
  });

  it("ON_ERROR_RETRY_1MINUTE fails the backup and says when it retries; ON_ERROR_IGNORE changes nothing", async () => {
    const retry = await backupWithHooks(
      [hook([Hook_Condition.SNAPSHOT_START], Hook_OnError.RETRY_1MINUTE)],
      [Hook_Condition.SNAPSHOT_START],
    );
    const op = (retry.result as { operation: { status: OperationStatus; displayMessage: string } })
      .operation;
    assert.equal(op.status, OperationStatus.STATUS_ERROR);
    assert.match(op.displayMessage, /retrying in 1 min/);
    const ignore = await backupWithHooks(
      [hook([Hook_Condition.SNAPSHOT_START])],
      [Hook_Condition.SNAPSHOT_START],
    );
    assert.equal(
      (ignore.result as { status: OperationStatus }).status,
      OperationStatus.STATUS_SUCCESS,
    );
    const failedHook = ignore.ops.query().find((o) => o.op.case === "operationRunHook");
    assert.equal(failedHook?.status, OperationStatus.STATUS_ERROR);
  });
});
