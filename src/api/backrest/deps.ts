/** What the v1.Backrest handlers call. */
import type { Config } from "../../../gen/v1/config_pb.js";
import type { ConfigService } from "../../config/config-service.js";
import type { AnalyticsOpStore } from "../../oplog/analytics.js";
import type { Downloads } from "../../orchestrator/downloads.js";
import type { Orchestrator } from "../../orchestrator/orchestrator.js";

/** Follows an operation's log (see src/logstore). */
export interface LogReader {
  follow(ref: string, signal: AbortSignal): AsyncGenerator<Buffer>;
}

export interface BackrestServiceDeps {
  config: ConfigService;
  /** The stored config with its secrets: for the recovery kit only, never returned as it is. */
  configWithSecrets: () => Config;
  ops: AnalyticsOpStore;
  orchestrator: Orchestrator;
  logs: LogReader;
  downloads: Downloads;
  now: () => number;
  /** Planned times of scheduled jobs by key ("plan:<id>", "repo:<id>:prune"...). */
  nextRuns?: () => Map<string, number>;
  configPath: string;
  dataDir: string;
  /** Keep-alive interval of GetOperationEvents (default 15 s). */
  keepAliveMs?: number;
}
