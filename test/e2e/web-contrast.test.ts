/**
 * Colour contrast and focus visibility of the web UI in real Chromium, in the light and the
 * dark colour scheme, on every main view with data in it (a finished and a failed backup, a
 * snapshot to browse, form errors, a refused sign-in): every visible text must reach WCAG
 * 2.x AA (4.5:1, large text 3:1) against the background it is painted on, and every element
 * Tab reaches must show a focus indicator (an outline with 3:1 against what it is drawn on, or
 * a box-shadow). Offenders are listed by selector, text, colours and ratio.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { hashPassword } from "../../src/auth/password.js";
import { launchBrowser, openPage, screenshot, until } from "../helpers/browser.js";
import {
  auditSamples,
  CANVAS,
  describeOffenders,
  FOCUS_SCRIPT,
  type FocusSample,
  focusProblem,
  TEXT_SAMPLES_SCRIPT,
  type TextSample,
} from "../helpers/contrast.js";
import { startTestDaemon } from "../helpers/daemon.js";
import { startBackupFixture } from "../helpers/fixture.js";
import { callJson, type OpJson, waitForOperation } from "../helpers/http.js";

const SCHEMES = ["light", "dark"] as const;
type Scheme = (typeof SCHEMES)[number];
/** Most Tab presses per view and scheme (the settings view, the longest, has about 30 stops). */
const MAX_TABS = 100;
const USER = "admin";
const PASSWORD = "a long test password";

/** Starts a backup of `plan` through the API and waits until it has finished. */
async function backup(url: string, plan: string): Promise<OpJson> {
  const res = await callJson(url, "v1.Backrest/StartBackup", { value: plan });
  assert.equal(res.status, 200, res.text);
  return waitForOperation(url, (res.body as { operationId: string }).operationId);
}

/** Waits until the page shows no "Loading…" placeholder. */
async function settled(page: Page): Promise<void> {
  await until(async () => (await page.getByText(/^Loading\b/).count()) === 0, "loading to end");
}

/** The text offenders of the page as it is now, in `scheme`. */
async function textProblems(page: Page, scheme: Scheme): Promise<string[]> {
  const samples = (await page.evaluate(TEXT_SAMPLES_SCRIPT)) as TextSample[];
  const { offenders, checked, unknown } = auditSamples(samples, CANVAS[scheme]);
  assert.ok(checked > 3, `only ${checked} texts were found`);
  return [
    ...offenders.map((o) => describeOffenders([o])),
    ...unknown.map((s) => `${s.selector} "${s.text}": over a background image, not checkable`),
  ];
}

/** Tabs through the page from the start; the focused elements without a visible indicator. */
async function focusProblems(page: Page, scheme: Scheme): Promise<string[]> {
  // Focus on the body (focusable for a moment) puts the start of Tab's order at the top.
  await page.evaluate(
    "document.body.tabIndex = -1, document.body.focus(), document.body.removeAttribute('tabindex')",
  );
  const problems: string[] = [];
  const seen = new Set<string>();
  let ended = false;
  for (let i = 0; i < MAX_TABS && !ended; i++) {
    await page.keyboard.press("Tab");
    const focused = (await page.evaluate(FOCUS_SCRIPT)) as FocusSample | null;
    // Nothing focused (Tab left the page) or the first element again (Tab went round).
    const key = focused && `${focused.selector}|${focused.text}`;
    ended = !focused || !key || seen.has(key);
    if (!focused || ended) continue;
    seen.add(key as string);
    const problem = focusProblem(focused, CANVAS[scheme]);
    if (problem) problems.push(`${focused.selector} "${focused.text}": ${problem}`);
  }
  assert.ok(seen.size > 0, "Tab reached nothing");
  assert.ok(ended, `more than ${MAX_TABS} tab stops: raise MAX_TABS to check them all`);
  return problems;
}

/** Checks the page in both schemes, with a screenshot of each; returns every problem found. */
async function audit(page: Page, name: string): Promise<string[]> {
  const problems: string[] = [];
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    await screenshot(page, `contrast-${name}-${scheme}`);
    for (const p of await textProblems(page, scheme)) problems.push(`[${scheme}] text ${p}`);
    for (const p of await focusProblems(page, scheme)) problems.push(`[${scheme}] focus ${p}`);
  }
  return problems;
}

