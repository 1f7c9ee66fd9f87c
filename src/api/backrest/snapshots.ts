/** Snapshot handlers: listing, browsing, comparing, download links and the recycle bin. */
import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { StringValueSchema } from "../../../gen/types/value_pb.js";
import { ResticSnapshotListSchema } from "../../../gen/v1/restic_pb.js";
import { type Backrest, ListSnapshotFilesResponseSchema } from "../../../gen/v1/service_pb.js";
import { ValidationError } from "../../errors.js";
import { required } from "./config.js";
import type { BackrestServiceDeps } from "./deps.js";
import { snapshotId, snapshotIds, validSnapshotIds } from "./snapshot-ids.js";
import { started } from "./tasks.js";

type Handlers = Pick<
  ServiceImpl<typeof Backrest>,
  | "listSnapshots"
  | "listSnapshotFiles"
  | "diffSnapshots"
  | "getDownloadURL"
  | "recycleSnapshots"
  | "listRecycleBin"
  | "restoreFromRecycleBin"
  | "purgeRecycleBin"
>;

export function snapshotHandlers(deps: BackrestServiceDeps): Handlers {
  const o = deps.orchestrator;
  return {
    listSnapshots: async (req) =>
      create(ResticSnapshotListSchema, {
        snapshots: await o.listSnapshots(required(req.repoId, "repoId", "a repo"), {
          planId: req.planId,
          recycled: false,
        }),
      }),
    listSnapshotFiles: async (req) =>
      create(
        ListSnapshotFilesResponseSchema,
        await o.listSnapshotFiles(
          required(req.repoId, "repoId", "a repo"),
          snapshotId(req.snapshotId, "snapshotId", "a snapshot"),
          req.path,
        ),
      ),
    diffSnapshots: (req, ctx) =>
      o.diffSnapshots(
        required(req.repoId, "repoId", "a repo"),
        snapshotId(req.snapshotA, "snapshotA", "the older snapshot"),
        snapshotId(req.snapshotB, "snapshotB", "the newer snapshot"),
        ctx.signal,
      ),
    getDownloadURL: (req) => {
      if (!req.opId)
        throw new ValidationError([
          { path: "opId", message: "must name an operation with a snapshot" },
        ]);
      return create(StringValueSchema, {
        value: deps.downloads.createLink(req.opId, req.filePath),
      });
    },
    recycleSnapshots: (req) =>
      started(
        o.startRecycle(required(req.repoId, "repoId", "a repo"), snapshotIds(req.snapshotIds)),
      ),
    listRecycleBin: async (req) =>
      create(ResticSnapshotListSchema, {
        snapshots: await o.listSnapshots(required(req.repoId, "repoId", "a repo"), {
          planId: req.planId,
          recycled: true,
        }),
      }),
    restoreFromRecycleBin: (req) =>
      started(
        o.startUnrecycle(required(req.repoId, "repoId", "a repo"), snapshotIds(req.snapshotIds)),
      ),
    purgeRecycleBin: (req) =>
      started(
        o.startPurge(
          required(req.repoId, "repoId", "a repo"),
          // None named: the whole recycle bin.
          validSnapshotIds(req.snapshotIds),
          req.prune,
        ),
      ),
  };
}
