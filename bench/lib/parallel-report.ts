/** The parallel-repos benchmark's results as a console summary and a BENCHMARKS.md section. */
import type { Environment } from "./overhead-report.js";
import { median } from "./stats.js";

/** The goal: two backups at once take at most this share of the two one after the other. */
export const GOAL_RATIO = 0.65;

/** One timed call of runBackups. */
export interface Timed {
  /** From the first StartBackup to the last WaitOperation answer. */
  ms: number;
  /** Each operation's own start and end as the daemon recorded them (unix ms). */
  opSpans: { startMs: number; endMs: number }[];
  /** CPU seconds of the restic processes the daemon ran meanwhile. */
  resticCpuS: number;
  /** CPU seconds of the daemon itself meanwhile. */
  daemonCpuS: number;
}

/** One iteration: A and B one after the other, and A and B at once, to fresh repositories. */
export interface Iteration {
  run: number;
  serialFirst: boolean;
  serial: Timed[];
  parallel: Timed;
  load: number;
}

interface Derived {
  serialMs: number;
  ratio: number;
  serialCpuS: number;
  /** The shortest time two at once could take on `cpus` cores: the CPU restic needs, or the longer one alone. */
  floorRatio: number;
}

function derive(it: Iteration, cpus: number): Derived {
  const serialMs = it.serial.reduce((n, s) => n + s.ms, 0);
  const serialCpuS = it.serial.reduce((n, s) => n + s.resticCpuS + s.daemonCpuS, 0);
  const longest = Math.max(...it.serial.map((s) => s.ms));
  const floorMs = Math.max(longest, (serialCpuS * 1000) / cpus);
  return { serialMs, ratio: it.parallel.ms / serialMs, serialCpuS, floorRatio: floorMs / serialMs };
}

const s2 = (ms: number) => (ms / 1000).toFixed(2);

/** The share of the longer operation's time during which both ran. */
function overlapShare(t: Timed): number {
  const [a, b] = t.opSpans;
  if (!a || !b) return 0;
  const both = Math.min(a.endMs, b.endMs) - Math.max(a.startMs, b.startMs);
  const longest = Math.max(a.endMs - a.startMs, b.endMs - b.startMs);
  return longest > 0 ? Math.max(0, both) / longest : 0;
}

/** One kind of backup's figures: its table, verdict and analysis. */
function scenario(iterations: Iteration[], cpus: number) {
  const rows = iterations.map((it) => ({ it, d: derive(it, cpus) }));
  const ratio = median(rows.map((x) => x.d.ratio));
  const floor = median(rows.map((x) => x.d.floorRatio));
  const overlap = median(rows.map((x) => overlapShare(x.it.parallel)));
  const coresAlone = median(
    rows.flatMap((x) => x.it.serial.map((s) => (s.resticCpuS + s.daemonCpuS) / (s.ms / 1000))),
  );
  const coresAtOnce = median(
    rows.map(
      (x) => (x.it.parallel.resticCpuS + x.it.parallel.daemonCpuS) / (x.it.parallel.ms / 1000),
    ),
  );
  const row = (cells: string[]) => `| ${cells.join(" | ")} |`;
  const table = [
    row([
      "run",
      "first",
      "A alone (s)",
      "B alone (s)",
      "one after the other (s)",
      "both at once (s)",
      "ratio",
      "CPU-bound floor",
      "CPU s (alone, sum)",
      "CPU s (at once)",
    ]),
    row(["---", "---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:"]),
    ...rows.map(({ it, d }) =>
      row([
        String(it.run),
        it.serialFirst ? "one after the other" : "at once",
        s2(it.serial[0]?.ms ?? 0),
        s2(it.serial[1]?.ms ?? 0),
        s2(d.serialMs),
        s2(it.parallel.ms),
        `**${d.ratio.toFixed(3)}**`,
        d.floorRatio.toFixed(3),
        d.serialCpuS.toFixed(1),
        (it.parallel.resticCpuS + it.parallel.daemonCpuS).toFixed(1),
      ]),
    ),
    row([
      "**median**",
      "",
      "",
      "",
      s2(median(rows.map((x) => x.d.serialMs))),
      s2(median(rows.map((x) => x.it.parallel.ms))),
      `**${ratio.toFixed(3)}**`,
      floor.toFixed(3),
      "",
      "",
    ]),
  ].join("\n");
  const met = ratio <= GOAL_RATIO;
  const verdict = `median ratio ${ratio.toFixed(3)} (goal <= ${GOAL_RATIO}): ${met ? "PASS" : "MISS"}`;
  const analysis = `Started together, the two backups ran side by side for a median ${(overlap * 100).toFixed(0)}% of the longer one's time. One backup alone kept a median ${coresAlone.toFixed(2)} of the ${cpus} CPUs busy (restic and the daemon, CPU seconds over wall seconds), two at once ${coresAtOnce.toFixed(2)}; even perfect overlap could not go below a median ratio of ${floor.toFixed(3)} on this machine (the "CPU-bound floor": the longer backup alone, or the CPU both need spread over ${cpus} cores, over the time one after the other).`;
  return { table, verdict, analysis, met };
}

