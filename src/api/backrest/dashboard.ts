/** GetSummaryDashboard: the operation log's 30-day activity per plan and repo, as the API's message. */
import { create } from "@bufbuild/protobuf";
import {
  type SummaryDashboardResponse,
  SummaryDashboardResponse_SummarySchema,
  SummaryDashboardResponseSchema,
} from "../../../gen/v1/service_pb.js";
import { deepFreeze } from "../../deep-freeze.js";
import type { ActivityReport, ActivitySummary } from "../../oplog/analytics.js";
import type { BackrestServiceDeps } from "./deps.js";

const WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * GetSummaryDashboard's answer. The message is built again only when its report (cached by
 * the store until the log changes), the config or a plan's next run has changed; otherwise the
 * last one, frozen and shared, is returned, so the server can reuse its encoded bytes too.
 */
export function createSummaryDashboard(
  deps: BackrestServiceDeps,
): () => Readonly<SummaryDashboardResponse> {
  let last:
    | { report: ActivityReport; cfg: object; nextRuns: string; message: SummaryDashboardResponse }
    | undefined;
  return () => {
    const cfg = deps.config.getRedacted();
    const report = deps.ops.summarizeActivity({
      sinceMs: deps.now() - WINDOW_MS,
      planIds: cfg.plans.map((p) => p.id),
      repoIds: cfg.repos.map((r) => r.id),
    });
    const runs = deps.nextRuns?.();
    const next = report.plans.map((s) => runs?.get(`plan:${s.id}`) ?? 0);
    const nextRuns = next.join(",");
    if (last?.report === report && last.cfg === cfg && last.nextRuns === nextRuns)
      return last.message;
    const message = deepFreeze(
      create(SummaryDashboardResponseSchema, {
        planSummaries: report.plans.map((s, i) => {
          const summary = toSummary(s);
          summary.nextBackupTimeMs = BigInt(next[i] ?? 0);
          return summary;
        }),
        repoSummaries: report.repos.map(toSummary),
        configPath: deps.configPath,
        dataPath: deps.dataDir,
      }),
    );
    last = { report, cfg, nextRuns, message };
    return message;
  };
}

function toSummary(s: ActivitySummary) {
  return create(SummaryDashboardResponse_SummarySchema, {
    id: s.id,
    backupsFailed30days: BigInt(s.backupsFailed),
    backupsWarningLast30days: BigInt(s.backupsWarning),
    backupsSuccessLast30days: BigInt(s.backupsSuccess),
    bytesScannedLast30days: s.bytesScanned,
    bytesAddedLast30days: s.bytesAdded,
    totalSnapshots: BigInt(s.totalSnapshots),
    bytesScannedAvg: s.bytesScannedAvg,
    bytesAddedAvg: s.bytesAddedAvg,
    durationAvgMs: s.durationAvgMs,
    lastBackupTimeMs: s.last?.startMs ?? 0n,
    lastBackupStatus: s.last?.status ?? 0,
    recentBackups: {
      flowId: s.recent.map((b) => b.flowId),
      timestampMs: s.recent.map((b) => b.startMs),
      durationMs: s.recent.map((b) => b.durationMs),
      status: s.recent.map((b) => b.status),
      bytesAdded: s.recent.map((b) => b.bytesAdded),
    },
  });
}
