/**
 * Writes a generated operation log (bench/lib/oplog-history.ts) into an oplog SQLite file
 * through the store's own insert path (OpStore.add, one transaction per batch), and keeps it
 * under .bench/ keyed by the generator's version and shape, so later runs only copy it.
 *
 * Run directly to build the cached file (and print what it holds):
 *   node --import tsx bench/generate-oplog.ts     (BENCH_OPERATIONS=N, default 1,000,000)
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { type Operation, OperationStatus } from "../gen/v1/operations_pb.js";
import { MIGRATIONS } from "../src/oplog/migrations.js";
import { openSqliteOpStore } from "../src/oplog/sqlite-store.js";
import { log, positiveInt, ROOT, runMain } from "./lib/cli.js";
import {
  DAY_MS,
  generateHistory,
  HISTORY_VERSION,
  type HistoryShape,
  historyLayout,
} from "./lib/oplog-history.js";

/** Operations per OpStore.add call (one transaction each). */
const BATCH = 10_000;
/** A cached history older than this is rebuilt: its times are relative to when it was made. */
const MAX_AGE_MS = 7 * DAY_MS;

/** The default shape: 1,000,000 operations, 50 plans over 5 repositories, 330 days. */
export function defaultShape(operations: number, endMs = Date.now()): HistoryShape {
  // 330 days, inside the daemon's default 365-day history retention, so nothing is pruned.
  return { operations, plans: 50, repos: 5, days: 330, endMs, seed: 20_261_122, instance: "bench" };
}

/** What a written history holds. */
export interface HistoryStats {
  operations: number;
  /** Operations by payload case. */
  byKind: Record<string, number>;
  /** Operations by status name. */
  byStatus: Record<string, number>;
  /** When the history ends (unix ms). */
  endMs: number;
  /** Seconds it took to write. */
  seconds: number;
}

/**
 * Writes the history of `shape` into a new oplog at `path` (which must not exist) with
 * OpStore.add, `BATCH` operations per transaction. Returns counts of what was written.
 */
export function writeHistory(
  path: string,
  shape: HistoryShape,
  onProgress?: (written: number) => void,
): HistoryStats {
  const started = performance.now();
  const store = openSqliteOpStore(path);
  const byKind: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  let written = 0;
  let batch: Operation[] = [];
  const flush = () => {
    written += store.add(...batch).length;
    batch = [];
    onProgress?.(written);
  };
  try {
    for (const op of generateHistory(shape)) {
      const kind = op.op.case ?? "";
      byKind[kind] = (byKind[kind] ?? 0) + 1;
      const status = OperationStatus[op.status] ?? String(op.status);
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      batch.push(op);
      if (batch.length === BATCH) flush();
    }
    if (batch.length > 0) flush();
  } finally {
    store.close();
  }
  const seconds = (performance.now() - started) / 1000;
  return { operations: written, byKind, byStatus, endMs: shape.endMs, seconds };
}

/** A cached history file and what it holds. */
export interface CachedHistory {
  path: string;
  shape: HistoryShape;
  stats: HistoryStats;
  /** True when this call wrote it. */
  generated: boolean;
}

/**
 * The cache file name of a shape: the generator's version and the shape without the time it
 * ends at (which only decides its age).
 */
export function cacheKey(shape: HistoryShape): string {
  return `oplog-v${HISTORY_VERSION}-${shape.operations}ops-${shape.plans}plans-${shape.repos}repos-${shape.days}d-${shape.seed}`;
}

/** What is kept beside a cached file. */
interface CacheMeta {
  shape: HistoryShape;
  stats: HistoryStats;
  /** The oplog schema version the file has been migrated to. */
  schema: number;
}

/**
 * The cached history of `operations` operations under `dir` (default .bench/), written first
 * when missing, of another generator version, or older than a week. Written to a temporary
 * name and renamed, so an interrupted run leaves no half-written cache. A file of an older
 * oplog schema is migrated here, once, so no migration runs inside a timed daemon start-up.
 */
export function cachedHistory(operations: number, dir = join(ROOT, ".bench")): CachedHistory {
  const now = Date.now();
  const wanted = defaultShape(operations, now);
  const base = join(dir, cacheKey(wanted));
  const path = `${base}.sqlite`;
  const metaPath = `${base}.json`;
  if (existsSync(path) && existsSync(metaPath)) {
    const meta = JSON.parse(readFileSync(metaPath, "utf8")) as CacheMeta;
    if (now - meta.shape.endMs < MAX_AGE_MS) {
      if (meta.schema !== MIGRATIONS.length) {
        log(`migrating ${path} to oplog schema ${MIGRATIONS.length}`);
        openSqliteOpStore(path).close();
        writeMeta(metaPath, { ...meta, schema: MIGRATIONS.length });
      }
      return { path, shape: meta.shape, stats: meta.stats, generated: false };
    }
  }
  mkdirSync(dir, { recursive: true });
  const partial = `${base}.partial.sqlite`;
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${partial}${suffix}`, { force: true });
  let lastLog = 0;
  const stats = writeHistory(partial, wanted, (written) => {
    if (written - lastLog >= 100_000 || written === operations) {
      lastLog = written;
      log(`  ${written.toLocaleString("en")} of ${operations.toLocaleString("en")} operations`);
    }
  });
  renameSync(partial, path);
  writeMeta(metaPath, { shape: wanted, stats, schema: MIGRATIONS.length });
  return { path, shape: wanted, stats, generated: true };
}

function writeMeta(path: string, meta: CacheMeta): void {
  writeFileSync(path, `${JSON.stringify(meta, jsonBigInt, 2)}\n`);
}

function jsonBigInt(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

/** Config entries for the history's repositories and plans, for a daemon config. */
export function historyConfig(shape: HistoryShape, repoUri: (repoId: string) => string) {
  const layout = historyLayout(shape);
  return {
    repos: layout.repos.map((r) => ({
      id: r.id,
      uri: repoUri(r.id),
      guid: r.guid,
      password: "generated history, never opened",
    })),
    plans: layout.plans.map((p) => ({
      id: p.id,
      repo: p.repoId,
      paths: p.paths,
      retention: { policyTimeBucketed: { hourly: 72, weekly: 52 } },
    })),
  };
}

async function main(): Promise<void> {
  const operations = positiveInt(process.env.BENCH_OPERATIONS, 1_000_000);
  log(`operation log of ${operations.toLocaleString("en")} operations`);
  const cached = cachedHistory(operations);
  const { stats } = cached;
  log(
    cached.generated
      ? `wrote ${cached.path} in ${stats.seconds.toFixed(1)} s`
      : `up to date: ${cached.path}`,
  );
  process.stdout.write(`${JSON.stringify({ path: cached.path, ...stats }, null, 2)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await runMain(main);
