/**
 * The files of the data directory, named in one place for the daemon and the commands
 * that open the same stores without it (import-backrest).
 */
import { join } from "node:path";

/** Paths of the daemon's files under `dataDir`. */
export function dataFiles(dataDir: string) {
  return {
    oplog: join(dataDir, "oplog.sqlite"),
    logs: join(dataDir, "logs.sqlite"),
    snapshotIndex: join(dataDir, "snapshot-index.sqlite"),
    audit: join(dataDir, "audit.sqlite"),
    keys: join(dataDir, "keys.sqlite"),
    webhookSecret: join(dataDir, "webhook-secret"),
    sessionSecret: join(dataDir, "session-secret"),
    resticCache: join(dataDir, "restic-cache"),
  };
}
