/** A daemon with one local repository and one plan over a small source tree. */
import { join } from "node:path";
import { startTestDaemon, type TestDaemon } from "./daemon.js";
import { initRepo, makeSourceTree, TEST_PASSWORD } from "./data.js";
import { tempDir } from "./temp.js";

export interface BackupFixture {
  daemon: TestDaemon;
  repoPath: string;
  sourceDir: string;
  config: Record<string, unknown>;
}

/** Options: extra config fields, users, and the size of the source tree. */
export async function startBackupFixture(
  opts: {
    files?: number;
    bigBytes?: number;
    auth?: object;
    /** Restwell settings (rate limits, retention...). */
    settings?: object;
    initialized?: boolean;
    extraPlans?: object[];
    /** Keep-alive interval of operation event streams (see startTestDaemon). */
    keepAliveMs?: number;
  } = {},
): Promise<BackupFixture> {
  const dir = tempDir();
  const repoPath = join(dir, "repo");
  const sourceDir = makeSourceTree(join(dir, "src"), {
    files: opts.files,
    bigBytes: opts.bigBytes,
  });
  if (opts.initialized !== false) await initRepo(repoPath);
  const config = {
    version: 4,
    instance: "test-host",
    repos: [{ id: "local", uri: repoPath, password: TEST_PASSWORD, autoInitialize: true }],
    plans: [{ id: "plan1", repo: "local", paths: [sourceDir] }, ...(opts.extraPlans ?? [])],
    auth: opts.auth ?? { disabled: true },
    ...(opts.settings ? { settings: opts.settings } : {}),
  };
  const daemon = await startTestDaemon(config, { keepAliveMs: opts.keepAliveMs });
  return { daemon, repoPath, sourceDir, config };
}