describe("web UI contrast and focus", async () => {
  const fx = await startBackupFixture({
    files: 6,
    // The stream shows "live" once its first message (a keep-alive, at the latest) arrives.
    keepAliveMs: 500,
    extraPlans: [{ id: "broken", repo: "local", paths: ["/nonexistent/restwell-contrast"] }],
  });
  const url = fx.daemon.url;
  const good = await backup(url, "plan1");
  assert.equal(good.status, "STATUS_SUCCESS", good.displayMessage);
  const bad = await backup(url, "broken");
  assert.notEqual(bad.status, "STATUS_SUCCESS");
  const browser = await launchBrowser();
  const { page, context, errors } = await openPage(browser);
  const heading = (name: string | RegExp) => page.getByRole("heading", { level: 1, name });

  /** Opens `path` (first run dismissed), waits for `title` and for loading to end. */
  const open = async (path: string, title: string | RegExp) => {
    await page.goto(`${url}${path}`);
    await heading(title).waitFor();
    await page.locator("[data-stream=live]").waitFor();
    await settled(page);
  };
  const check = async (name: string) => {
    const problems = await audit(page, name);
    assert.deepEqual(problems, [], `${name}:\n${problems.join("\n")}`);
  };

  it("first run, with field errors", async () => {
    await page.goto(url);
    await heading("Welcome to Restwell").waitFor();
    await page.getByLabel("Password", { exact: true }).fill("short");
    await page.getByLabel("Repeat password").fill("other");
    await page.getByRole("button", { name: "Create user and sign in" }).click();
    await page.getByText("The passwords differ.").waitFor();
    await check("first-run");
  });

  it("dashboard", async () => {
    await context.addInitScript({
      content: 'localStorage.setItem("restwell.firstRunDismissed", "1")',
    });
    await open("/", "Dashboard");
    await page.getByText("plan1").first().waitFor();
    await check("dashboard");
  });

  it("repos and a repo", async () => {
    await open("/repos", "Repos");
    await check("repos");
    await open("/repos/local", "Repo local");
    await check("repo");
  });

  it("plans, a plan with a failed backup, and the plan form with errors", async () => {
    await open("/plans", "Plans");
    await check("plans");
    await open("/plans/broken", "Plan broken");
    await page.locator('.op-row [data-status="error"]').first().waitFor();
    await check("plan");
    await open("/plans/new", "New plan");
    await page.getByRole("button", { name: "Add plan" }).click();
    await page.locator(".field-error").first().waitFor();
    await check("plan-form");
  });

  it("operations with a backup's details and log", async () => {
    await open(`/operations/${good.id}`, "Operations");
    await page.locator("[data-op-details]").getByText("Data added").waitFor();
    await check("operations");
    await open(`/operations/${bad.id}`, "Operations");
    await page.locator('[data-op-details] [data-status="error"]').waitFor();
    await check("operation-failed");
  });

  it("snapshots, browsing the backed-up files", async () => {
    const snapshot = good.snapshotId ?? "";
    assert.ok(snapshot, "the backup made a snapshot");
    const query = new URLSearchParams({ repo: "local", snapshot, path: fx.sourceDir });
    await open(`/snapshots?${query}`, "Snapshots");
    await page.getByTestId("file-table").getByText("file-2.txt").waitFor();
    await check("snapshots");
  });

  it("settings", async () => {
    await open("/settings", "Settings");
    await check("settings");
  });

  it("sign-in, after a wrong password", async () => {
    const secured = await startTestDaemon({
      instance: "contrast-test",
      auth: { users: [{ name: USER, passwordBcrypt: await hashPassword(PASSWORD) }] },
    });
    await page.goto(secured.url);
    await heading("Sign in to Restwell").waitFor();
    await page.getByLabel("User name").fill(USER);
    await page.getByLabel("Password").fill("wrong password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("Wrong user name or password.").waitFor();
    await check("sign-in");
  });

  it("had no uncaught errors", () => {
    assert.deepEqual(
      errors.filter((e) => !e.includes("Failed to load resource")),
      [],
    );
  });
});
