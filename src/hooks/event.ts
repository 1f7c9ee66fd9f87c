/** The event a hook reacts to. */
import type { Hook_Condition } from "../../gen/v1/config_pb.js";

/** What happened, as hooks see it. */
export interface HookEvent {
  /**
   * Stable event name shared by webhooks and notifications: backup.started,
   * backup.completed, backup.failed, backup.skipped, backup.warning,
   * prune.started|completed|failed, check.*, forget.* (see eventName).
   */
  event: string;
  /** The specific condition that fired (e.g. SNAPSHOT_START). */
  condition: Hook_Condition;
  instance: string;
  plan?: { id: string };
  /** `uri` may hold a user:pass@ password; hooks mask it before showing it anywhere. */
  repo: { id: string; uri: string };
  operationId: bigint;
  flowId: bigint;
  snapshotId?: string;
  error?: string;
  durationMs?: number;
  /** Backup summary numbers when there are some (filesNew, filesChanged, dataAdded, totalBytesProcessed, ...). */
  summary?: Record<string, number | string>;
  time: Date;
}
