/**
 * Snapshot indexing: `POST /v1.Backrest/DoRepoTask {"task": "TASK_INDEX_SNAPSHOTS"}` (which
 * returns once the index is done) against `restic snapshots --json --no-lock` run directly,
 * on a repository of 1,000 snapshots. Goal: indexing takes no longer than restic's own
 * listing plus a small constant.
 *
 * The daemon starts on a fresh data dir, so its first round adds an operation for every
 * snapshot; later rounds find nothing new. Both sides alternate which goes first each
 * round, after one untimed listing that warms both restic caches. Afterwards
 * `GetOperations {"lastN": 100}` is timed as extra information. Printed and written to this
 * benchmark's section of BENCHMARKS.md; reported, never asserted.
 *
 * The repository is built once (about 0.6 s of CPU per snapshot) and cached under `.bench/`.
 * Environment: BENCH_SNAPSHOTS (default 1000), BENCH_ROUNDS (default 5), BENCH_QUERIES
 * (GetOperations calls, default 200), BENCH_CONCURRENCY (restic backups at a time while
 * building, default 3).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { resticCommandMs, timedCall } from "./lib/api.js";
import {
  baseEnv,
  directRestic,
  log,
  PASSWORD,
  positiveInt,
  ROOT,
  runMain,
  withScratch,
} from "./lib/cli.js";
import { type BenchDaemon, spawnDaemon } from "./lib/daemon.js";
import { type IndexRound, type QueryTimes, renderIndexReport } from "./lib/index-report.js";
import { writeSection } from "./lib/markdown.js";
import { environment } from "./lib/overhead-report.js";
import { type DirectRestic, resticVersion, runResticOk } from "./lib/restic.js";
import { cachedSnapshotRepo, type SnapshotRepo } from "./lib/snapshot-repo.js";

const SNAPSHOTS = positiveInt(process.env.BENCH_SNAPSHOTS, 1000);
const ROUNDS = positiveInt(process.env.BENCH_ROUNDS, 5);
const QUERIES = positiveInt(process.env.BENCH_QUERIES, 200);
const CONCURRENCY = positiveInt(process.env.BENCH_CONCURRENCY, 3);
const CALL_TIMEOUT_MS = 3 * 60_000;
const SECTION = "index-snapshots";

async function main(): Promise<void> {
  await withScratch("restwell-bench-index-", async ({ tmp, own }) => {
    const restic = directRestic(join(tmp, "direct", "restic-cache"));
    const env = environment(await resticVersion(restic));
    const repo = await cachedSnapshotRepo(restic, join(ROOT, ".bench"), SNAPSHOTS, CONCURRENCY);
    log(
      repo.built
        ? `built ${repo.path} in ${(repo.buildMs / 1000).toFixed(0)} s`
        : `reusing ${repo.path} (built once in ${(repo.buildMs / 1000).toFixed(0)} s)`,
    );
    const dataDir = join(tmp, "daemon", "data");
    log("warming both restic caches (untimed)");
    await directSnapshots(restic, repo);
    await directSnapshots(directRestic(join(dataDir, "restic-cache")), repo);
    const daemon = own(await startDaemon(tmp, dataDir, repo));
    log(`daemon listening at ${daemon.url} (${daemon.entry})`);
    const rounds: IndexRound[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      rounds.push(await runRound(restic, daemon, repo, round));
      log(formatRound(rounds.at(-1) as IndexRound));
    }
    await checkIndexed(daemon, repo.count);
    const queries = await timeQueries(daemon);
    const report = renderIndexReport({ rounds, queries, env, repo, daemonEntry: daemon.entry });
    process.stdout.write(`\n${report.summary}`);
    const path = join(ROOT, "BENCHMARKS.md");
    writeSection(path, SECTION, report.markdown);
    log(`wrote the ${SECTION} section of ${path}`);
  });
}

/** A config with the cached repo as `r1` (its guid known) and a plan `p1` its snapshots name. */
async function startDaemon(tmp: string, dataDir: string, repo: SnapshotRepo) {
  const config = {
    version: 4,
    instance: "bench",
    repos: [{ id: "r1", uri: repo.path, password: PASSWORD, guid: repo.guid }],
    plans: [{ id: "p1", repo: "r1", paths: [join(tmp, "unused")] }],
    auth: { disabled: true },
  };
  const configPath = join(tmp, "daemon", "config.json");
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
  return spawnDaemon({ configPath, dataDir, env: baseEnv() });
}

