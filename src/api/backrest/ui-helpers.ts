/** Handlers that help the web UI fill in forms: ListLocalPaths, PreviewRetention. */
import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  type Backrest,
  ListLocalPathsResponseSchema,
  PreviewRetentionResponseSchema,
} from "../../../gen/v1/service_pb.js";
import { listLocalPaths } from "../../orchestrator/local-paths.js";
import { previewPlanRetention } from "../../orchestrator/retention-preview.js";
import { required } from "./config.js";
import type { BackrestServiceDeps } from "./deps.js";

type Handlers = Pick<ServiceImpl<typeof Backrest>, "listLocalPaths" | "previewRetention">;

/** Creates the handlers. */
export function uiHelperHandlers(deps: BackrestServiceDeps): Handlers {
  return {
    listLocalPaths: async (req) =>
      create(
        ListLocalPathsResponseSchema,
        await listLocalPaths(req.prefix, { dirsOnly: req.dirsOnly }),
      ),
    previewRetention: async (req) =>
      create(PreviewRetentionResponseSchema, {
        snapshots: await previewPlanRetention(
          deps.config.getRedacted(),
          required(req.planId, "planId", "a plan"),
          req.policy,
          (repoId, planId) => deps.orchestrator.listSnapshots(repoId, { planId, recycled: false }),
        ),
      }),
  };
}