/** Renders the section; the goal is judged per kind on the median of the per-iteration ratios. */
export function renderParallelReport(r: {
  initial: Iteration[];
  incremental: Iteration[];
  env: Environment;
  dataBytes: number;
  files: number;
  daemonEntry: string;
}): { markdown: string; summary: string } {
  const { env } = r;
  const initial = scenario(r.initial, env.cpus);
  const incremental = scenario(r.incremental, env.cpus);
  const loads = [...r.initial, ...r.incremental].map((it) => it.load);
  const hi = Math.max(...loads);
  const headline = `incremental backups ${incremental.verdict}; initial backups ${initial.verdict}`;
  const markdown = `## Two repositories at once: parallel vs. one after the other

\`bench/parallel-repos.ts\` backs two similar data sets up through the daemon to two
repositories at once (\`StartBackup\` both, \`WaitOperation\` both), and the same two one after
the other to two more repositories, and reports at once / one after the other. Goal: at most
0.65 on two cores. Each iteration measures both kinds of backup a schedule runs: the initial
one of a plan into a fresh repository, and then, into the same repositories, an incremental
one after the same change to both data sets (5% of the small files rewritten, 4 MiB appended
to a large file), the kind every later scheduled run is.

**Result: ${headline}.**

The daemon runs each repository's work in its own queue, so two backups on two repositories
start at once and overlap. How much that gains depends on what else limits a backup. An
initial backup of random data is restic hashing, chunking, compressing and encrypting every
byte: one alone keeps most of both CPUs busy, so two at once cannot be much faster than one
after the other on two cores. An incremental backup mostly waits (reading the index, checking
files against the parent snapshot, saving the snapshot), and two of them share the machine well.

### Incremental backups

${incremental.analysis}

${incremental.table}

### Initial backups into fresh repositories

${initial.analysis}

${initial.table}

- Measured ${env.date} on ${env.cpu}, ${env.cpus} CPUs, ${env.memoryGiB} GiB RAM, ${env.kernel};
  ${env.restic}; Node ${env.node}; daemon started as \`${r.daemonEntry}\`.
- 1-minute load average at the start of the iterations: ${Math.min(...loads).toFixed(1)}-${hi.toFixed(1)}${hi > env.cpus ? ` (above the ${env.cpus} CPUs: other work competed for them, which leaves less to gain from running two at once)` : ""}.
- Data: two sets of ${(r.dataBytes / 2 / 1024 ** 2).toFixed(0)} MiB of random content in ${r.files.toLocaleString("en")} files each (a few large files, the rest 0.5-2.5 KiB), generated per run; each iteration's initial backups go to fresh repositories initialized before timing, so every iteration does the same work, and its incremental ones to the same repositories after the change.
- "One after the other" is the sum of the two backups timed on their own (StartBackup to WaitOperation's answer); the daemon's follow-up snapshot index of each is drained, untimed, before the next starts, and after "at once" too. Which of the two goes first alternates per iteration; one untimed round of initial backups warms up.
- CPU seconds are the daemon's own plus those of its reaped restic processes (\`/proc/<pid>/stat\`).
- Rerun with \`make bench\` (\`BENCH_RUNS=N\`).`;
  const summary = `${headline}\n\nincremental:\n${incremental.analysis}\n\n${incremental.table}\n\ninitial:\n${initial.analysis}\n\n${initial.table}`;
  return { markdown, summary };
}
