/**
 * Handlers of the v1.Backrest service. Each validates its input, calls one domain
 * function and maps the result; errors are mapped at the edge (src/api/errors.ts).
 */
import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  type OperationEvent,
  OperationEventSchema,
  OperationListSchema,
} from "../../gen/v1/operations_pb.js";
import type { Backrest, OpSelector as WireSelector } from "../../gen/v1/service_pb.js";
import type { ConfigService } from "../config/config-service.js";
import { ValidationError } from "../errors.js";
import { type OpStreamItem, streamOpEvents } from "../oplog/event-stream.js";
import type { OpSelector, OpStore } from "../oplog/types.js";
import type { Orchestrator } from "../orchestrator/orchestrator.js";

export interface BackrestServiceDeps {
  config: ConfigService;
  ops: OpStore;
  orchestrator: Orchestrator;
  /** Keep-alive interval of GetOperationEvents (default 15 s). */
  keepAliveMs?: number;
}

/** Creates the v1.Backrest handlers. */
export function createBackrestService(deps: BackrestServiceDeps): ServiceImpl<typeof Backrest> {
  return {
    getConfig: () => deps.config.getRedacted(),
    setConfig: (req) => deps.config.replace(req),
    addRepo: async (req) => {
      if (!req.repo) throw new ValidationError([{ path: "repo", message: "is required" }]);
      return deps.config.redact(await deps.orchestrator.addRepo(req.repo));
    },
    removeRepo: (req) => deps.config.redact(deps.orchestrator.removeRepo(req.value)),
    getOperations: (req) =>
      create(OperationListSchema, {
        operations: deps.ops.query({
          selector: toSelector(req.selector),
          lastN: Number(req.lastN),
        }),
      }),
    async *getOperationEvents(_req, ctx) {
      const events = streamOpEvents(deps.ops, {
        signal: ctx.signal,
        keepAliveMs: deps.keepAliveMs,
      });
      for await (const item of events) yield toWireEvent(item);
    },
    backup: (req) => {
      if (!req.value)
        throw new ValidationError([{ path: "value", message: "must name the plan to back up" }]);
      return deps.orchestrator.backup(req.value, { dryRun: req.dryRun });
    },
  };
}

/** The wire selector as the store's; the store treats proto3's empty values as unset. */
function toSelector(s: WireSelector | undefined): OpSelector {
  if (!s) return {};
  const { ids, repoId, repoGuid, planId, snapshotId, flowId, instanceId, modnoGte } = s;
  return { ids, repoId, repoGuid, planId, snapshotId, flowId, instanceId, modnoGte };
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
