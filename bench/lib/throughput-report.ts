/** The api-throughput benchmark's results as a console summary and a BENCHMARKS.md section. */
import type { CpuBreakdown } from "./cpu-profile.js";
import type { HistoryShape } from "./oplog-history.js";
import type { Environment } from "./overhead-report.js";
import { median } from "./stats.js";

/** The goal: the daemon serves at least this share of the bare server's requests per second. */
export const GOAL_RATIO = 0.5;

export type Credential = "basic" | "api key";

/** One kind of request, sent the same way to every target. */
export interface Case {
  name: string;
  procedure: string;
  body: unknown;
  /** Size of the daemon's answer (and so of the bare server's). */
  responseBytes?: number;
}

/**
 * Where requests go: the bare server, Connect alone (connect-node answering with the daemon's
 * messages, bench/lib/connect-floor.ts), or the daemon with one kind of credentials.
 */
export interface Target {
  name: "bare" | "connect" | "daemon";
  credential?: Credential;
  url: string;
  authorization: string;
  /** The serving process, whose CPU time is read around each run. */
  pid: number;
}

/** Where the daemon's CPU went serving GetConfig in the profiling pass. */
export interface ThroughputProfile extends CpuBreakdown {
  requests: number;
  seconds: number;
}

/** One timed autocannon run. */
export interface Run {
  round: number;
  case: string;
  target: Target["name"];
  credential?: Credential;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time of the serving process per answered request, in µs. */
  cpuUsPerRequest: number;
  load: number;
}

/** A daemon configuration's result for one case: medians over rounds. */
interface Line {
  case: Case;
  credential: Credential;
  bareRps: number;
  connectRps: number;
  daemonRps: number;
  /** Median of the per-round ratios. */
  ratio: number;
  /** Connect alone / bare: median of the per-round ratios. */
  connectRatio: number;
  daemonP99: number;
  bareP99: number;
  daemonCpuUs: number;
  connectCpuUs: number;
  bareCpuUs: number;
}

/** Per round, `runs`' requests per second over the bare server's in the same round; the median. */
function medianRatio(runs: Run[], bare: Run[]): number {
  return median(
    runs.map((d) => {
      const sameRound = bare.find((b) => b.round === d.round);
      return sameRound ? d.rps / sameRound.rps : Number.NaN;
    }),
  );
}

function lines(runs: Run[], cases: Case[]): Line[] {
  const out: Line[] = [];
  for (const c of cases) {
    const bare = runs.filter((r) => r.case === c.name && r.target === "bare");
    const connect = runs.filter((r) => r.case === c.name && r.target === "connect");
    for (const credential of ["basic", "api key"] as const) {
      const daemon = runs.filter(
        (r) => r.case === c.name && r.target === "daemon" && r.credential === credential,
      );
      out.push({
        case: c,
        credential,
        bareRps: median(bare.map((r) => r.rps)),
        connectRps: median(connect.map((r) => r.rps)),
        daemonRps: median(daemon.map((r) => r.rps)),
        ratio: medianRatio(daemon, bare),
        connectRatio: medianRatio(connect, bare),
        daemonP99: median(daemon.map((r) => r.p99Ms)),
        bareP99: median(bare.map((r) => r.p99Ms)),
        daemonCpuUs: median(daemon.map((r) => r.cpuUsPerRequest)),
        connectCpuUs: median(connect.map((r) => r.cpuUsPerRequest)),
        bareCpuUs: median(bare.map((r) => r.cpuUsPerRequest)),
      });
    }
  }
  return out;
}

