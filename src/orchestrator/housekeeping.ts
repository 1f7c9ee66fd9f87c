/**
 * Periodic clean-up of what the daemon keeps about past work: expired operation logs,
 * operation history beyond the configured count and age (operations tied to a snapshot that
 * still exists are always kept), and audit events beyond their age.
 */
import type { OpAnalytics } from "../oplog/analytics.js";
import type { ConfigSource, OrchestratorDeps } from "./deps.js";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Defaults for unset (zero) settings. */
export const HOUSEKEEPING_DEFAULTS = {
  logRetentionDays: 30,
  historyKeepCount: 1000,
  historyKeepDays: 365,
  auditRetentionDays: 90,
};

export interface HousekeepingDeps {
  config: ConfigSource;
  ops: OpAnalytics;
  logs: { expire(beforeMs: number): number };
  /** The audit log, when the daemon keeps one. */
  audit?: { expire(beforeMs: number): number };
  clock: OrchestratorDeps["clock"];
  log: OrchestratorDeps["log"];
}

/** Runs one clean-up now; returns what it removed (`audit` only when there is an audit log). */
export function runHousekeeping(deps: HousekeepingDeps): {
  logs: number;
  operations: number;
  audit?: number;
} {
  const settings = deps.config.get().settings;
  const now = deps.clock.now();
  const logDays = settings?.logRetentionDays || HOUSEKEEPING_DEFAULTS.logRetentionDays;
  const logs = deps.logs.expire(now - logDays * DAY_MS);
  const deleted = deps.ops.pruneHistory({
    keepCount: settings?.historyKeepCount || HOUSEKEEPING_DEFAULTS.historyKeepCount,
    keepDays: settings?.historyKeepDays || HOUSEKEEPING_DEFAULTS.historyKeepDays,
    nowMs: now,
    liveSnapshotIds: deps.ops.liveSnapshotIds(),
  });
  const auditDays = settings?.auditRetentionDays || HOUSEKEEPING_DEFAULTS.auditRetentionDays;
  const audit = deps.audit?.expire(now - auditDays * DAY_MS);
  if (logs > 0 || deleted.length > 0 || audit) {
    deps.log.info("housekeeping removed old history", {
      logs,
      operations: deleted.length,
      audit,
    });
  }
  return { logs, operations: deleted.length, ...(audit === undefined ? {} : { audit }) };
}

/** Runs housekeeping now and then every `intervalMs` (default hourly). Returns a stop function. */
export function startHousekeeping(deps: HousekeepingDeps, intervalMs = 60 * 60 * 1000): () => void {
  const run = () => {
    try {
      runHousekeeping(deps);
    } catch (err) {
      deps.log.warn("housekeeping failed", {
        error: err instanceof Error ? err.message : String(err),
      });
    }
  };
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
