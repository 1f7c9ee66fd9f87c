/** Repository storage and secrets: GetStorageUsage, RotateRepoPassword, GetRecoveryKit. */
import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  type Backrest,
  RecoveryKitSchema,
  type StorageUsage,
  StorageUsage_RepoSchema,
  StorageUsageSchema,
} from "../../../gen/v1/service_pb.js";
import { confirmAdminPassword } from "../../auth/confirm-admin.js";
import { principalKey } from "../../auth/principal.js";
import { buildRecoveryKit } from "../../config/recovery-kit.js";
import { type StorageUsageReport, storageUsage } from "../../oplog/storage-usage.js";
import { required } from "./config.js";
import type { BackrestServiceDeps } from "./deps.js";

type Handlers = Pick<
  ServiceImpl<typeof Backrest>,
  "getStorageUsage" | "rotateRepoPassword" | "getRecoveryKit"
>;

export function storageHandlers(deps: BackrestServiceDeps): Handlers {
  return {
    getStorageUsage: (req) => {
      const repos = deps.config
        .getRedacted()
        .repos.map((r) => ({ id: r.id, alertBytes: r.storageAlertBytes }));
      return toWire(storageUsage(deps.ops, { repos, repoId: req.repoId, nowMs: deps.now() }));
    },
    rotateRepoPassword: async (req) =>
      deps.config.redact(
        await deps.orchestrator.rotateRepoPassword(required(req.repoId, "repoId", "a repo")),
      ),
    getRecoveryKit: async (req, ctx) => {
      const cfg = deps.configWithSecrets();
      await confirmAdminPassword(cfg.auth, ctx.values.get(principalKey), req.password);
      return create(RecoveryKitSchema, buildRecoveryKit(cfg, deps.now()));
    },
  };
}

function toWire(report: StorageUsageReport): StorageUsage {
  return create(StorageUsageSchema, {
    repos: report.repos.map((r) =>
      create(StorageUsage_RepoSchema, {
        repoId: r.repoId,
        totalSize: r.totalSize,
        totalUncompressedSize: r.totalUncompressedSize,
        restoreSize: r.restoreSize,
        snapshotCount: r.snapshotCount,
        growth30days: r.growth,
        measuredAtMs: r.measuredAtMs,
        alertBytes: r.alertBytes,
        overAlert: r.overAlert,
        history: r.history.map((p) => ({ timeMs: p.timeMs, totalSize: p.totalSize })),
      }),
    ),
    totalSize: report.totalSize,
    totalUncompressedSize: report.totalUncompressedSize,
    totalSnapshots: report.totalSnapshots,
    growth30days: report.growth,
  });
}
