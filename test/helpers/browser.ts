/**
 * Real Chromium for the web UI's end-to-end tests: Debian's `chromium` driven by
 * playwright-core (never a downloaded browser). Pages collect their uncaught errors so a test
 * can assert there were none, and `screenshot` writes PNGs a person can look at into
 * test-output/screenshots/.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after } from "node:test";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

const ROOT = join(import.meta.dirname, "..", "..");
/** Where tests write screenshots. */
export const SCREENSHOT_DIR = join(ROOT, "test-output", "screenshots");
/** The browser's path (Debian's chromium package). */
export const CHROMIUM = process.env.RESTWELL_CHROMIUM ?? "/usr/bin/chromium";
/** Longest wait for anything in the page (a backup against real restic included). */
export const UI_TIMEOUT_MS = 30_000;

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

/** Fails with how to fix it when the UI or the browser is missing. */
export function assertUiPrerequisites(): void {
  if (!existsSync(join(ROOT, "dist", "web", "index.html")))
    throw new Error("dist/web is missing: build the UI with `make web` first");
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (make chromium)`);
}

/** Launches headless Chromium; it is closed when the test file ends. */
export async function launchBrowser(): Promise<Browser> {
  assertUiPrerequisites();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ARGS,
    headless: true,
    timeout: UI_TIMEOUT_MS,
  });
  after(() => browser.close());
  return browser;
}

/** A page with its uncaught errors collected. */
export interface TestPage {
  page: Page;
  context: BrowserContext;
  /** Uncaught exceptions and console errors seen so far. */
  errors: string[];
}

/** Opens a fresh context (own sessionStorage) and a page in it. */
export async function openPage(
  browser: Browser,
  opts: { width?: number; height?: number; colorScheme?: "light" | "dark" } = {},
): Promise<TestPage> {
  const context = await browser.newContext({
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 860 },
    colorScheme: opts.colorScheme ?? "light",
  });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  const page = await context.newPage();
  const errors = watchErrors(page);
  return { page, context, errors };
}

/** Collects a page's uncaught exceptions and console errors. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
  });
  return errors;
}

/** Writes a full-page screenshot to test-output/screenshots/<name>.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Polls `check` (every 100 ms) until it holds; fails after `timeoutMs` naming `what`. For
 * conditions the page's CSP keeps page.waitForFunction from evaluating.
 */
export async function until(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = UI_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
