/**
 * Backup overhead of the daemon: the wall time of a backup triggered through the API
 * (`POST /v1.Backrest/Backup`, which blocks until restic is done) divided by the wall time of
 * the same `restic backup --json` run directly, on the same data (about 200 MiB in 5,000
 * files of random content). Goal: a median ratio of at most 1.05.
 *
 * Every measured backup goes to a fresh repository initialized before timing starts. Direct
 * and API runs alternate, and which of the two goes first alternates between iterations, so
 * ordering effects cancel. One untimed backup on each side first warms the page cache and
 * the daemon. The result is printed and written to this benchmark's section of
 * BENCHMARKS.md; it is reported, never asserted.
 *
 * Run it with `make bench` (builds first). Environment: BENCH_RUNS (iterations, default 5),
 * BENCH_GUID=lookup (leave repo guids out of the config, see below).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { type PlanBackup, timedPlanBackup } from "./lib/api.js";
import { withScratch } from "./lib/cli.js";
import { type BenchDaemon, spawnDaemon } from "./lib/daemon.js";
import { type DataSet, DEFAULT_DATA_SET, generateDataSet } from "./lib/data.js";
import { writeSection } from "./lib/markdown.js";
import { type Environment, environment, renderReport, type Sample } from "./lib/overhead-report.js";
import { type DirectRestic, initRepo, resticVersion, timedBackup } from "./lib/restic.js";

const RUNS = positiveInt(process.env.BENCH_RUNS, 5);
/**
 * A long-running install knows each repo's guid: adding a repo through the API records it,
 * and the first backup of a hand-written repo saves it. Without it, the first backup of each
 * repo runs `restic cat config` and saves the config to learn it, a one-off cost that fresh
 * repos would otherwise charge to every measured run.
 */
const PREFILL_GUID = process.env.BENCH_GUID !== "lookup";
const BACKUP_TIMEOUT_MS = 3 * 60_000;
const PASSWORD = "restwell benchmark password";
const INSTANCE = "bench";
/** The progress rate the daemon gives restic (src/restic/env.ts); the direct runs use it too. */
const PROGRESS_FPS = "2";
const ROOT = join(import.meta.dirname, "..");
const SECTION = "backup-overhead";

/** One daemon plan and one direct run share an index; index 0 is the untimed warm-up. */
interface RepoPair {
  index: number;
  direct: string;
  daemon: string;
  daemonGuid: string;
}

async function main(): Promise<void> {
  await withScratch("restwell-bench-", async ({ tmp, own }) => {
    log(`generating the data set in ${tmp}`);
    const data = generateDataSet(join(tmp, "data"), DEFAULT_DATA_SET);
    const restic = directRestic(tmp);
    const env = environment(await resticVersion(restic));
    log(`initializing ${2 * (RUNS + 1)} repositories (untimed)`);
    const pairs = await initRepoPairs(restic, join(tmp, "repos"), RUNS + 1);
    const daemon = own(await startDaemon(tmp, pairs, data));
    log(`daemon listening at ${daemon.url} (${daemon.entry}); warming up (untimed)`);
    const ctx: BenchContext = { restic, daemon, data };
    const [warmUp, ...measured] = pairs as [RepoPair, ...RepoPair[]];
    await runPair(ctx, warmUp, "direct");
    const samples: Sample[] = [];
    for (const pair of measured) {
      samples.push(await runPair(ctx, pair, pair.index % 2 === 1 ? "direct" : "api"));
      log(formatSample(samples.at(-1) as Sample));
    }
    publish(samples, env, data, daemon.entry);
  });
}

/** restic with the environment the daemon gives it, a cache dir of its own, and our password. */
function directRestic(tmp: string): DirectRestic {
  return {
    command: "restic",
    env: {
      ...baseEnv(),
      RESTIC_PASSWORD: PASSWORD,
      RESTIC_CACHE_DIR: join(tmp, "direct", "restic-cache"),
      RESTIC_PROGRESS_FPS: PROGRESS_FPS,
    },
  };
}

/** The little both the daemon and direct restic inherit; no RESTIC_* from the caller's shell. */
function baseEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? tmpdir() };
}

/** Initializes `count` pairs of repositories, two at a time (init is CPU-bound key derivation). */
async function initRepoPairs(restic: DirectRestic, dir: string, count: number) {
  mkdirSync(dir, { recursive: true });
  const pairs: RepoPair[] = [];
  for (let index = 0; index < count; index++) {
    const direct = join(dir, `direct-${index}`);
    const daemon = join(dir, `daemon-${index}`);
    const [, daemonGuid] = await Promise.all([initRepo(restic, direct), initRepo(restic, daemon)]);
    pairs.push({ index, direct, daemon, daemonGuid });
  }
  return pairs;
}

