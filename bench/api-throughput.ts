/**
 * Requests per second of the daemon's API against a bare Node.js HTTP server, side by side in
 * the same run: autocannon sends the same authenticated Connect JSON requests (`GetConfig`, and
 * `GetOperations` of one plan's last 10 and last 100) to the daemon, with HTTP basic
 * credentials of a config user and with an API key (`Authorization: Bearer rw_…`), and to a
 * bare `http.createServer` that answers each with the very bytes the daemon answered. The
 * ratio is daemon / bare requests per second, per round, median over rounds. Goal: at least
 * 0.5. Printed and written to this benchmark's section of BENCHMARKS.md; never asserted.
 * A third server, Connect alone (bench/lib/connect-floor.ts: connect-node answering with the
 * daemon's messages, nothing else), shows what of the gap is the framework's.
 *
 * Traffic goes to 127.0.0.1 only, for a fixed time per run. Environment: BENCH_ROUNDS
 * (default 3), BENCH_SECONDS (per run, default 5), BENCH_CONNECTIONS (default 10).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import autocannon from "autocannon";
import { hashPassword } from "../src/auth/password.js";
import { defaultShape, historyConfig, writeHistory } from "./generate-oplog.js";
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
import { basicAuth, callOk, waitReady } from "./lib/connect-json.js";
import { cpuBreakdown, mainProfile, profileClockUs } from "./lib/cpu-profile.js";
import { spawnDaemon } from "./lib/daemon.js";
import { writeSection } from "./lib/markdown.js";
import { environment } from "./lib/overhead-report.js";
import { cpuTimesOf, findDaemonPid, load } from "./lib/proc.js";
import { resticVersion } from "./lib/restic.js";
import {
  type Case,
  type Credential,
  type Run,
  renderThroughputReport,
  type Target,
  type ThroughputProfile,
} from "./lib/throughput-report.js";

const ROUNDS = positiveInt(process.env.BENCH_ROUNDS, 3);
const SECONDS = positiveInt(process.env.BENCH_SECONDS, 5);
const CONNECTIONS = positiveInt(process.env.BENCH_CONNECTIONS, 10);
const WARM_UP_SECONDS = 2;
const PROFILE_SECONDS = 6;
const USER = "bench";
const PASSWORD = "bench user password";
/** A mid-sized install: 20,000 operations of 10 plans over 2 repositories. */
const SHAPE = { ...defaultShape(20_000), plans: 10, repos: 2 };

const CASES: Case[] = [
  { name: "GetConfig", procedure: "v1.Backrest/GetConfig", body: {} },
  {
    name: "GetOperations, last 10 of a plan",
    procedure: "v1.Backrest/GetOperations",
    body: { selector: { planId: "plan-01" }, lastN: 10 },
  },
  {
    name: "GetOperations, last 100 of a plan",
    procedure: "v1.Backrest/GetOperations",
    body: { selector: { planId: "plan-01" }, lastN: 100 },
  },
];

async function main(): Promise<void> {
  await withScratch("restwell-bench-rps-", async ({ tmp, own }) => {
    const env = environment(await resticVersion(directRestic(join(tmp, "restic-cache"))));
    const dataDir = join(tmp, "data");
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    log(`writing ${SHAPE.operations.toLocaleString("en")} operations`);
    writeHistory(join(dataDir, "oplog.sqlite"), SHAPE);
    const configPath = await writeConfig(tmp);
    const daemon = own(await spawnDaemon({ configPath, dataDir, env: baseEnv() }));
    await waitReady(daemon.url);
    const basic = basicAuth(USER, PASSWORD);
    const key = await callOk<{ token: string }>(
      daemon.url,
      "v1.ApiKeys/CreateApiKey",
      { name: "bench", permissions: ["config:read", "operations:read"] },
      basic,
    );
    const credentials: Record<Credential, string> = {
      basic,
      "api key": `Bearer ${key.body.token}`,
    };
    // The bare server answers each request with the bytes the daemon answered it with.
    const answers: Record<string, string> = {};
    for (const c of CASES) {
      const answer = await callOk(daemon.url, c.procedure, c.body, basic);
      answers[bareKey(c)] = answer.text;
      c.responseBytes = Buffer.byteLength(answer.text);
    }
    const bodiesPath = join(tmp, "bare-bodies.json");
    writeFileSync(bodiesPath, JSON.stringify(answers));
    const bare = await startBaseline("bare-server.ts", bodiesPath);
    const floor = await startBaseline("connect-floor.ts", bodiesPath);
    const daemonPid = findDaemonPid(dataDir);
    try {
      const targets: Target[] = [
        { name: "bare", url: bare.url, authorization: basic, pid: bare.pid },
        { name: "connect", url: floor.url, authorization: basic, pid: floor.pid },
        {
          name: "daemon",
          credential: "basic",
          url: daemon.url,
          authorization: basic,
          pid: daemonPid,
        },
        {
          name: "daemon",
          credential: "api key",
          url: daemon.url,
          authorization: credentials["api key"],
          pid: daemonPid,
        },
      ];
      log(`warming up (${WARM_UP_SECONDS} s per target and request)`);
      for (const c of CASES) for (const t of targets) await load_(t, c, WARM_UP_SECONDS);
      const runs: Run[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        for (const c of CASES) {
          // Rotate the order, so none is always first after a pause or last before one.
          const order = targets.map((_, i) => targets[(i + round) % targets.length] as Target);
          for (const t of order) {
            const run = await measure(t, c, round);
            runs.push(run);
            log(
              `round ${round} ${c.name} ${t.name}${t.credential ? ` (${t.credential})` : ""}: ${run.rps.toFixed(0)} req/s, p99 ${run.p99Ms} ms`,
            );
          }
        }
      }
      await daemon.stop();
      log("profiling the daemon serving GetConfig with the API key (a separate, untimed pass)");
      const profile = await profileGetConfig(
        own,
        { configPath, dataDir, tmp },
        credentials["api key"],
      );
      const report = renderThroughputReport({
        profile,
        runs,
        cases: CASES,
        env,
        seconds: SECONDS,
        connections: CONNECTIONS,
        shape: SHAPE,
        daemonEntry: daemon.entry,
      });
      process.stdout.write(`\n${report.summary}\n`);
      writeSection(join(ROOT, "BENCHMARKS.md"), "api-throughput", report.markdown);
      log("wrote the api-throughput section of BENCHMARKS.md");
    } finally {
      await bare.stop();
      await floor.stop();
    }
  });
}

