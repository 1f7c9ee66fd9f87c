/** The oplog-scale benchmark's results as a console summary and a BENCHMARKS.md section. */
import type { CpuBreakdown } from "./cpu-profile.js";
import type { Environment } from "./overhead-report.js";
import type { Memory } from "./proc.js";
import { median, percentile } from "./stats.js";

/** Goals of the issue. */
export const GOALS = { startUpMs: 2000, queryP99Ms: 20, memoryBytes: 200e6 };

/** One daemon start-up, spawn to /readyz answering 200. */
export interface StartUp {
  log: "empty" | "full";
  ms: number;
  /** Spawn to the "listening" log line. */
  listeningMs: number;
  /** VmRSS and VmHWM right after /readyz answered. */
  rss: number;
  peak: number;
  /** 1-minute load average before it started. */
  load: number;
}

/**
 * Times of one query (ms): as a plain HTTP client saw them (the goal's figure), as fetch()
 * saw them (with decompression and decoding), and the daemon's own handler times.
 */
export interface QueryTimes {
  client: number[];
  fetch: number[];
  server: number[];
}

export interface ScaleResult {
  operations: number;
  plans: number;
  repos: number;
  fileBytes: number;
  starts: StartUp[];
  /** One more start-up on the large log under --cpu-prof (start-up to exit). */
  startProfile: CpuBreakdown;
  getOperations: QueryTimes;
  dashboard: QueryTimes;
  memory: { afterStart: Memory; afterQueries: Memory };
  /** 1-minute load average before and after the queries. */
  load: [number, number];
  env: Environment;
  daemonEntry: string;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
const ms0 = (v: number) => `${v.toFixed(0)} ms`;
const ms1 = (v: number) => `${v.toFixed(1)} ms`;
const verdict = (ok: boolean) => (ok ? "PASS" : "MISS");

function row(cells: string[]): string {
  return `| ${cells.join(" | ")} |`;
}

function latencyRow(label: string, values: number[]): string {
  if (values.length === 0) return row([label, "n/a", "n/a", "n/a", "n/a", "0"]);
  return row([
    label,
    ms1(percentile(values, 50)),
    ms1(percentile(values, 90)),
    ms1(percentile(values, 99)),
    ms1(Math.max(...values)),
    String(values.length),
  ]);
}

/** Renders the section; each goal is judged on the figure named in its row. */
export function renderScaleReport(r: ScaleResult): { markdown: string; summary: string } {
  const full = r.starts.filter((s) => s.log === "full");
  const empty = r.starts.filter((s) => s.log === "empty");
  const startFull = median(full.map((s) => s.ms));
  const startEmpty = median(empty.map((s) => s.ms));
  const opsP99 = percentile(r.getOperations.client, 99);
  const dashP99 = percentile(r.dashboard.client, 99);
  const peak = Math.max(r.memory.afterQueries.peak, ...full.map((s) => s.peak));
  const goals = [
    row(["measurement", "value", "goal", "result"]),
    row(["---", "---:", "---", "---"]),
    row([
      `start-up on the large log (median of ${full.length}, spawn to /readyz 200)`,
      ms0(startFull),
      `< ${GOALS.startUpMs} ms`,
      verdict(startFull < GOALS.startUpMs),
    ]),
    row([
      `start-up on an empty log, same config (median of ${empty.length})`,
      ms0(startEmpty),
      `ratio ${(startFull / startEmpty).toFixed(2)}`,
      "",
    ]),
    row([
      "`GetOperations` of one plan's last 100, p99",
      ms1(opsP99),
      `< ${GOALS.queryP99Ms} ms`,
      verdict(opsP99 < GOALS.queryP99Ms),
    ]),
    row([
      "`GetSummaryDashboard`, p99",
      ms1(dashP99),
      `< ${GOALS.queryP99Ms} ms`,
      verdict(dashP99 < GOALS.queryP99Ms),
    ]),
    row([
      "resident memory, peak (VmHWM) over start-up and queries",
      mb(peak),
      `< ${mb(GOALS.memoryBytes)}`,
      verdict(peak < GOALS.memoryBytes),
    ]),
  ].join("\n");
  const latency = [
    row(["query (Connect JSON, basic auth)", "p50", "p90", "p99", "max", "calls"]),
    row(["---", "---:", "---:", "---:", "---:", "---:"]),
    latencyRow("**GetOperations** {planId, lastN 100}, client", r.getOperations.client),
    latencyRow("GetOperations, fetch() with gzip", r.getOperations.fetch),
    latencyRow("GetOperations, daemon's handler (access log)", r.getOperations.server),
    latencyRow("**GetSummaryDashboard** (50 plans, 5 repos), client", r.dashboard.client),
    latencyRow("GetSummaryDashboard, fetch() with gzip", r.dashboard.fetch),
    latencyRow("GetSummaryDashboard, daemon's handler (access log)", r.dashboard.server),
  ].join("\n");
  const startTable = [
    row(["start", "log", "to listening", "to /readyz 200", "RSS then", "load avg"]),
    row(["---", "---", "---:", "---:", "---:", "---:"]),
    ...r.starts.map((s, i) =>
      row([
        String(i + 1),
        s.log === "full" ? `${r.operations.toLocaleString("en")} ops` : "empty",
        ms0(s.listeningMs),
        ms0(s.ms),
        mb(s.rss),
        s.load.toFixed(1),
      ]),
    ),
  ].join("\n");
  const passed = [
    startFull < GOALS.startUpMs,
    opsP99 < GOALS.queryP99Ms,
    dashP99 < GOALS.queryP99Ms,
    peak < GOALS.memoryBytes,
  ];
  const headline = `${passed.filter(Boolean).length} of ${passed.length} goals met: start-up ${ms0(startFull)}, GetOperations p99 ${ms1(opsP99)}, dashboard p99 ${ms1(dashP99)}, peak memory ${mb(peak)}`;
  const loadNote = loadLine(r);
  const markdown = `## Operation log at scale: ${r.operations.toLocaleString("en")} operations

\`bench/oplog-scale.ts\` starts the daemon (\`restwell serve\` in a child process) on an operation
log of ${r.operations.toLocaleString("en")} operations of ${r.plans} plans over ${r.repos} repositories, side by side with the
same daemon and config on an empty log, then times \`GetOperations\` and \`GetSummaryDashboard\`
over Connect JSON with basic credentials and reads the daemon's resident memory from
\`/proc/<pid>/status\`. Goals: start-up under 2 s, both queries under 20 ms at the 99th
percentile, memory under 200 MB.

**Result: ${headline}.**

${goals}

${latency}

| memory of the daemon on the large log | VmRSS | VmHWM (peak so far) |
| --- | ---: | ---: |
| after start-up | ${mb(r.memory.afterStart.rss)} | ${mb(r.memory.afterStart.peak)} |
| after the ${r.getOperations.client.length + r.getOperations.fetch.length + r.dashboard.client.length + r.dashboard.fetch.length} timed queries | ${mb(r.memory.afterQueries.rss)} | ${mb(r.memory.afterQueries.peak)} |

${startTable}

- Measured ${r.env.date} on ${r.env.cpu}, ${r.env.cpus} CPUs, ${r.env.memoryGiB} GiB RAM, ${r.env.kernel}; Node ${r.env.node}; daemon started as \`${r.daemonEntry}\` (debug log level).
- ${loadNote}
- The log (\`bench/generate-oplog.ts\`, written through \`OpStore.add\` and cached under \`.bench/\`, ${mb(r.fileBytes)} on disk): 330 days of backups of each plan about every two hours, each a flow of two hook runs, the backup with restic's summary, a forget and the snapshot's index (2% failed, 4% with warnings, some cancelled); daily stats and weekly prune and check per repository. Snapshots of the last 3 days and one a week stay live, the rest are marked forgotten. Before the daemon starts, one fresh flow per plan is appended to a copy, as if it had run until a minute ago.
- Config: those ${r.repos} repositories (never opened) and ${r.plans} plans, each with a daily schedule 12 hours away (the scheduler plans every plan at start-up, nothing fires), retention, one user with basic credentials, \`rateLimitPerMinute: -1\`.
${startProfileNote(r.startProfile)}
- Start-up is spawn of \`node\` to the first 200 of \`GET /readyz\` (polled every 5 ms), alternating which log goes first; memory is read right then.
- Queries run one at a time after ${10} untimed warm-up calls each: \`GetOperations {selector: {planId}, lastN: 100}\` cycling through the plans, then \`GetSummaryDashboard\` (30-day summaries of every plan and repository). "Client" (the goal's figure) is node:http in the benchmark process over a kept-alive connection, request to last byte, reading the answer's bytes as curl does (no Accept-Encoding, nothing decoded); "fetch() with gzip" is the same calls again with fetch(), which asks for gzip and decompresses and decodes the text, client work included (229 KB of JSON for the dashboard); "handler" is the daemon's access-log time over both (whole ms, without JSON encoding).
- Rerun with \`make bench\` (\`BENCH_OPERATIONS=N\`, \`BENCH_QUERIES=N\`, \`BENCH_STARTS=N\`).`;
  const summary = `${headline}\n\n${goals}\n\n${latency}\n\n${startTable}\n${loadNote}`;
  return { markdown, summary };
}

function loadLine(r: ScaleResult): string {
  const loads = [...r.starts.map((s) => s.load), ...r.load];
  const lo = Math.min(...loads);
  const hi = Math.max(...loads);
  const busy = hi > r.env.cpus;
  return `1-minute load average during the run: ${lo.toFixed(1)}-${hi.toFixed(1)} on ${r.env.cpus} CPUs${busy ? " (other work competed for the CPUs, so tail latencies are noisy)" : ""}.`;
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

/** Where a start-up on the large log spent its CPU, from the profiled start. */
function startProfileNote(p: CpuBreakdown): string {
  const ours = p.oursInclusive
    .filter((s) => s.share < 0.99)
    .slice(0, 6)
    .map((s) => `\`${s.name}\` ${pct(s.share)}`);
  const self = p.byFunction.slice(0, 5).map((s) => `\`${s.name}\` ${pct(s.share)}`);
  return `- Where a start-up on the large log spends its CPU (one more start under \`node --cpu-prof\`, untimed; ${(p.busyMs / 1000).toFixed(1)} s busy from start to stop): our functions by inclusive time ${ours.join(", ")}; by self time ${self.join(", ")}.`;
}
