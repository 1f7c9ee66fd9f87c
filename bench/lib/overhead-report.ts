/** The backup-overhead benchmark's results as a console table and a BENCHMARKS.md section. */
import { cpus, release, totalmem } from "node:os";
import type { DataSet } from "./data.js";
import { median, spread } from "./stats.js";

/** The goal: a backup through the API takes at most this many times as long as restic alone. */
export const GOAL_RATIO = 1.05;

/** One iteration: a direct and an API backup of the same data to fresh repositories. */
export interface Sample {
  run: number;
  first: "direct" | "api";
  directMs: number;
  apiMs: number;
  /** apiMs / directMs */
  ratio: number;
  /** apiMs minus the daemon's own timing of its restic child; undefined when not logged. */
  outsideResticMs: number | undefined;
  /** 1-minute load average when the iteration started. */
  load: number;
}

/** Where the numbers were measured. */
export interface Environment {
  date: string;
  restic: string;
  node: string;
  cpu: string;
  cpus: number;
  memoryGiB: number;
  kernel: string;
}

/** Describes this machine; `restic` is the output of `restic version`. */
export function environment(restic: string): Environment {
  const cpuList = cpus();
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    restic,
    node: process.version,
    cpu: cpuList[0]?.model.trim() ?? "unknown",
    cpus: cpuList.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    kernel: `${process.platform} ${release()}`,
  };
}

/** How the runs were set up, for the notes under the table. */
export interface RunSetup {
  data: DataSet;
  runs: number;
  prefilledGuid: boolean;
  progressFps: string;
  daemonEntry: string;
}

/** What renderReport produces. */
export interface Report {
  /** The section body for BENCHMARKS.md (without its markers). */
  markdown: string;
  /** Plain text for the console. */
  summary: string;
  medianRatio: number;
  goalMet: boolean;
}

const sec = (ms: number) => (ms / 1000).toFixed(3);
const fixed3 = (r: number) => r.toFixed(3);
const msOrNa = (ms: number | undefined) => (ms === undefined ? "n/a" : ms.toFixed(0));

/** Renders the results; the goal is judged on the median of the per-iteration ratios. */
export function renderReport(samples: Sample[], env: Environment, setup: RunSetup): Report {
  const ratios = spread(samples.map((s) => s.ratio));
  const goalMet = ratios.median <= GOAL_RATIO;
  const verdict = `median ratio ${fixed3(ratios.median)} (goal <= ${GOAL_RATIO}): ${goalMet ? "goal met" : "goal NOT met"}`;
  const table = resultTable(samples);
  const outside = outsideRestic(samples);
  const markdown = [
    "## Backup overhead: API vs. restic directly",
    "",
    "`bench/backup-overhead.ts` times `POST /v1.Backrest/Backup` (which returns when the backup",
    "is done) against `restic backup --json` run directly with the same tags, environment and",
    "data, and reports the median of the per-iteration ratios. Goal: at most 1.05.",
    "",
    `**Result: ${verdict}.**${outside ? ` ${outside}` : ""}`,
    "",
    table,
    "",
    ...setupNotes(samples, env, setup),
  ].join("\n");
  const summary = [table.replaceAll("**", ""), "", verdict, ...(outside ? [outside] : [])];
  return { markdown, summary: `${summary.join("\n")}\n`, medianRatio: ratios.median, goalMet };
}

