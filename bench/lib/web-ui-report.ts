/** The web UI benchmark's section of BENCHMARKS.md, and the sizes of the built UI. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Environment } from "./overhead-report.js";
import { median, percentile } from "./stats.js";
import type { ScrollSample } from "./web-ui-page.js";

/** One run's measurements (ms since navigation start, except the scroll frames). */
export interface WebUiRun {
  coldContentMs: number;
  coldFcpMs: number;
  warmContentMs: number;
  opsFirstRowsMs: number;
  opsAllMs: number;
  scroll: ScrollSample;
}

/** Sizes of the built UI: what the first load fetches, and everything. */
export interface BundleSizes {
  initialFiles: string[];
  initialRaw: number;
  initialBrotli: number;
  totalRaw: number;
  totalBrotli: number;
  chunks: number;
}

function size(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Reads dist/web: the files index.html loads (script, preloads, styles) and all assets. */
export function bundleSizes(dir: string): BundleSizes {
  const html = readFileSync(join(dir, "index.html"), "utf8");
  const initialFiles = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map(
    (m) => m[1] as string,
  );
  const assets = readdirSync(join(dir, "assets")).filter((f) => /\.(js|css)$/.test(f));
  const sum = (files: string[], suffix: string) =>
    files.reduce((n, f) => n + (size(join(dir, `${f}${suffix}`)) || size(join(dir, f))), 0);
  const all = assets.map((f) => `assets/${f}`);
  return {
    initialFiles,
    initialRaw: sum(initialFiles, ""),
    initialBrotli: sum(initialFiles, ".br"),
    totalRaw: sum(all, ""),
    totalBrotli: sum(all, ".br"),
    chunks: assets.filter((f) => f.endsWith(".js")).length,
  };
}

const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;

function row(label: string, values: number[], bold = false): string {
  const cell = (v: number) => v.toFixed(0);
  const m = bold ? `**${cell(median(values))}**` : cell(median(values));
  return `| ${label} | ${m} | ${cell(percentile(values, 95))} | ${cell(Math.min(...values))} | ${cell(Math.max(...values))} |`;
}

/** The markdown section. */
export function renderWebUiReport(r: {
  runs: WebUiRun[];
  bundle: BundleSizes;
  env: Environment;
  operations: number;
  daemonEntry: string;
  /** 1-minute load averages sampled before each run. */
  load: number[];
}): string {
  const { runs, bundle, env } = r;
  const cold = median(runs.map((x) => x.coldContentMs));
  const frames = runs.flatMap((x) => x.scroll.frames);
  const maxRows = Math.max(...runs.map((x) => x.scroll.maxRowsInDom));
  const verdict = cold < 1000 ? "goal met" : "goal missed";
  return `## Web UI: time to first content and to render ${r.operations.toLocaleString("en")} operations

\`bench/web-ui.ts\` loads the web UI in headless Chromium (Debian's package, through
playwright-core) from the daemon on localhost, whose history holds ${r.operations.toLocaleString("en")} operations.
Goal: the first screen shows content in under one second.

**Result: first content (the dashboard showing plans from the daemon) after ${cold.toFixed(0)} ms with an empty cache (median of ${runs.length}; goal < 1000 ms): ${verdict}.** All ${r.operations.toLocaleString("en")} operations were loaded and rendered in the operations list after ${median(runs.map((x) => x.opsAllMs)).toFixed(0)} ms (median); scrolling through them, the p95 frame time was ${percentile(frames, 95).toFixed(1)} ms with at most ${maxRows} rows in the DOM.

| measurement (ms from navigation start) | median | p95 | min | max |
| --- | ---: | ---: | ---: | ---: |
${row(
  "dashboard content, empty cache",
  runs.map((x) => x.coldContentMs),
  true,
)}
${row(
  "first contentful paint, empty cache",
  runs.map((x) => x.coldFcpMs),
)}
${row(
  "dashboard content, warm cache (reload)",
  runs.map((x) => x.warmContentMs),
)}
${row(
  "operations view: first rows",
  runs.map((x) => x.opsFirstRowsMs),
)}
${row(
  `operations view: all ${r.operations.toLocaleString("en")} loaded and rendered`,
  runs.map((x) => x.opsAllMs),
  true,
)}

| scrolling the ${r.operations.toLocaleString("en")}-row list top to bottom in 3 s | value |
| --- | ---: |
| frames | ${frames.length} |
| median frame time | ${median(frames).toFixed(1)} ms |
| p95 frame time | ${percentile(frames, 95).toFixed(1)} ms |
| longest frame | ${Math.max(...frames).toFixed(1)} ms |
| most rows in the DOM | ${maxRows} |

- First load: ${bundle.initialFiles.length} files (${bundle.initialFiles.join(", ")}), ${kib(bundle.initialRaw)} (${kib(bundle.initialBrotli)} as served with brotli); the whole UI is ${bundle.chunks} JavaScript chunks, ${kib(bundle.totalRaw)} (${kib(bundle.totalBrotli)} brotli). Views load on demand.
- "Content" is the moment the dashboard's first plan card, filled from \`GetSummaryDashboard\`, is in the DOM (a MutationObserver records performance.now()). Each run uses a new browser context (empty cache), then reloads for the warm case (hashed assets are cached as immutable).
- The operations view loads the newest 500 operations, then the next 500 each time the list is scrolled to its end (\`GetOperations\` with \`before_id\` = the oldest id loaded: ${Math.ceil(r.operations / 500)} pages for ${r.operations.toLocaleString("en")} operations); "all loaded" is when the list holds every operation.
- History: flows of a backup, two hook runs, a forget and a snapshot index, five plans twice a day, written into the operation log before the daemon starts.
- 1-minute load average during the runs: ${Math.min(...r.load).toFixed(1)}-${Math.max(...r.load).toFixed(1)} (on ${env.cpus} CPUs; other work on the machine slows the browser down).
- Measured ${env.date} on ${env.cpu}, ${env.cpus} CPUs, ${env.memoryGiB} GiB RAM, ${env.kernel}; Node ${env.node}; daemon started as \`${r.daemonEntry}\`; browser and daemon on the same machine.
- Rerun with \`make bench\` (\`BENCH_RUNS=N\`, \`BENCH_OPERATIONS=N\`).`;
}
