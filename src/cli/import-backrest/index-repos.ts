/**
 * Indexes every repository's snapshots into a data directory's operation log, with the
 * daemon's own orchestrator but without its server, so the history is there on first start.
 */

import { mkdirSync } from "node:fs";
import { hostname } from "node:os";
import { openConfigStore } from "../../config/index.js";
import { dataFiles } from "../../data-files.js";
import { silentLogger } from "../../log.js";
import { openLogStore } from "../../logstore/index.js";
import { openSqliteOpStore } from "../../oplog/sqlite-store.js";
import { systemClock } from "../../orchestrator/clock.js";
import { createOrchestrator } from "../../orchestrator/orchestrator.js";
import { openSnapshotTreeStore } from "../../snapshot-index/index.js";
import { type LocalSettings, localRestic } from "../local-settings.js";

/** How indexing one repository went. */
export interface RepoIndexResult {
  repoId: string;
  /** Snapshots the repository holds. */
  snapshots?: number;
  /** Snapshots newly recorded. */
  added?: number;
  error?: string;
}

/**
 * Opens the config and the data directory's stores (the same files the daemon uses), indexes
 * each repository in turn and closes everything. A repository that fails is reported and the
 * others still indexed. The daemon must not be running on the same data directory.
 */
export async function indexRepositories(settings: LocalSettings): Promise<RepoIndexResult[]> {
  mkdirSync(settings.dataDir, { recursive: true, mode: 0o700 });
  const config = openConfigStore(settings.configPath, { defaultInstance: hostname() });
  const files = dataFiles(settings.dataDir);
  const ops = openSqliteOpStore(files.oplog);
  const logs = openLogStore(files.logs, { now: () => Date.now() });
  const trees = openSnapshotTreeStore(files.snapshotIndex);
  const orchestrator = createOrchestrator({
    config,
    ops,
    restic: localRestic(settings),
    clock: systemClock,
    log: silentLogger,
    logs,
    trees,
    dataDir: settings.dataDir,
  });
  const results: RepoIndexResult[] = [];
  try {
    for (const repo of config.get().repos) {
      try {
        const r = await orchestrator.indexSnapshots(repo.id);
        results.push({ repoId: repo.id, snapshots: r.snapshots.length, added: r.added });
      } catch (err) {
        results.push({ repoId: repo.id, error: err instanceof Error ? err.message : String(err) });
      }
    }
  } finally {
    await orchestrator.shutdown();
    ops.close();
    logs.close();
    trees.close();
  }
  return results;
}