function resultTable(samples: Sample[]): string {
  const direct = spread(samples.map((s) => s.directMs));
  const api = spread(samples.map((s) => s.apiMs));
  const ratios = spread(samples.map((s) => s.ratio));
  const outside = samples.flatMap((s) =>
    s.outsideResticMs === undefined ? [] : [s.outsideResticMs],
  );
  const out = outside.length > 0 ? spread(outside) : undefined;
  const row = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [
    row([
      "run",
      "first",
      "restic direct (s)",
      "through the API (s)",
      "ratio",
      "daemon outside restic (ms)",
    ]),
    row(["---", "---", "---:", "---:", "---:", "---:"]),
    ...samples.map((s) =>
      row([
        String(s.run),
        s.first === "api" ? "API" : "direct",
        sec(s.directMs),
        sec(s.apiMs),
        fixed3(s.ratio),
        msOrNa(s.outsideResticMs),
      ]),
    ),
    row([
      "**median**",
      "",
      ...[sec(direct.median), sec(api.median), fixed3(ratios.median), msOrNa(out?.median)].map(
        (c) => `**${c}**`,
      ),
    ]),
    row(["min", "", sec(direct.min), sec(api.min), fixed3(ratios.min), msOrNa(out?.min)]),
    row(["max", "", sec(direct.max), sec(api.max), fixed3(ratios.max), msOrNa(out?.max)]),
  ].join("\n");
}

/** The daemon's own share: API wall time minus the run time of the restic it started. */
function outsideRestic(samples: Sample[]): string | undefined {
  const outside = samples.flatMap((s) =>
    s.outsideResticMs === undefined ? [] : [s.outsideResticMs],
  );
  if (outside.length === 0) return undefined;
  const ms = median(outside);
  const share = ms / median(samples.map((s) => s.directMs));
  return `The daemon itself spent a median ${ms.toFixed(0)} ms per backup outside restic, ${(share * 100).toFixed(1)}% of the direct run time (a ratio of ${fixed3(1 + share)} on its own); the rest of the difference between the two columns is variance between the two restic runs.`;
}

function setupNotes(samples: Sample[], env: Environment, setup: RunSetup): string[] {
  const mib = (setup.data.bytes / 1024 ** 2).toFixed(0);
  const load = spread(samples.map((s) => s.load));
  return [
    `- Measured ${env.date} on ${env.cpu}, ${env.cpus} CPUs, ${env.memoryGiB} GiB RAM, ${env.kernel};`,
    `  ${env.restic}; Node ${env.node}; daemon started as \`${setup.daemonEntry}\`.`,
    `- 1-minute load average at the start of the iterations: ${load.min.toFixed(1)}-${load.max.toFixed(1)}` +
      (load.max > env.cpus
        ? ` (above the ${env.cpus} CPUs: other work competed for them, so single runs are noisy).`
        : "."),
    `- Data: ${mib} MiB of random content in ${setup.data.files.toLocaleString("en-US")} files`,
    "  (a few large files, the rest 0.5-2.5 KiB in subdirectories), generated once per run.",
    `- ${setup.runs} iterations, each backing up to two fresh repositories initialized before`,
    "  timing (one per side); the side that goes first alternates. One untimed backup on each",
    "  side first warms the page cache and the daemon.",
    "- Direct runs get the daemon's restic environment: RESTIC_PASSWORD, a cache dir of their",
    `  own (the daemon uses \`<data-dir>/restic-cache\`), RESTIC_PROGRESS_FPS=${setup.progressFps}.`,
    '- "Daemon outside restic" is the API wall time minus the daemon\'s own timing of the',
    "  `restic backup` it ran (its debug log line, spawn to exit): request handling, queueing,",
    "  the operation log and, without a known guid, the guid lookup.",
    setup.prefilledGuid
      ? "- Each repo's guid is pre-filled in the daemon's config, as in a long-running install\n" +
        "  (adding a repo through the API records it). Without it, the first backup of a repo\n" +
        "  also runs `restic cat config` and saves the config, once per repo; measure that case\n" +
        "  with `BENCH_GUID=lookup make bench`."
      : "- Repo guids were left out of the config (`BENCH_GUID=lookup`): every measured API\n" +
        "  backup includes the one-off `restic cat config` and config save that learn its\n" +
        "  repo's guid.",
    "- Rerun with `make bench` (`BENCH_RUNS=N` for more iterations).",
  ];
}
