/** What the orchestrator needs from the rest of the daemon: interfaces only, so tests use fakes. */
import type { Config } from "../../gen/v1/config_pb.js";
import type { DatabaseTools } from "../databases/types.js";
import type { Logger } from "../log.js";
import type { AnalyticsOpStore } from "../oplog/analytics.js";
import type { LsNode, Restic } from "../restic/types.js";
import type { Clock } from "./clock.js";
import type { HookRuntime } from "./hook-runner.js";

/** Read and update access to the configuration. */
export interface ConfigSource {
  get(): Config;
  update(next: Config, opts?: { expectedModno?: number }): Config;
}

/** Where operation output (prune, check, restore, commands) is kept, by reference. */
export interface LogSink {
  create(opts?: { maxBytes?: number }): LogWriterLike;
}

export interface LogWriterLike {
  readonly ref: string;
  write(chunk: string | Buffer): void;
  end(): void;
}

/** The node shape stored in the snapshot tree index (restic's ls node). */
export type TreeNode = LsNode;

/** The snapshot tree index: whole trees read once with `restic ls`, folders served from it. */
export interface TreeIndex {
  has(repoGuid: string, snapshotId: string): boolean;
  begin(
    repoGuid: string,
    snapshotId: string,
  ): { add(node: TreeNode): void; commit(): void; abort(): void };
  listFolder(repoGuid: string, snapshotId: string, folder: string): TreeNode[] | undefined;
  getNode(repoGuid: string, snapshotId: string, path: string): TreeNode | undefined;
  totals(repoGuid: string, snapshotId: string, path: string): { files: number; bytes: number };
  retainOnly(repoGuid: string, snapshotIds: string[]): number;
}

export interface OrchestratorDeps {
  config: ConfigSource;
  ops: AnalyticsOpStore;
  restic: Restic;
  clock: Clock;
  log: Logger;
  logs: LogSink;
  trees: TreeIndex;
  /** The daemon's data directory (default restore targets live under it). */
  dataDir: string;
  /** Runs hooks around operations; none when unset. */
  hooks?: HookRuntime;
  /** Environment for user commands (preconditions, command hooks), e.g. PATH and HOME. */
  hookEnv?: Record<string, string>;
  /** Dumps and loads the databases of plans' database sources; those fail without it. */
  databases?: DatabaseTools;
  /** Minimum interval between progress writes of one operation (default 1000 ms). */
  progressIntervalMs?: number;
}
