/** Database source handlers: RestoreDatabase. */
import type { ServiceImpl } from "@connectrpc/connect";
import type { Backrest } from "../../../gen/v1/service_pb.js";
import { required } from "./config.js";
import type { BackrestServiceDeps } from "./deps.js";
import { snapshotId } from "./snapshot-ids.js";
import { started } from "./tasks.js";

type Handlers = Pick<ServiceImpl<typeof Backrest>, "restoreDatabase">;

export function databaseHandlers(deps: BackrestServiceDeps): Handlers {
  return {
    restoreDatabase: async (req, ctx) =>
      started(
        await deps.orchestrator.startRestoreDatabase(
          {
            repoId: required(req.repoId, "repoId", "a repo"),
            snapshotId: snapshotId(req.snapshotId, "snapshotId", "the snapshot holding the dump"),
            planId: required(req.planId, "planId", "the plan whose database source made the dump"),
            databaseName: required(req.databaseName, "databaseName", "the plan's database source"),
            targetDatabase: req.targetDatabase,
            replace: req.replace,
          },
          ctx.signal,
        ),
      ),
  };
}
