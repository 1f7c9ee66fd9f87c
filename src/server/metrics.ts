/**
 * GET /metrics in Prometheus text format (prom-client): per plan and repo the last backup's
 * status, time, duration and bytes added, snapshot counts and repository size, operations by
 * type and status, and the process's own metrics. Values are read from the operation log at
 * scrape time. Behind the same authentication as the API.
 *
 * prom-client (with its dependencies, a tenth of the daemon's start-up) is loaded on the first
 * scrape, and the process metrics (event loop lag, GC) are observed from then on.
 */
import type { Gauge, Registry } from "prom-client";
import type { Config } from "../../gen/v1/config_pb.js";
import { OperationStatus } from "../../gen/v1/operations_pb.js";
import type { AuthResult } from "../auth/authenticator.js";
import { holds } from "../auth/principal.js";
import type { ActivityReport, AnalyticsOpStore } from "../oplog/analytics.js";
import { latestRepoStats } from "../oplog/repo-stats.js";
import type { NodeRequest, NodeResponse } from "./http-handler.js";

export interface MetricsDeps {
  ops: AnalyticsOpStore;
  config: () => Config;
  now: () => number;
}

const WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

type PromClient = typeof import("prom-client");

/** The metrics of the daemon, collected at scrape time. */
export interface MetricsRegistry {
  /** Every metric now, in Prometheus text format, with its content type. */
  collect(): Promise<{ contentType: string; text: string }>;
}

/**
 * The daemon's metrics registry: prom-client is loaded and every metric registered on the
 * first collect (a failed load is retried on the next one).
 */
export function createMetricsRegistry(deps: MetricsDeps): MetricsRegistry {
  let loading: Promise<Registry> | undefined;
  return {
    async collect() {
      loading ??= import("prom-client").then(
        (client) => registryOf(client.default, deps),
        (err: unknown) => {
          loading = undefined;
          throw err;
        },
      );
      const registry = await loading;
      return { contentType: registry.contentType, text: await registry.metrics() };
    },
  };
}

/** Creates the registry with every metric; values are collected at scrape time. */
function registryOf(client: PromClient, deps: MetricsDeps): Registry {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "restwell_" });
  const gauge = (name: string, help: string, labelNames: string[], collect: (g: Gauge) => void) =>
    new client.Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        collect(this);
      },
    });
  // Every gauge reads the same summary; compute it once per scrape.
  let cached: { at: number; report: ActivityReport } | undefined;
  const report = (): ActivityReport => {
    const now = deps.now();
    if (cached && now - cached.at < 1000) return cached.report;
    const cfg = deps.config();
    const fresh = deps.ops.summarizeActivity({
      sinceMs: now - WINDOW_MS,
      planIds: cfg.plans.map((p) => p.id),
      repoIds: cfg.repos.map((r) => r.id),
      recentLimit: 1,
    });
    cached = { at: now, report: fresh };
    return fresh;
  };
  gauge(
    "restwell_backup_last_success",
    "1 when the plan's last backup succeeded (or warned), 0 otherwise",
    ["plan"],
    (g) => {
      for (const s of report().plans) {
        if (!s.last) continue;
        const ok =
          s.last.status === OperationStatus.STATUS_SUCCESS ||
          s.last.status === OperationStatus.STATUS_WARNING;
        g.set({ plan: s.id }, ok ? 1 : 0);
      }
    },
  );
  gauge(
    "restwell_backup_last_time_seconds",
    "Start of the plan's last finished backup (unix seconds)",
    ["plan"],
    (g) => {
      for (const s of report().plans)
        if (s.last) g.set({ plan: s.id }, Number(s.last.startMs) / 1000);
    },
  );
  gauge(
    "restwell_backup_last_duration_seconds",
    "Duration of the plan's newest backup",
    ["plan"],
    (g) => {
      for (const s of report().plans) {
        const b = s.recent.at(-1);
        if (b) g.set({ plan: s.id }, Number(b.durationMs) / 1000);
      }
    },
  );
  gauge(
    "restwell_backup_last_bytes_added",
    "Bytes the plan's newest backup added to its repository",
    ["plan"],
    (g) => {
      for (const s of report().plans) {
        const b = s.recent.at(-1);
        if (b) g.set({ plan: s.id }, Number(b.bytesAdded));
      }
    },
  );
  gauge(
    "restwell_snapshots",
    "Snapshots known in the repository, per plan and repo",
    ["plan", "repo"],
    (g) => {
      const r = report();
      for (const s of r.plans) g.set({ plan: s.id, repo: "" }, s.totalSnapshots);
      for (const s of r.repos) g.set({ plan: "", repo: s.id }, s.totalSnapshots);
    },
  );
  gauge("restwell_repo_size_bytes", "Repository size from its latest stats run", ["repo"], (g) => {
    for (const repo of deps.config().repos) {
      const stats = latestRepoStats(deps.ops, repo.id);
      if (stats) g.set({ repo: repo.id }, Number(stats.totalSize));
    }
  });
  gauge(
    "restwell_operations",
    "Operations in the log by type and status",
    ["type", "status"],
    (g) => {
      for (const c of deps.ops.countByKindAndStatus()) {
        g.set(
          {
            type: c.kind.replace(/^operation/, "").toLowerCase(),
            status: OperationStatus[c.status] ?? String(c.status),
          },
          c.count,
        );
      }
    },
  );
  return registry;
}

/** Serves GET /metrics; returns false for other paths. */
export function createMetricsRoute(
  registry: MetricsRegistry,
  authenticate: (authorization: string | undefined) => Promise<AuthResult>,
  onError: (err: unknown) => void,
) {
  return (req: NodeRequest, res: NodeResponse): boolean => {
    if ((req.url ?? "").split("?")[0] !== "/metrics") return false;
    void (async () => {
      const auth = await authenticate(req.headers.authorization);
      if (!auth.ok) {
        res.writeHead(401, {
          "www-authenticate": 'Basic realm="restwell", charset="UTF-8"',
          "content-type": "text/plain",
        });
        res.end("authentication required: send HTTP basic credentials or an API key\n");
        return;
      }
      if (!holds(auth.principal, "metrics:read")) {
        res.writeHead(403, { "content-type": "text/plain" });
        res.end('metrics need the "metrics:read" permission\n');
        return;
      }
      const { contentType, text } = await registry.collect();
      res.writeHead(200, { "content-type": contentType, "cache-control": "no-store" });
      res.end(text);
    })().catch((err: unknown) => {
      onError(err);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("metrics could not be collected; see the daemon's log\n");
    });
    return true;
  };
}
