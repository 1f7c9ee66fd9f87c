/** What the orchestrator needs from the rest of the daemon: interfaces only, so tests use fakes. */
import type { Config } from "../../gen/v1/config_pb.js";
import type { Logger } from "../log.js";
import type { OpStore } from "../oplog/types.js";
import type { Restic } from "../restic/types.js";
import type { Clock } from "./clock.js";

/** Read and update access to the configuration. */
export interface ConfigSource {
  get(): Config;
  update(next: Config, opts?: { expectedModno?: number }): Config;
}

export interface OrchestratorDeps {
  config: ConfigSource;
  ops: OpStore;
  restic: Restic;
  clock: Clock;
  log: Logger;
  /** Minimum interval between progress writes of one operation (default 1000 ms). */
  progressIntervalMs?: number;
}
