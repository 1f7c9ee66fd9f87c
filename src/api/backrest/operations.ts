/** Operation handlers: GetOperations, GetOperationEvents, Cancel, GetLogs, ClearHistory, GetSummaryDashboard. */
import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { BytesValueSchema } from "../../../gen/types/value_pb.js";
import {
  type Operation,
  type OperationEvent,
  OperationEventSchema,
  type OperationList,
  OperationListSchema,
} from "../../../gen/v1/operations_pb.js";
import type { Backrest, OpSelector as WireSelector } from "../../../gen/v1/service_pb.js";
import { deepFreeze } from "../../deep-freeze.js";
import { ValidationError } from "../../errors.js";
import { type OpStreamItem, streamOpEvents } from "../../oplog/event-stream.js";
import type { OpSelector } from "../../oplog/types.js";
import { waitForOperation } from "../../oplog/wait.js";
import { required } from "./config.js";
import { createSummaryDashboard } from "./dashboard.js";
import type { BackrestServiceDeps } from "./deps.js";

type Handlers = Pick<
  ServiceImpl<typeof Backrest>,
  | "getOperations"
  | "getOperationEvents"
  | "waitOperation"
  | "cancel"
  | "getLogs"
  | "clearHistory"
  | "getSummaryDashboard"
>;

export function operationHandlers(deps: BackrestServiceDeps): Handlers {
  // The answer made for each shared array the store handed out (it repeats them while the
  // log is unchanged).
  const lists = new WeakMap<readonly Readonly<Operation>[], OperationList>();
  return {
    getOperations: (req) => {
      const ops = deps.ops.queryShared({
        selector: toSelector(req.selector),
        lastN: Number(req.lastN),
      });
      // Shared and frozen, as the operations are: the server keeps the encoded bytes of both.
      let list = lists.get(ops);
      if (!list) {
        list = deepFreeze(create(OperationListSchema, { operations: ops as Operation[] }));
        lists.set(ops, list);
      }
      return list;
    },
    async *getOperationEvents(_req, ctx) {
      const events = streamOpEvents(deps.ops, {
        signal: ctx.signal,
        keepAliveMs: deps.keepAliveMs,
      });
      for await (const item of events) yield toWireEvent(item);
    },
    waitOperation: (req, ctx) => {
      if (!req.operationId)
        throw new ValidationError([
          { path: "operationId", message: "must name the operation to wait for" },
        ]);
      const seconds = Math.min(Math.max(req.timeoutSeconds || 60, 1), 3600);
      return waitForOperation(deps.ops, req.operationId, {
        timeoutMs: seconds * 1000,
        signal: ctx.signal,
      });
    },
    cancel: (req) => {
      const id = req.operationId || req.value;
      if (!id)
        throw new ValidationError([
          { path: "operationId", message: "must name the operation to cancel" },
        ]);
      deps.orchestrator.cancel(id);
      return {};
    },
    async *getLogs(req, ctx) {
      for await (const chunk of deps.logs.follow(
        required(req.ref, "ref", "a log (an operation's logref)"),
        ctx.signal,
      )) {
        yield create(BytesValueSchema, { value: chunk });
      }
    },
    clearHistory: (req) => {
      deps.ops.clearHistory({ selector: toSelector(req.selector), onlyFailed: req.onlyFailed });
      return {};
    },
    getSummaryDashboard: createSummaryDashboard(deps),
  };
}

/**
 * The wire selector as the store's; the store treats proto3's empty values as unset. A
 * before_id, when present, must be a positive id (the oldest one of the page already loaded):
 * 0 or below would silently select nothing, so it is refused as a client's mistake.
 */
function toSelector(s: WireSelector | undefined): OpSelector {
  if (!s) return {};
  const { ids, repoId, repoGuid, planId, snapshotId, flowId, instanceId, modnoGte, beforeId } = s;
  if (beforeId !== undefined && beforeId <= 0n)
    throw new ValidationError([
      {
        path: "selector.beforeId",
        message: `${beforeId} is not an operation id: pass the oldest id of the page already loaded, or leave it out for the newest page`,
      },
    ]);
  return { ids, repoId, repoGuid, planId, snapshotId, flowId, instanceId, modnoGte, beforeId };
}

function toWireEvent(item: OpStreamItem): OperationEvent {
  switch (item.type) {
    case "keep-alive":
      return create(OperationEventSchema, { event: { case: "keepAlive", value: {} } });
    case "created":
      return create(OperationEventSchema, {
        event: { case: "createdOperations", value: { operations: item.operations } },
      });
    case "updated":
      return create(OperationEventSchema, {
        event: { case: "updatedOperations", value: { operations: item.operations } },
      });
    case "deleted":
      return create(OperationEventSchema, {
        event: { case: "deletedOperations", value: { values: item.ids } },
      });
  }
}
