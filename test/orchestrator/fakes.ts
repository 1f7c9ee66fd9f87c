/** Fakes at the orchestrator's seams: a scriptable restic, an in-memory config, a manual clock. */
import { Readable } from "node:stream";
import { create } from "@bufbuild/protobuf";
import { type Config, ConfigSchema } from "../../gen/v1/config_pb.js";
import { ConflictError } from "../../src/errors.js";
import { silentLogger } from "../../src/log.js";
import { createMemoryOpStore } from "../../src/oplog/memory-store.js";
import type { ConfigSource, OrchestratorDeps, TreeIndex } from "../../src/orchestrator/deps.js";
import type { BackupResult, BackupStatus, Restic, ResticRepo } from "../../src/restic/types.js";

export function summary(snapshotId = "abcdef01"): BackupResult["summary"] {
  return {
    filesNew: 1,
    filesChanged: 0,
    filesUnmodified: 0,
    dirsNew: 1,
    dirsChanged: 0,
    dirsUnmodified: 0,
    dataBlobs: 1,
    treeBlobs: 1,
    dataAdded: 10,
    totalFilesProcessed: 1,
    totalBytesProcessed: 10,
    totalDuration: 0.1,
    snapshotId,
  };
}

/** A backup that the test finishes by hand. */
export interface PendingBackup {
  repo: ResticRepo;
  tags: string[];
  signal: AbortSignal | undefined;
  onStatus: ((s: BackupStatus) => void) | undefined;
  resolve(result: BackupResult): void;
  reject(err: unknown): void;
}

/** A Restic whose backups wait until the test resolves them; other calls are recorded. */
export function createFakeRestic() {
  const backups: PendingBackup[] = [];
  const calls: string[] = [];
  const restic: Restic = {
    version: async () => ({ version: "0.14.0", major: 0, minor: 14, patch: 0 }),
    init: async (repo) => {
      calls.push(`init ${repo.uri}`);
    },
    repoId: async (repo) => {
      calls.push(`repoId ${repo.uri}`);
      return `guid-of-${repo.uri}`;
    },
    snapshots: async () => [],
    unlock: async (repo) => {
      calls.push(`unlock ${repo.uri}`);
    },
    ls: async () => {
      throw new Error("ls is not used by these tests");
    },
    restore: async () => ({}),
    diff: async () => {
      throw new Error("diff is not used by these tests");
    },
    dump: () => ({ stream: Readable.from([]), done: Promise.resolve() }),
    forget: async (repo, opts) => {
      calls.push(`forget ${repo.uri} ${JSON.stringify(opts)}`);
      return [];
    },
    prune: async (repo) => {
      calls.push(`prune ${repo.uri}`);
      return "";
    },
    check: async (repo) => {
      calls.push(`check ${repo.uri}`);
      return "";
    },
    stats: async () => ({ totalSize: 1, totalFileCount: 1, totalBlobCount: 1, snapshotsCount: 1 }),
    tag: async (repo, ids, change) => {
      calls.push(`tag ${repo.uri} ${ids.join(",")} ${JSON.stringify(change)}`);
    },
    command: async (repo, args) => {
      calls.push(`command ${repo.uri} ${args.join(" ")}`);
      return { exitCode: 0 };
    },
    backup: (repo, opts, call) =>
      new Promise<BackupResult>((resolve, reject) => {
        calls.push(`backup ${repo.uri}`);
        const pending = {
          repo,
          tags: opts.tags ?? [],
          signal: call?.signal,
          onStatus: call?.onStatus,
          resolve,
          reject,
        };
        backups.push(pending);
        call?.signal?.addEventListener("abort", () =>
          reject(Object.assign(new Error("cancelled"), { name: "ResticCancelledError" })),
        );
      }),
  };
  return { restic, backups, calls };
}

/** An in-memory config source with the store's modno rule. */
export function createConfigSource(init: Config): ConfigSource & { saves: number } {
  let current = create(ConfigSchema, init);
  const source = {
    saves: 0,
    get: () => current,
    update(next: Config, opts?: { expectedModno?: number }) {
      if (opts?.expectedModno !== undefined && opts.expectedModno !== current.modno)
        throw new ConflictError("stale");
      current = create(ConfigSchema, { ...next, modno: current.modno + 1 });
      source.saves++;
      return current;
    },
  };
  return source;
}

export function baseConfig(): Config {
  return create(ConfigSchema, {
    instance: "unit",
    repos: [
      { id: "r1", uri: "/repo/one", password: "pw" },
      { id: "r2", uri: "/repo/two", password: "pw", guid: "known-guid" },
    ],
    plans: [
      { id: "p1", repo: "r1", paths: ["/data/a"] },
      { id: "p1b", repo: "r1", paths: ["/data/b"] },
      { id: "p2", repo: "r2", paths: ["/data/c"] },
    ],
  });
}

export function makeDeps(now = { t: 1_000_000 }) {
  const fake = createFakeRestic();
  const config = createConfigSource(baseConfig());
  const ops = createMemoryOpStore();
  const deps: OrchestratorDeps = {
    config,
    ops,
    restic: fake.restic,
    clock: { now: () => now.t },
    log: silentLogger,
    logs: createMemoryLogs(),
    trees: createMemoryTrees(),
    dataDir: "/var/lib/restwell-test",
    progressIntervalMs: 1000,
  };
  return { deps, fake, config, ops, now };
}

/** Logs kept in memory, by ref. */
export function createMemoryLogs() {
  const logs = new Map<string, string>();
  let next = 0;
  return {
    logs,
    create() {
      const ref = `log-${++next}`;
      logs.set(ref, "");
      return {
        ref,
        write: (chunk: string | Buffer) => logs.set(ref, (logs.get(ref) ?? "") + chunk.toString()),
        end: () => {},
      };
    },
  };
}

/** A tree index that stores nothing (the orchestrator tests do not browse). */
export function createMemoryTrees(): TreeIndex {
  return {
    has: () => false,
    begin: () => ({ add: () => {}, commit: () => {}, abort: () => {} }),
    listFolder: () => undefined,
    getNode: () => undefined,
    totals: () => ({ files: 0, bytes: 0 }),
    retainOnly: () => 0,
  };
}

/** Lets queued promise callbacks run. */
export async function settle(times = 5): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise((r) => setImmediate(r));
}
