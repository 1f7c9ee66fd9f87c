/** The event-subscribers benchmark's results as a console summary and a BENCHMARKS.md section. */
import type { Environment } from "./overhead-report.js";
import { median } from "./stats.js";
import type { Delivery } from "./subscribers.js";

/** The goal: a backup with the subscribers takes at most this many times as long. */
export const GOAL_RATIO = 1.05;

/** One timed backup. */
export interface BackupRun {
  pair: number;
  subscribers: number;
  /** StartBackup to WaitOperation's answer. */
  ms: number;
  /** The operation's own start to end. */
  opMs: number;
  /** CPU seconds of the daemon itself during the backup. */
  daemonCpuS: number;
  /** CPU seconds of the subscribers' process during the backup. */
  clientCpuS: number;
  load: number;
  delivery?: Delivery;
}

const s2 = (ms: number) => (ms / 1000).toFixed(2);

/** Renders the section; the duration goal is judged on the median of the per-pair ratios. */
export function renderSubscribersReport(r: {
  runs: BackupRun[];
  subscribers: number;
  env: Environment;
  dataBytes: number;
  files: number;
  daemonEntry: string;
}): { markdown: string; summary: string } {
  const pairs = [...new Set(r.runs.map((x) => x.pair))].map((pair) => {
    const without = r.runs.find((x) => x.pair === pair && x.subscribers === 0) as BackupRun;
    const withSubs = r.runs.find((x) => x.pair === pair && x.subscribers > 0) as BackupRun;
    const first = r.runs.find((x) => x.pair === pair) as BackupRun;
    return { pair, without, withSubs, firstWith: first.subscribers > 0 };
  });
  const ratio = median(pairs.map((p) => p.withSubs.ms / p.without.ms));
  const opRatio = median(pairs.map((p) => p.withSubs.opMs / p.without.opMs));
  const deliveries = pairs.map((p) => p.withSubs.delivery as Delivery);
  const complete = deliveries.every(
    (d) =>
      d.gaps === 0 &&
      d.missedFinal === 0 &&
      d.errors.length === 0 &&
      d.progressMin === d.progressAll &&
      d.progressAll > 0,
  );
  const durationMet = ratio <= GOAL_RATIO;
  const extraCpu = median(pairs.map((p) => p.withSubs.daemonCpuS - p.without.daemonCpuS));
  const progress = deliveries.map((d) => d.progressAll);
  const row = (cells: string[]) => `| ${cells.join(" | ")} |`;
  const table = [
    row([
      "pair",
      "first",
      "no subscribers (s)",
      `${r.subscribers} subscribers (s)`,
      "ratio",
      "daemon CPU s (none / with)",
      "subscribers' CPU s",
      "progress updates: recorded / fewest seen by one",
      "subscribers with a gap",
      "streams ended by an error",
    ]),
    row(["---", "---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:"]),
    ...pairs.map((p) => {
      const d = p.withSubs.delivery as Delivery;
      return row([
        String(p.pair),
        p.firstWith ? "with" : "without",
        s2(p.without.ms),
        s2(p.withSubs.ms),
        `**${(p.withSubs.ms / p.without.ms).toFixed(3)}**`,
        `${p.without.daemonCpuS.toFixed(2)} / ${p.withSubs.daemonCpuS.toFixed(2)}`,
        p.withSubs.clientCpuS.toFixed(2),
        `${d.progressAll} / ${d.progressMin}`,
        String(d.gaps + d.missedFinal),
        String(d.errors.length),
      ]);
    }),
    row([
      "**median**",
      "",
      s2(median(pairs.map((p) => p.without.ms))),
      s2(median(pairs.map((p) => p.withSubs.ms))),
      `**${ratio.toFixed(3)}**`,
      "",
      "",
      "",
      "",
      "",
    ]),
  ].join("\n");
  const errors = [...new Set(deliveries.flatMap((d) => d.errors))];
  const deliveryVerdict = complete
    ? `every one of the ${r.subscribers} subscribers received every change the log committed during each backup, so each of its ${Math.min(...progress)}-${Math.max(...progress)} progress updates: PASS`
    : `some subscribers missed changes (see the table${errors.length > 0 ? `; errors: ${errors.slice(0, 3).join("; ")}` : ""}): MISS`;
  const durationVerdict = `backup duration with ${r.subscribers} subscribers / without: median ${ratio.toFixed(3)} (goal <= ${GOAL_RATIO}): ${durationMet ? "PASS" : "MISS"}`;
  const loads = r.runs.map((x) => x.load);
  const hi = Math.max(...loads);
  const markdown = `## ${r.subscribers} event-stream subscribers during a backup

\`bench/event-subscribers.ts\` opens ${r.subscribers} \`GetOperationEvents\` streams (Connect protocol over
HTTP/1.1, one connection each, in a process of their own at nice 19 standing in for remote
clients; each keeps the bytes as they arrive and decodes them once the backup has ended, so
their decoding does not compete with restic for the CPUs), runs a backup through the daemon,
and checks what each stream received; it times the same backup with no streams open,
interleaved. Goals: every subscriber sees each progress update; the backup takes at most 1.05
times as long.

**Result: ${deliveryVerdict}; ${durationVerdict}.** By the operations' own start and end times the ratio is ${opRatio.toFixed(3)}. Serving the streams cost the daemon a median ${extraCpu.toFixed(2)} CPU seconds more per backup (${((extraCpu / (median(pairs.map((p) => p.withSubs.ms)) / 1000)) * 100).toFixed(1)}% of one CPU over the backup); the subscribers themselves, in a process of their own at the lowest CPU priority (nice 19) standing in for remote clients, used a median ${median(pairs.map((p) => p.withSubs.clientCpuS)).toFixed(2)} s.

${table}

- Measured ${r.env.date} on ${r.env.cpu}, ${r.env.cpus} CPUs, ${r.env.memoryGiB} GiB RAM, ${r.env.kernel}; ${r.env.restic}; Node ${r.env.node}; daemon started as \`${r.daemonEntry}\`.
- 1-minute load average at the start of the backups: ${Math.min(...loads).toFixed(1)}-${hi.toFixed(1)}${hi > r.env.cpus ? ` (above the ${r.env.cpus} CPUs: other work competed for them, so single backups vary)` : ""}.
- Data: ${(r.dataBytes / 1024 ** 2).toFixed(0)} MiB of random content in ${r.files.toLocaleString("en")} files, each backup to a fresh repository initialized before timing; the daemon writes a backup's progress to the log at most once a second (restic reports twice a second).
- How delivery is checked: the log's modno counter rises by one for every operation written, so the changes a stream receives must carry consecutive modnos; "a gap" means a stream skipped one (a dropped event), and every stream must reach the backup's final state. "Progress updates recorded" are the distinct in-progress states of the backup (with restic's status) that any stream received; "fewest seen by one" is the smallest count among the ${r.subscribers} streams. The daemon drops a stream more than 1,000 events behind (it would show as an error).
- Streams are opened before the backup starts and count as subscribed once they received their first message (the daemon's keep-alive, after 15 s of quiet). Durations are StartBackup to WaitOperation's answer; the follow-up snapshot index is drained, untimed, after each backup; the side that goes first alternates.
- Rerun with \`make bench\` (\`BENCH_RUNS=N\`, \`BENCH_SUBSCRIBERS=N\`).`;
  return { markdown, summary: `${deliveryVerdict}\n${durationVerdict}\n\n${table}` };
}
