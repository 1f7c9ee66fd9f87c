/** The browse-latency benchmark's results as a console table and a BENCHMARKS.md section. */
import type { Environment } from "./overhead-report.js";
import { median, percentile } from "./stats.js";
import type { TreeData } from "./tree-data.js";

/** The goal: from the second folder on, listing through the API is this many times faster. */
export const GOAL_SPEEDUP = 20;

/** One folder listed both ways. */
export interface FolderSample {
  folder: string;
  first: "direct" | "api";
  /** `restic ls --json <snapshot> <folder>` run directly. */
  directMs: number;
  /** ListSnapshotFiles through the API, served from the tree index. */
  apiMs: number;
  /** 1-minute load average when the folder's pair started. */
  load: number;
}

/** What renderBrowseReport needs. */
export interface BrowseRun {
  samples: FolderSample[];
  /** The first ListSnapshotFiles of the snapshot, which reads its whole tree. */
  firstMs: number;
  /** `restic ls --json <snapshot>` of the whole tree, run directly. */
  wholeTreeMs: number;
  backupMs: number;
  env: Environment;
  data: TreeData;
  daemonEntry: string;
}

const ms1 = (ms: number) => ms.toFixed(1);

/** Renders the results; the goal is judged on median restic ls / median API listing. */
export function renderBrowseReport(run: BrowseRun): { markdown: string; summary: string } {
  const direct = run.samples.map((s) => s.directMs);
  const api = run.samples.map((s) => s.apiMs);
  const speedup = median(direct) / median(api);
  const met = speedup >= GOAL_SPEEDUP;
  const verdict =
    `from the second folder on, restic ls per folder / API listing = ${speedup.toFixed(0)}x ` +
    `(medians; goal >= ${GOAL_SPEEDUP}x): ${met ? "goal met" : "goal NOT met"}`;
  const first =
    `The first listing of the snapshot, which reads its whole tree with one \`restic ls\`, ` +
    `took ${ms1(run.firstMs)} ms: ${(run.firstMs / median(direct)).toFixed(1)}x one restic ls of a single folder, ` +
    `${(run.firstMs / run.wholeTreeMs).toFixed(2)}x restic ls of the whole tree run directly (${ms1(run.wholeTreeMs)} ms).`;
  const table = summaryTable(run);
  const markdown = [
    "## Browsing: folder listing through the API vs. restic ls per folder",
    "",
    "`bench/browse-latency.ts` times `POST /v1.Backrest/ListSnapshotFiles`, which reads a",
    "snapshot's tree once with one `restic ls` and serves later folders from the tree index,",
    "against `restic ls --json <snapshot> <folder>` run directly for each folder, as Backrest",
    `does. Goal: at least ${GOAL_SPEEDUP}x faster from the second folder on.`,
    "",
    `**Result: ${verdict}.** ${first}`,
    "",
    table,
    "",
    ...notes(run),
  ].join("\n");
  const summary = [perFolderTable(run.samples), "", table.replaceAll("**", ""), "", verdict, first];
  return { markdown, summary: `${summary.join("\n")}\n` };
}

function row(cells: string[]): string {
  return `| ${cells.join(" | ")} |`;
}

function summaryTable(run: BrowseRun): string {
  const direct = run.samples.map((s) => s.directMs);
  const api = run.samples.map((s) => s.apiMs);
  const n = run.samples.length;
  return [
    row(["listing", "folders", "median (ms)", "p95 (ms)", "min (ms)", "max (ms)"]),
    row(["---", "---:", "---:", "---:", "---:", "---:"]),
    row(["API, first folder (reads the whole tree)", "1", ms1(run.firstMs), "", "", ""]),
    row(["restic ls of the whole tree, directly", "1", ms1(run.wholeTreeMs), "", "", ""]),
    row([
      "**API, later folders (tree index)**",
      String(n),
      `**${ms1(median(api))}**`,
      ms1(percentile(api, 95)),
      ms1(Math.min(...api)),
      ms1(Math.max(...api)),
    ]),
    row([
      "**restic ls per folder**",
      String(n),
      `**${ms1(median(direct))}**`,
      ms1(percentile(direct, 95)),
      ms1(Math.min(...direct)),
      ms1(Math.max(...direct)),
    ]),
  ].join("\n");
}

/** Every folder's pair, for the console only (BENCHMARKS.md keeps the summary). */
function perFolderTable(samples: FolderSample[]): string {
  return [
    row(["folder", "first", "restic ls (ms)", "API (ms)", "ratio"]),
    row(["---", "---", "---:", "---:", "---:"]),
    ...samples.map((s) =>
      row([
        s.folder,
        s.first === "api" ? "API" : "direct",
        ms1(s.directMs),
        ms1(s.apiMs),
        (s.directMs / s.apiMs).toFixed(0),
      ]),
    ),
  ].join("\n");
}

function notes(run: BrowseRun): string[] {
  const { env, data } = run;
  const loads = run.samples.map((s) => s.load);
  const lo = Math.min(...loads);
  const hi = Math.max(...loads);
  return [
    `- Measured ${env.date} on ${env.cpu}, ${env.cpus} CPUs, ${env.memoryGiB} GiB RAM, ${env.kernel};`,
    `  ${env.restic}; Node ${env.node}; daemon started as \`${run.daemonEntry}\`.`,
    `- 1-minute load average during the listings: ${lo.toFixed(1)}-${hi.toFixed(1)}` +
      (hi > env.cpus
        ? ` (above the ${env.cpus} CPUs: other work competed for them, so single runs are noisy).`
        : "."),
    `- Data: ${data.files.toLocaleString("en-US")} files of 1-256 bytes in ${data.folders.length.toLocaleString("en-US")} folders`,
    "  (20 top folders of 50 folders of 50 files), generated per run and backed up once",
    `  through the daemon (${(run.backupMs / 1000).toFixed(1)} s) to a fresh repository.`,
    `- ${run.samples.length} folders picked at random after the first; each is listed both ways,`,
    "  the side that goes first alternating. Every answer's entry count is checked. An untimed",
    "  `restic ls` first warms the direct side's cache (the backup warmed the daemon's).",
    "- Direct runs get the daemon's restic environment: RESTIC_PASSWORD, a cache dir of their",
    "  own, RESTIC_PROGRESS_FPS=2.",
    "- Rerun with `make bench` (`BENCH_FOLDERS=N` for more folders).",
  ];
}