const kib = (n: number | undefined) =>
  n === undefined ? "?" : n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`;

/** Renders the section; the goal is judged per case and credential on the median ratio. */
export function renderThroughputReport(r: {
  profile: ThroughputProfile;
  runs: Run[];
  cases: Case[];
  env: Environment;
  seconds: number;
  connections: number;
  shape: HistoryShape;
  daemonEntry: string;
}): { markdown: string; summary: string } {
  const all = lines(r.runs, r.cases);
  const row = (cells: string[]) => `| ${cells.join(" | ")} |`;
  const table = [
    row([
      "request",
      "answer",
      "credentials",
      "bare server (req/s)",
      "daemon (req/s)",
      "ratio",
      "Connect alone (req/s)",
      "Connect alone / bare",
      "daemon p99",
      "bare p99",
      "CPU per request: daemon / Connect alone / bare",
      "goal >= 0.5",
    ]),
    row([
      "---",
      "---:",
      "---",
      "---:",
      "---:",
      "---:",
      "---:",
      "---:",
      "---:",
      "---:",
      "---:",
      "---",
    ]),
    ...all.map((l) =>
      row([
        l.case.name,
        kib(l.case.responseBytes),
        l.credential === "basic" ? "basic (user)" : "Bearer API key",
        l.bareRps.toFixed(0),
        l.daemonRps.toFixed(0),
        `**${l.ratio.toFixed(2)}**`,
        l.connectRps.toFixed(0),
        l.connectRatio.toFixed(2),
        `${l.daemonP99} ms`,
        `${l.bareP99} ms`,
        `${l.daemonCpuUs.toFixed(0)} / ${l.connectCpuUs.toFixed(0)} / ${l.bareCpuUs.toFixed(0)} µs`,
        l.ratio >= GOAL_RATIO ? "PASS" : "MISS",
      ]),
    ),
  ].join("\n");
  const met = all.filter((l) => l.ratio >= GOAL_RATIO).length;
  const lowest = all.reduce((a, b) => (b.ratio < a.ratio ? b : a));
  const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}`;
  const headline = `${met} of ${all.length} goals met; ratios ${range(all.map((l) => l.ratio))} (lowest: ${lowest.case.name}, ${lowest.credential}); connect-node alone, without any of the daemon's work, would reach ${range(all.map((l) => l.connectRatio))} of the bare server`;
  const loads = r.runs.map((x) => x.load);
  const lo = Math.min(...loads);
  const hi = Math.max(...loads);
  const rounds = Math.max(...r.runs.map((x) => x.round));
  const markdown = `## API throughput: the daemon against a bare Node.js server

\`bench/api-throughput.ts\` sends the same authenticated Connect JSON requests with autocannon to
the daemon and to a bare \`http.createServer\` that answers each with the very bytes the daemon
answered, side by side in one run, and reports daemon / bare requests per second. Goal: at
least 0.5.

**Result: ${headline}.**

${table}

- Measured ${r.env.date} on ${r.env.cpu}, ${r.env.cpus} CPUs, ${r.env.memoryGiB} GiB RAM, ${r.env.kernel}; Node ${r.env.node}; daemon started as \`${r.daemonEntry}\` (it logs one access line per request, as it does by default); the bare server and Connect alone run in Node processes of their own, autocannon in the benchmark's process.
- "Connect alone" (\`bench/lib/connect-floor.ts\`) is connect-node serving the daemon's Backrest service with nothing else: each method answers with the message the daemon answered (parsed once at start), without interceptors (authentication, access log, audit, rate limits), config or operation log. Its cost beyond the bare server is the framework's (Node adapter, protocol handler, protobuf JSON of the same messages). The daemon serves these calls (Connect unary POSTs) on its own path instead (\`src/server/unary-path.ts\`: the same interceptors and implementations without connect-node's adapter, with the encoded bytes of shared answers kept, and the answers finished in one event-loop turn written together after it, so a waiting client is woken once per batch: \`src/server/answer-writes.ts\`), so it can beat Connect alone while doing its own work on top.
- 1-minute load average during the runs: ${lo.toFixed(1)}-${hi.toFixed(1)} on ${r.env.cpus} CPUs${hi > r.env.cpus ? " (other work competed for the CPUs; the ratio compares runs made under the same load, the absolute numbers do not travel)" : ""}.
- Each run: ${r.connections} connections, no pipelining, ${r.seconds} s, HTTP/1.1 keep-alive; ${rounds} rounds, the order of bare / Connect alone / basic / API key rotating per round; the ratio is taken per round and the median reported. Every answer was a 200 (checked).
- Auth on: a config user with a bcrypt password (the daemon caches a successful check, keyed by a salted hash of the credentials) and an API key made with \`v1.ApiKeys/CreateApiKey\` holding \`config:read\` and \`operations:read\`; \`settings.rateLimitPerMinute: -1\` so the rate limiter does not answer 429.
- The daemon's data: ${r.shape.operations.toLocaleString("en")} generated operations of ${r.shape.plans} plans over ${r.shape.repos} repositories (\`bench/generate-oplog.ts\`), and the config of those plans.
${profileNotes(r.profile)}
- Rerun with \`make bench\` (\`BENCH_ROUNDS=N\`, \`BENCH_SECONDS=N\`, \`BENCH_CONNECTIONS=N\`).`;
  return { markdown, summary: `${headline}\n\n${table}` };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The profiling pass as notes: the largest origins and functions of the daemon's CPU time. */
function profileNotes(p: ThroughputProfile): string {
  const origins = p.byOrigin.slice(0, 8).map((o) => `${o.name} ${pct(o.share)}`);
  const functions = p.byFunction.slice(0, 10).map((f) => `\`${f.name}\` ${pct(f.share)}`);
  return [
    `- Where the daemon's CPU goes (a separate, untimed pass under \`node --cpu-prof\`: GetConfig with the API key, ${p.requests.toLocaleString("en")} requests in ${p.seconds} s after a warm-up, ${((p.busyMs * 1000) / Math.max(1, p.requests)).toFixed(0)} µs busy per request), self time by origin: ${origins.join(", ")}.`,
    `- Largest functions by self time: ${functions.join(", ")}.`,
  ].join("\n");
}
