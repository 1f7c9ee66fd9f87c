/**
 * The daemon on a large operation log: 1,000,000 operations of 50 plans over 5 repositories
 * (bench/generate-oplog.ts, cached under .bench/). Measures, side by side with the same daemon
 * and config on an empty log: the start-up time (spawn to /readyz answering 200), then on the
 * large log `GetOperations` for one plan's last 100 and `GetSummaryDashboard` (p50/p99 over
 * Connect JSON with basic credentials), and the daemon's resident memory (VmRSS, and VmHWM
 * as its peak) after start-up and after the queries.
 * Goals: start-up under 2 s, the queries under 20 ms at the 99th percentile, memory under
 * 200 MB. Printed and written to this benchmark's section of BENCHMARKS.md; never asserted.
 *
 * Environment: BENCH_OPERATIONS (default 1,000,000), BENCH_QUERIES (calls per query, default
 * 200), BENCH_STARTS (start-ups of each kind, default 3).
 */
import { constants, copyFileSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { hashPassword } from "../src/auth/password.js";
import { openSqliteOpStore } from "../src/oplog/sqlite-store.js";
import { cachedHistory, historyConfig } from "./generate-oplog.js";
import {
  baseEnv,
  directRestic,
  log,
  positiveInt,
  ROOT,
  runMain,
  type Scratch,
  withScratch,
} from "./lib/cli.js";
import { accessLogMs, basicAuth, callOk, postBytes, waitReady } from "./lib/connect-json.js";
import { type CpuBreakdown, cpuBreakdown, mainProfile } from "./lib/cpu-profile.js";
import { spawnDaemon } from "./lib/daemon.js";
import { writeSection } from "./lib/markdown.js";
import { historyLayout, recentFlows } from "./lib/oplog-history.js";
import { environment } from "./lib/overhead-report.js";
import { findDaemonPid, load, memoryOf } from "./lib/proc.js";
import { resticVersion } from "./lib/restic.js";
import { renderScaleReport, type ScaleResult, type StartUp } from "./lib/scale-report.js";

const OPERATIONS = positiveInt(process.env.BENCH_OPERATIONS, 1_000_000);
const QUERIES = positiveInt(process.env.BENCH_QUERIES, 200);
const STARTS = positiveInt(process.env.BENCH_STARTS, 3);
const WARM_UP = 10;
/** A start-up that takes minutes is a result to report, not a failure. */
const START_TIMEOUT_MS = 10 * 60_000;
const USER = "bench";
const PASSWORD = "bench user password";
const AUTH = basicAuth(USER, PASSWORD);

async function main(): Promise<void> {
  log(`operation log of ${OPERATIONS.toLocaleString("en")} operations (cached under .bench/)`);
  const history = cachedHistory(OPERATIONS);
  await withScratch("restwell-bench-scale-", async ({ tmp, own }) => {
    const env = environment(await resticVersion(directRestic(join(tmp, "restic-cache"))));
    const configPath = await writeConfig(tmp, history.shape);
    const fullDir = join(tmp, "full");
    mkdirSync(fullDir, { recursive: true, mode: 0o700 });
    const oplog = join(fullDir, "oplog.sqlite");
    // A copy-on-write clone where the file system offers one; a plain copy otherwise.
    copyFileSync(history.path, oplog, constants.COPYFILE_FICLONE);
    appendRecentRuns(oplog, history.shape);

    const starts: StartUp[] = [];
    for (let i = 0; i < STARTS; i++) {
      // Alternate which goes first, so a warmer page cache does not favour one side.
      const order = i % 2 === 0 ? (["empty", "full"] as const) : (["full", "empty"] as const);
      for (const log_ of order) {
        const dataDir = log_ === "full" ? fullDir : join(tmp, `empty-${i}`);
        starts.push(await timedStart(configPath, dataDir, log_, own));
        const s = starts.at(-1) as StartUp;
        log(`start-up ${log_}: ${s.ms.toFixed(0)} ms, RSS ${(s.rss / 2 ** 20).toFixed(0)} MiB`);
      }
    }

    log("profiling one more start-up on the large log (untimed)");
    const startProfile = await profiledStart(configPath, fullDir, tmp, own);
    log("starting the daemon on the large log for the queries");
    const daemon = own(
      await spawnDaemon({
        configPath,
        dataDir: fullDir,
        env: baseEnv(),
        startTimeoutMs: START_TIMEOUT_MS,
      }),
    );
    await waitReady(daemon.url);
    const pid = findDaemonPid(fullDir);
    const afterStart = memoryOf(pid);
    const plans = historyLayout(history.shape).plans.map((p) => p.id);
    const capture = daemon.capture();
    const loadBefore = load().load1;
    const opsCall = (i: number): Call => [
      "v1.Backrest/GetOperations",
      { selector: { planId: plans[i % plans.length] }, lastN: 100 },
    ];
    const dashCall = (): Call => ["v1.Backrest/GetSummaryDashboard", {}];
    const getOperations = await timeCalls(daemon.url, opsCall, "http");
    const getOperationsFetch = await timeCalls(daemon.url, opsCall, "fetch");
    const dashboard = await timeCalls(daemon.url, dashCall, "http");
    const dashboardFetch = await timeCalls(daemon.url, dashCall, "fetch");
    const loadAfter = load().load1;
    await allLogged(capture.text, "GetSummaryDashboard");
    capture.stop();
    const afterQueries = memoryOf(pid);
    const result: ScaleResult = {
      operations: history.stats.operations,
      plans: plans.length,
      repos: history.shape.repos,
      fileBytes: statSync(history.path).size,
      starts,
      startProfile,
      getOperations: {
        client: getOperations,
        fetch: getOperationsFetch,
        server: serverMs(capture.text(), "GetOperations"),
      },
      dashboard: {
        client: dashboard,
        fetch: dashboardFetch,
        server: serverMs(capture.text(), "GetSummaryDashboard"),
      },
      memory: { afterStart, afterQueries },
      load: [loadBefore, loadAfter],
      env,
      daemonEntry: daemon.entry,
    };
    const report = renderScaleReport(result);
    process.stdout.write(`\n${report.summary}\n`);
    writeSection(join(ROOT, "BENCHMARKS.md"), "oplog-scale", report.markdown);
    log("wrote the oplog-scale section of BENCHMARKS.md");
  });
}

/**
 * The config: the history's 5 repositories and 50 plans, each plan's backup due daily 12 hours
 * from now (nothing fires while the benchmark runs, but the scheduler plans every plan), a user
 * with basic credentials, and no request rate limit (the benchmark sends hundreds a second).
 */
async function writeConfig(tmp: string, shape: Parameters<typeof historyConfig>[0]) {
  const { repos, plans } = historyConfig(shape, (id) => join(tmp, "repos", id));
  const due = new Date(Date.now() + 12 * 3_600_000);
  const cron = `${due.getMinutes()} ${due.getHours()} * * *`;
  const config = {
    version: 4,
    instance: shape.instance,
    repos,
    plans: plans.map((p) => ({ ...p, schedule: { cron } })),
    auth: { users: [{ name: USER, passwordBcrypt: await hashPassword(PASSWORD) }] },
    settings: { rateLimitPerMinute: -1 },
  };
  const path = join(tmp, "config.json");
  writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
  return path;
}

/** Appends one backup flow per plan from a minute ago, as if the daemon had run until now. */
function appendRecentRuns(oplog: string, shape: Parameters<typeof recentFlows>[0]): void {
  const store = openSqliteOpStore(oplog);
  try {
    const [newest] = store.query({ lastN: 1 });
    store.add(...recentFlows(shape, (newest?.id ?? 0n) + 1n, Date.now() - 60_000));
  } finally {
    store.close();
  }
}

/** Starts the daemon on `dataDir`, times it until /readyz answers 200, reads its memory, stops it. */
async function timedStart(
  configPath: string,
  dataDir: string,
  kind: StartUp["log"],
  own: Scratch["own"],
): Promise<StartUp> {
  const loadAvg = load().load1;
  const started = performance.now();
  const daemon = own(
    await spawnDaemon({ configPath, dataDir, env: baseEnv(), startTimeoutMs: START_TIMEOUT_MS }),
  );
  const listeningMs = performance.now() - started;
  const readyAt = await waitReady(daemon.url);
  const pid = findDaemonPid(dataDir);
  const memory = memoryOf(pid);
  await daemon.stop();
  return {
    log: kind,
    ms: readyAt - started,
    listeningMs,
    rss: memory.rss,
    peak: memory.peak,
    load: loadAvg,
  };
}

/** One more start-up under `node --cpu-prof`, untimed: where its CPU went. */
async function profiledStart(
  configPath: string,
  dataDir: string,
  tmp: string,
  own: Scratch["own"],
): Promise<CpuBreakdown> {
  const dir = join(tmp, "cpu-profile");
  mkdirSync(dir, { recursive: true });
  const daemon = own(
    await spawnDaemon({
      configPath,
      dataDir,
      env: baseEnv(),
      startTimeoutMs: START_TIMEOUT_MS,
      nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`],
    }),
  );
  await waitReady(daemon.url);
  await daemon.stop();
  return cpuBreakdown(mainProfile(dir), 8);
}

type Call = [procedure: string, body: unknown];

/**
 * Times QUERIES calls (after WARM_UP untimed ones), one at a time; `call(i)` names the i-th.
 * "http" reads the answer's bytes as curl does; "fetch" is fetch() with its default gzip,
 * decompressing and decoding the text, as a JavaScript client would.
 */
async function timeCalls(
  url: string,
  call: (i: number) => Call,
  client: "http" | "fetch",
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < WARM_UP + QUERIES; i++) {
    const [procedure, body] = call(i);
    const { ms } =
      client === "http"
        ? await postBytes(url, procedure, body, AUTH)
        : await callOk(url, procedure, body, AUTH);
    if (i >= WARM_UP) times.push(ms);
  }
  return times;
}

/**
 * Waits (up to 2 s) until the daemon's access log holds a line for every call of `method`: it
 * writes its log in batches, so the last lines come a moment after the last answer.
 */
async function allLogged(logText: () => string, method: string): Promise<void> {
  for (let waited = 0; waited < 2_000; waited += 10) {
    if (accessLogMs(logText(), `v1.Backrest/${method}`).length >= 2 * (WARM_UP + QUERIES)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The daemon's own handler times of the timed calls of both clients (its access log), without the warm-ups. */
function serverMs(logText: string, method: string): number[] {
  const all = accessLogMs(logText, `v1.Backrest/${method}`);
  const perClient = WARM_UP + QUERIES;
  return [...all.slice(WARM_UP, perClient), ...all.slice(perClient + WARM_UP)];
}

await runMain(main);
