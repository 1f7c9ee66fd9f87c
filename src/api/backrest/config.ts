/** Config handlers: GetConfig, SetConfig, AddRepo, TestRepo, RemoveRepo, SetPaused. */
import type { ServiceImpl } from "@connectrpc/connect";
import type { Backrest } from "../../../gen/v1/service_pb.js";
import { ValidationError } from "../../errors.js";
import type { BackrestServiceDeps } from "./deps.js";

type Handlers = Pick<
  ServiceImpl<typeof Backrest>,
  "getConfig" | "setConfig" | "addRepo" | "testRepo" | "removeRepo" | "setPaused"
>;

export function configHandlers(deps: BackrestServiceDeps): Handlers {
  return {
    getConfig: () => deps.config.getRedacted(),
    setConfig: (req) => deps.config.replace(req),
    addRepo: async (req) => {
      if (!req.repo) throw new ValidationError([{ path: "repo", message: "is required" }]);
      return deps.config.redact(await deps.orchestrator.addRepo(req.repo));
    },
    testRepo: (req, ctx) => {
      if (!req.repo) throw new ValidationError([{ path: "repo", message: "is required" }]);
      return deps.orchestrator.testRepo(req.repo, ctx.signal);
    },
    setPaused: (req) => deps.config.setPaused(req.planId, req.paused),
    removeRepo: (req) =>
      deps.config.redact(deps.orchestrator.removeRepo(required(req.value, "value", "the repo id"))),
  };
}

/** Returns `value`, or throws a ValidationError naming the field when it is empty. */
export function required(value: string, field: string, what: string): string {
  if (!value) throw new ValidationError([{ path: field, message: `must name ${what}` }]);
  return value;
}