/** One direct listing and one index through the API; odd rounds go direct first. */
async function runRound(
  restic: DirectRestic,
  daemon: BenchDaemon,
  repo: SnapshotRepo,
  round: number,
): Promise<IndexRound> {
  const load = loadavg()[0] ?? 0;
  const first = round % 2 === 1 ? "direct" : "api";
  let directMs = 0;
  let apiMs = 0;
  let daemonResticMs: number | undefined;
  const direct = async () => {
    directMs = await directSnapshots(restic, repo);
  };
  const api = async () => {
    const capture = daemon.capture();
    try {
      apiMs = (await timedCall(daemon.url, "DoRepoTask", indexRequest(), CALL_TIMEOUT_MS)).ms;
      // The log line is written before the response, but comes over another pipe.
      for (let waited = 0; waited < 500; waited += 10) {
        if (resticCommandMs(capture.text(), "snapshots") !== undefined) break;
        await sleep(10);
      }
      daemonResticMs = resticCommandMs(capture.text(), "snapshots");
    } finally {
      capture.stop();
    }
  };
  if (first === "direct") {
    await direct();
    await api();
  } else {
    await api();
    await direct();
  }
  return { round, first, directMs, apiMs, daemonResticMs, load };
}

function indexRequest() {
  return { repoId: "r1", task: "TASK_INDEX_SNAPSHOTS" };
}

/** `restic snapshots --json --no-lock` as the daemon runs it; checks it listed them all. */
async function directSnapshots(restic: DirectRestic, repo: SnapshotRepo): Promise<number> {
  const run = await runResticOk(
    restic,
    repo.path,
    ["snapshots", "--json", "--no-lock"],
    CALL_TIMEOUT_MS,
  );
  const listed = (JSON.parse(run.stdout) as unknown[]).length;
  if (listed !== repo.count)
    throw new Error(`restic listed ${listed} snapshots, not ${repo.count}`);
  return run.ms;
}

/** The first round must have recorded one index operation per snapshot. */
async function checkIndexed(daemon: BenchDaemon, count: number): Promise<void> {
  const { body } = await timedCall<{ operations?: { operationIndexSnapshot?: unknown }[] }>(
    daemon.url,
    "GetOperations",
    { selector: { repoId: "r1" } },
    CALL_TIMEOUT_MS,
  );
  const indexed = (body.operations ?? []).filter((op) => op.operationIndexSnapshot).length;
  if (indexed !== count) throw new Error(`the daemon indexed ${indexed} snapshots, not ${count}`);
}

/** GetOperations of the repo's last 100 operations, QUERIES times one after another. */
async function timeQueries(daemon: BenchDaemon): Promise<QueryTimes> {
  const request = { selector: { repoId: "r1" }, lastN: 100 };
  const times: number[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const { ms, body } = await timedCall<{ operations?: unknown[] }>(
      daemon.url,
      "GetOperations",
      request,
      CALL_TIMEOUT_MS,
    );
    const n = body.operations?.length ?? 0;
    if (n !== Math.min(100, SNAPSHOTS)) throw new Error(`GetOperations returned ${n} operations`);
    times.push(ms);
  }
  return { lastN: request.lastN, times };
}

function formatRound(r: IndexRound): string {
  const own = r.daemonResticMs === undefined ? "" : `, daemon's restic ${r.daemonResticMs} ms`;
  return `round ${r.round} (${r.first} first): restic snapshots ${r.directMs.toFixed(0)} ms, index through the API ${r.apiMs.toFixed(0)} ms${own}`;
}

await runMain(main);
