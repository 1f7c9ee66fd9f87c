/**
 * The web UI in real Chromium (Debian's chromium through playwright-core) against the daemon
 * with 10,000 operations in its history: the time to first content (the dashboard showing
 * plans, from navigation start, with an empty cache and with a warm one), the time until the
 * operations view shows its first rows, the time to load and render all 10,000 operations
 * (scrolling to the end, page after page), and frame times scrolling through them. Goal: first
 * content in under one second on localhost. Also records the size of the first load.
 * Printed and written to this benchmark's section of BENCHMARKS.md; reported, never asserted.
 */
import { loadavg } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { baseEnv, directRestic, log, positiveInt, ROOT, runMain, withScratch } from "./lib/cli.js";
import { spawnDaemon } from "./lib/daemon.js";
import { writeSection } from "./lib/markdown.js";
import { environment } from "./lib/overhead-report.js";
import { initRepo, resticVersion } from "./lib/restic.js";
import { writeWebUiData } from "./lib/web-ui-data.js";
import {
  firstContentfulPaint,
  loadAll,
  MARKS_SCRIPT,
  mark,
  scrollThrough,
} from "./lib/web-ui-page.js";
import { bundleSizes, renderWebUiReport, type WebUiRun } from "./lib/web-ui-report.js";

const RUNS = positiveInt(process.env.BENCH_RUNS, 10);
const OPERATIONS = positiveInt(process.env.BENCH_OPERATIONS, 10_000);
const CHROMIUM = process.env.RESTWELL_CHROMIUM ?? "/usr/bin/chromium";
const WAIT_MS = 120_000;
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

async function main(): Promise<void> {
  const bundle = bundleSizes(join(ROOT, "dist", "web"));
  await withScratch("restwell-bench-web-", async ({ tmp, own }) => {
    const restic = directRestic(join(tmp, "restic-cache"));
    const env = environment(await resticVersion(restic));
    const repo = join(tmp, "repo");
    await initRepo(restic, repo);
    log(`writing ${OPERATIONS} operations`);
    const data = writeWebUiData(tmp, repo, OPERATIONS);
    const daemon = own(
      await spawnDaemon({ configPath: data.configPath, dataDir: data.dataDir, env: baseEnv() }),
    );
    log(`daemon at ${daemon.url} (${daemon.entry})`);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
    const runs: WebUiRun[] = [];
    const load: number[] = [];
    try {
      for (let i = 0; i < RUNS; i++) {
        load.push(loadavg()[0] ?? 0);
        runs.push(await oneRun(browser, daemon.url, data.operations));
        const r = runs.at(-1) as WebUiRun;
        log(
          `run ${i + 1}: first content ${r.coldContentMs.toFixed(0)} ms cold, ${r.warmContentMs.toFixed(0)} ms warm; ` +
            `operations: first rows ${r.opsFirstRowsMs.toFixed(0)} ms, all ${data.operations} ${r.opsAllMs.toFixed(0)} ms`,
        );
      }
    } finally {
      await browser.close();
    }
    const report = renderWebUiReport({
      runs,
      bundle,
      env,
      operations: data.operations,
      daemonEntry: daemon.entry,
      load,
    });
    process.stdout.write(`${report}\n`);
    writeSection(join(ROOT, "BENCHMARKS.md"), "web-ui", report);
  });
}

/** One fresh browser context (empty cache): dashboard cold and warm, then the operations view. */
async function oneRun(
  browser: Awaited<ReturnType<typeof chromium.launch>>,
  url: string,
  operations: number,
): Promise<WebUiRun> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(WAIT_MS);
  await context.addInitScript({ content: MARKS_SCRIPT });
  try {
    const page = await context.newPage();
    await page.goto(`${url}/`, { waitUntil: "commit" });
    await page.locator("[data-plan]").first().waitFor();
    const coldContentMs = await mark(page, "content");
    const coldFcpMs = await firstContentfulPaint(page);
    await page.reload({ waitUntil: "commit" });
    await page.locator("[data-plan]").first().waitFor();
    const warmContentMs = await mark(page, "content");
    await page.goto(`${url}/operations?view=list`, { waitUntil: "commit" });
    await page.locator("[data-op-id]").first().waitFor();
    const opsFirstRowsMs = await mark(page, "ops");
    const opsAllMs = await loadAll(page, operations, WAIT_MS);
    const scroll = await scrollThrough(page, 3000);
    return { coldContentMs, coldFcpMs, warmContentMs, opsFirstRowsMs, opsAllMs, scroll };
  } finally {
    await context.close();
  }
}

await runMain(main);