/** Writes a config with one repo `rI` and plan `pI` per pair and starts the daemon on it. */
async function startDaemon(tmp: string, pairs: RepoPair[], data: DataSet) {
  const config = {
    version: 4,
    instance: INSTANCE,
    repos: pairs.map((p) => ({
      id: `r${p.index}`,
      uri: p.daemon,
      password: PASSWORD,
      ...(PREFILL_GUID ? { guid: p.daemonGuid } : {}),
    })),
    plans: pairs.map((p) => ({ id: `p${p.index}`, repo: `r${p.index}`, paths: [data.dir] })),
    auth: { disabled: true },
  };
  const configPath = join(tmp, "daemon", "config.json");
  mkdirSync(join(tmp, "daemon"), { recursive: true });
  writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
  return spawnDaemon({ configPath, dataDir: join(tmp, "daemon", "data"), env: baseEnv() });
}

/** What every timed backup needs. */
interface BenchContext {
  restic: DirectRestic;
  daemon: BenchDaemon;
  data: DataSet;
}

/** Times one direct backup and one API backup of the data, `first` going first. */
async function runPair(ctx: BenchContext, pair: RepoPair, first: Sample["first"]): Promise<Sample> {
  const load = loadavg()[0] ?? 0;
  let directMs = 0;
  let api: PlanBackup | undefined;
  const steps = [
    async () => {
      directMs = await directBackup(ctx, pair);
    },
    async () => {
      api = await apiBackup(ctx, pair);
    },
  ];
  for (const step of first === "direct" ? steps : steps.reverse()) await step();
  const { ms: apiMs, resticMs } = api as PlanBackup;
  return {
    run: pair.index,
    first,
    directMs,
    apiMs,
    ratio: apiMs / directMs,
    outsideResticMs: resticMs === undefined ? undefined : apiMs - resticMs,
    load,
  };
}

/** `restic backup` of the data to the pair's direct repo, with the tags the daemon would use. */
async function directBackup({ restic, data }: BenchContext, pair: RepoPair): Promise<number> {
  const tags = [`plan:p${pair.index}`, `created-by:${INSTANCE}`];
  const run = await timedBackup(restic, pair.direct, {
    paths: [data.dir],
    tags,
    timeoutMs: BACKUP_TIMEOUT_MS,
  });
  checkFiles("direct", run.summary.files, data);
  return run.ms;
}

/** The pair's plan backed up through the API; checks that it succeeded on all the data. */
async function apiBackup({ daemon, data }: BenchContext, pair: RepoPair): Promise<PlanBackup> {
  const planId = `p${pair.index}`;
  const backup = await timedPlanBackup(daemon, planId, BACKUP_TIMEOUT_MS);
  const { op } = backup;
  if (op.status !== "STATUS_SUCCESS") {
    throw new Error(`the API backup of ${planId} ended ${op.status}: ${op.displayMessage}`);
  }
  checkFiles("API", Number(op.operationBackup?.lastStatus?.summary?.totalFilesProcessed), data);
  return backup;
}

/** A backup that saw a different number of files did not do the same work. */
function checkFiles(side: string, files: number, data: DataSet): void {
  if (files !== data.files) {
    throw new Error(`the ${side} backup processed ${files} files, expected ${data.files}`);
  }
}

/** Prints the table and writes this benchmark's section of BENCHMARKS.md. */
function publish(samples: Sample[], env: Environment, data: DataSet, daemonEntry: string): void {
  const report = renderReport(samples, env, {
    data,
    runs: RUNS,
    prefilledGuid: PREFILL_GUID,
    progressFps: PROGRESS_FPS,
    daemonEntry,
  });
  process.stdout.write(`\n${report.summary}`);
  const path = join(ROOT, "BENCHMARKS.md");
  writeSection(path, SECTION, report.markdown);
  log(`wrote the ${SECTION} section of ${path}`);
}

function formatSample(s: Sample): string {
  const sec = (ms: number) => `${(ms / 1000).toFixed(3)} s`;
  const outside =
    s.outsideResticMs === undefined
      ? ""
      : `, daemon outside restic ${s.outsideResticMs.toFixed(0)} ms`;
  return `run ${s.run} (${s.first} first): direct ${sec(s.directMs)}, API ${sec(s.apiMs)}, ratio ${s.ratio.toFixed(3)}${outside}`;
}

function positiveInt(value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got "${value}"`);
  return n;
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

await main().catch((err: unknown) => {
  process.stderr.write(`[bench] failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