async function writeConfig(tmp: string): Promise<string> {
  const { repos, plans } = historyConfig(SHAPE, (id) => join(tmp, "repos", id));
  const config = {
    version: 4,
    instance: SHAPE.instance,
    repos,
    plans,
    auth: { users: [{ name: USER, passwordBcrypt: await hashPassword(PASSWORD) }] },
    settings: { rateLimitPerMinute: -1 },
  };
  const path = join(tmp, "config.json");
  writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
  return path;
}

/**
 * Runs the daemon again under `node --cpu-prof`, sends GetConfig with `authorization` for a few
 * seconds (after a warm-up), stops it and reads where its CPU went.
 */
async function profileGetConfig(
  own: Scratch["own"],
  where: { configPath: string; dataDir: string; tmp: string },
  authorization: string,
): Promise<ThroughputProfile> {
  const dir = join(where.tmp, "cpu-profile");
  mkdirSync(dir, { recursive: true });
  const daemon = own(
    await spawnDaemon({
      configPath: where.configPath,
      dataDir: where.dataDir,
      env: baseEnv(),
      nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`],
    }),
  );
  await waitReady(daemon.url);
  const target: Target = { name: "daemon", url: daemon.url, authorization, pid: 0 };
  const c = CASES[0] as Case;
  await load_(target, c, WARM_UP_SECONDS);
  const fromUs = profileClockUs();
  const result = await load_(target, c, PROFILE_SECONDS);
  const toUs = profileClockUs();
  await daemon.stop();
  const breakdown = cpuBreakdown(mainProfile(dir), 12, { fromUs, toUs });
  return { ...breakdown, requests: result["2xx"], seconds: PROFILE_SECONDS };
}

/** How the bare server finds the answer of a request: its path and body. */
function bareKey(c: Case): string {
  return `/${c.procedure}\n${JSON.stringify(c.body)}`;
}

/** One autocannon run of `seconds` against a target. */
function load_(t: Target, c: Case, seconds: number) {
  return autocannon({
    url: `${t.url}/${c.procedure}`,
    method: "POST",
    headers: { "content-type": "application/json", authorization: t.authorization },
    body: JSON.stringify(c.body),
    connections: CONNECTIONS,
    pipelining: 1,
    duration: seconds,
    // Requests come from a worker thread, so this process's main thread keeps reading the
    // daemon's log pipe (a full pipe would stall the daemon's synchronous log writes).
    workers: 1,
  });
}

async function measure(t: Target, c: Case, round: number): Promise<Run> {
  const loadAvg = load().load1;
  const before = cpuTimesOf(t.pid);
  const result = await load_(t, c, SECONDS);
  const cpuS = cpuTimesOf(t.pid).self - before.self;
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(
      `${c.name} against ${t.name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`,
    );
  }
  return {
    round,
    case: c.name,
    target: t.name,
    credential: t.credential,
    rps: result["2xx"] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    cpuUsPerRequest: (cpuS * 1e6) / Math.max(1, result["2xx"]),
    load: loadAvg,
  };
}

/**
 * Starts a baseline server (bench/lib/`script`: the bare server or Connect alone) in its own
 * process, as the daemon runs in its own.
 */
async function startBaseline(
  script: string,
  bodiesPath: string,
): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", join(import.meta.dirname, "lib", script), bodiesPath],
    { cwd: ROOT, env: baseEnv(), stdio: ["ignore", "pipe", "inherit"] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout?.setEncoding("utf8").on("data", (s: string) => {
      out += s;
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`${script} exited (${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid as number,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      }),
  };
}

await runMain(main);
