/**
 * The web UI in real Chromium against the real daemon and real restic: first run, sign-in,
 * adding a repo (and the connection test's error), adding a plan with schedule preview and
 * path autocomplete, a backup watched live, browsing the snapshot, restoring a file and
 * checking it on disk, changing the schedule. Every view gets a screenshot.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { launchBrowser, openPage, screenshot, until } from "../helpers/browser.js";
import { startTestDaemon } from "../helpers/daemon.js";
import { initRepo, makeSourceTree } from "../helpers/data.js";
import { callJson, type OpJson, waitForOperation } from "../helpers/http.js";
import { tempDir } from "../helpers/temp.js";

const USER = "admin";
const PASSWORD = "a long test password";
const NEW_PASSWORD = "another long password";
const REPO_PASSWORD = "repo password 123";
/** Lists the inputs, selects, textareas and buttons in the page that have no accessible name. */
const UNLABELED_CONTROLS = `[...document.querySelectorAll("input, select, textarea, button")]
  .filter((el) => !(el.labels?.length || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || (el.tagName === "BUTTON" && el.textContent.trim())))
  .map((el) => el.outerHTML.slice(0, 120))`;
/** Longest wait for a backup or restore to finish in the UI. */
const OPERATION_MS = 90_000;

describe("web UI end to end", async () => {
  const dir = tempDir();
  const source = makeSourceTree(join(dir, "documents"), { files: 12 });
  const repoPath = join(dir, "repo");
  const otherRepo = join(dir, "other-repo");
  await initRepo(otherRepo, "some other password");
  const daemon = await startTestDaemon();
  const browser = await launchBrowser();
  const { page, errors } = await openPage(browser);
  const failed: string[] = [];
  page.on("response", (res) => {
    if (res.status() >= 400) failed.push(`${res.status()} ${new URL(res.url()).pathname}`);
  });
  const url = (path: string) => `${daemon.url}${path}`;
  const auth = { user: USER, password: PASSWORD };
  const heading = (p: Page, name: string | RegExp) => p.getByRole("heading", { level: 1, name });

  it("first run: names the instance, creates the first user and signs in", async () => {
    await page.goto(url("/"));
    await heading(page, "Welcome to Restwell").waitFor();
    await page.getByLabel("Instance name").fill("web-test");
    await page.getByLabel("User name").fill(USER);
    await page.getByLabel("Password", { exact: true }).fill("short");
    await page.getByLabel("Repeat password").fill("other");
    await page.getByRole("button", { name: "Create user and sign in" }).click();
    // Checked before anything is sent.
    await page.getByText("Use 8 to 72 bytes.").waitFor();
    await page.getByText("The passwords differ.").waitFor();
    await screenshot(page, "first-run");
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("Repeat password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create user and sign in" }).click();
    await heading(page, "Dashboard").waitFor();
    const cfg = await callJson(daemon.url, "v1.Backrest/GetConfig", {}, auth);
    assert.equal(cfg.status, 200, cfg.text);
    const body = cfg.body as {
      instance: string;
      auth: { disabled?: boolean; users: { name: string }[] };
    };
    assert.equal(body.instance, "web-test");
    assert.deepEqual(
      body.auth.users.map((u) => u.name),
      [USER],
    );
    assert.notEqual(body.auth.disabled, true);
    // The session is kept for the tab, never in the URL or in localStorage.
    assert.doesNotMatch(page.url(), /token|password/i);
    // Browser-side code as strings: the tests are compiled without the DOM's types.
    const local = String(await page.evaluate("JSON.stringify(localStorage)"));
    assert.doesNotMatch(local, /rws_|Basic /);
  });

  it("signs out, refuses a wrong password and signs in again", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await heading(page, "Sign in to Restwell").waitFor();
    await page.getByLabel("User name").fill(USER);
    await page.getByLabel("Password").fill("wrong password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("Wrong user name or password.").waitFor();
    await screenshot(page, "sign-in");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await heading(page, "Dashboard").waitFor();
    await page.getByText("updates: live").waitFor();
  });

  it("adding a repo reports a wrong password, then adds the repo", async () => {
    await page.getByRole("link", { name: "Repos" }).click();
    await page.getByRole("link", { name: "Add repo" }).click();
    await heading(page, "New repo").waitFor();
    await page.getByRole("button", { name: "Test and add repo" }).click();
    await page.getByText("Enter where the repository is.").waitFor();
    await page.getByLabel("Id").fill("other");
    await page.getByLabel("Location (URI)").fill(otherRepo);
    await page.getByLabel("Password", { exact: true }).fill("not the password");
    await page.getByRole("button", { name: "Test and add repo" }).click();
    const error = page.getByTestId("repo-error");
    await error.getByText("Wrong password.").waitFor();
    await screenshot(page, "repo-form-error");

    await page.getByLabel("Id").fill("local");
    await page.getByLabel("Location (URI)").fill(repoPath);
    await page.getByLabel("Password", { exact: true }).fill(REPO_PASSWORD);
    await page.getByRole("button", { name: "Test and add repo" }).click();
    await heading(page, "Repo local").waitFor();
    assert.ok(existsSync(join(repoPath, "config")), "the repository was initialized");
    await screenshot(page, "repo");
  });

  it("adds a plan with path autocomplete and a schedule preview", async () => {
    await page.getByRole("link", { name: "Plans" }).click();
    await page.getByRole("link", { name: "Add plan" }).click();
    await heading(page, "New plan").waitFor();
    await page.getByLabel("Id").fill("documents");
    const path = page.getByRole("combobox", { name: "Paths 1" });
    await path.fill(`${dir}/doc`);
    const option = page.getByRole("option", { name: `${source}/` });
    await option.waitFor();
    await option.click();
    assert.equal(await path.inputValue(), source);

    await page.getByLabel("When").first().selectOption("cron");
    const cron = page.getByLabel("Cron expression");
    await cron.fill("0 3 * *");
    await page.getByText("This has 4 fields").waitFor();
    await cron.fill("0 3 * * *");
    await page.getByText("At 03:00").waitFor();
    const runs = page.getByTestId("next-runs").locator("li");
    await runs.nth(4).waitFor();
    assert.equal(await runs.count(), 5);
    for (const text of await runs.allTextContents()) assert.match(text, /3:00/);

    await page.getByLabel("Keep", { exact: true }).selectOption("policyKeepLastN");
    await page.getByLabel("Snapshots to keep").fill("3");
    await screenshot(page, "plan-form");
    await page.getByRole("button", { name: "Add plan" }).click();
    await heading(page, "Plan documents").waitFor();
    const cfg = (await callJson(daemon.url, "v1.Backrest/GetConfig", {}, auth)).body as {
      plans: { id: string; paths: string[]; schedule: { cron: string }; retention: object }[];
    };
    assert.deepEqual(cfg.plans[0]?.paths, [source]);
    assert.equal(cfg.plans[0]?.schedule.cron, "0 3 * * *");
    assert.deepEqual(cfg.plans[0]?.retention, { policyKeepLastN: 3 });
  });

  it("runs a backup and shows it finishing live", async () => {
    await page.getByRole("button", { name: "Run now" }).click();
    const started = page.getByRole("status").filter({ hasText: "Backup started" });
    await started.waitFor();
    const history = page.getByRole("region", { name: "History of plan documents" });
    const backupRow = history.locator(".op-row").filter({ hasText: "Backup" }).first();
    await backupRow.locator('[data-status="success"]').waitFor({ timeout: OPERATION_MS });
    await screenshot(page, "plan");
    await started.getByRole("link").click();
    await heading(page, "Operations").waitFor();
    const details = page.locator("[data-op-details]");
    await details.getByText("Data added").waitFor();
    await details.locator('[data-status="success"]').waitFor();
    await screenshot(page, "operations");
  });

  it("browses the snapshot and restores a file to a folder on disk", async () => {
    await page.getByRole("link", { name: "Snapshots" }).click();
    await heading(page, "Snapshots").waitFor();
    const rows = page.getByRole("table", { name: "Snapshots" }).locator("tbody tr");
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1);
    await rows.first().getByRole("button").click();
    for (const part of source.split("/").filter(Boolean)) {
      await page.getByRole("button", { name: `${part}/`, exact: true }).click();
      await page.locator("[aria-current=location]", { hasText: part }).waitFor();
    }
    const table = page.getByTestId("file-table");
    await table.getByText("file-2.txt").waitFor();
    await page.getByLabel("Select file-2.txt").check();
    const target = join(dir, "restored");
    await page.getByRole("combobox", { name: "Restore to" }).fill(target);
    await screenshot(page, "snapshots");
    await page.getByRole("button", { name: "Restore", exact: true }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Restore" }).click();
    const link = page.getByRole("status").filter({ hasText: "Restore started" }).getByRole("link");
    await link.waitFor();
    const opId = (await link.textContent())?.replace(/\D/g, "") ?? "";
    const op: OpJson = await waitForOperation(daemon.url, opId, auth);
    assert.equal(op.status, "STATUS_SUCCESS", op.displayMessage);
    const restored = readFileSync(join(target, source, "file-2.txt"), "utf8");
    assert.equal(restored, readFileSync(join(source, "file-2.txt"), "utf8"));

    // The same selection downloads through a signed link.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download" }).click(),
    ]);
    assert.equal(download.suggestedFilename(), "file-2.txt");
    const saved = join(dir, "downloaded.txt");
    await download.saveAs(saved);
    assert.equal(readFileSync(saved, "utf8"), readFileSync(join(source, "file-2.txt"), "utf8"));
    await link.click();
    await page.locator(`[data-op-details="${opId}"] [data-status="success"]`).waitFor();
  });

  it("changing the schedule updates the next runs, in the form and from the daemon", async () => {
    await page.goto(url("/plans/documents/edit"));
    await heading(page, "Edit plan documents").waitFor();
    // The retention preview over the plan's one snapshot, redone as the policy changes.
    await page.getByText("Preview: keeps 1 of 1 snapshots, forgets 0").waitFor();
    await page.getByLabel("Keep", { exact: true }).selectOption("policyTimeBucketed");
    await page.getByText("Preview: keeps 1 of 1 snapshots, forgets 0").waitFor();
    await page.getByLabel("Keep", { exact: true }).selectOption("policyKeepLastN");
    await page.getByLabel("Snapshots to keep").fill("3");
    await page.getByLabel("Cron expression").fill("30 4 * * *");
    await page.getByText("At 04:30").waitFor();
    const runs = page.getByTestId("next-runs").locator("li");
    await until(
      async () => (await runs.allTextContents()).every((t) => /4:30/.test(t)),
      "the next runs to show 4:30",
    );
    assert.equal(await runs.count(), 5);
    await page.getByRole("button", { name: "Save plan" }).click();
    await heading(page, "Plan documents").waitFor();
    await page.getByTestId("plan-next-run").filter({ hasText: /4:30/ }).waitFor();
  });

  it("shows every view, also at phone width and in dark mode", async () => {
    for (const [path, title, name] of [
      ["/", "Dashboard", "dashboard"],
      ["/plans", "Plans", "plans"],
      ["/repos", "Repos", "repos"],
      ["/settings", "Settings", "settings"],
      ["/plans/documents/edit", "Edit plan documents", ""],
      ["/repos/local/edit", "Edit repo local", ""],
      ["/snapshots", "Snapshots", ""],
      ["/operations", "Operations", ""],
    ] as const) {
      await page.goto(url(path));
      await heading(page, title).waitFor();
      if (name) await screenshot(page, name);
      // Every control has an accessible name.
      const unlabeled = await page.evaluate(UNLABELED_CONTROLS);
      assert.deepEqual(unlabeled, [], `unlabeled controls on ${path}`);
    }
    // The first Tab reaches the skip link, with a visible focus ring.
    await page.goto(url("/"));
    await heading(page, "Dashboard").waitFor();
    await page.keyboard.press("Tab");
    const focused = page.locator(":focus");
    assert.equal(await focused.textContent(), "Skip to content");
    assert.notEqual(await focused.evaluate("(el) => getComputedStyle(el).outlineStyle"), "none");
    const dashboard = page.locator('[data-plan="documents"]').first();
    await page.goto(url("/"));
    await dashboard.locator('[data-status="success"]').waitFor();
    for (const scheme of ["dark", "light"] as const) {
      const phone = await openPage(browser, { width: 390, height: 844, colorScheme: scheme });
      await phone.page.goto(url("/"));
      await phone.page.getByLabel("User name").fill(USER);
      await phone.page.getByLabel("Password").fill(PASSWORD);
      await phone.page.getByRole("button", { name: "Sign in" }).click();
      await heading(phone.page, "Dashboard").waitFor();
      await phone.page.locator('[data-plan="documents"]').first().waitFor();
      const overflow = Number(
        await phone.page.evaluate(
          "document.documentElement.scrollWidth - document.documentElement.clientWidth",
        ),
      );
      assert.ok(overflow <= 1, `the page is ${overflow}px wider than a phone`);
      await screenshot(phone.page, `dashboard-phone-${scheme}`);
      assert.deepEqual(
        phone.errors.filter((e) => !e.includes("Failed to load resource")),
        [],
      );
    }
  });

  it("manages users: a viewer sees no actions, a changed password keeps this tab signed in", async () => {
    await page.goto(url("/settings"));
    await heading(page, "Settings").waitFor();
    const add = page.locator("form", { has: page.getByRole("heading", { name: "Add a user" }) });
    await add.getByRole("button", { name: "Add user" }).click();
    await add.getByText("Enter a user name.").waitFor();
    await add.getByLabel("User name").fill("viewer1");
    await add.getByLabel("Password").fill("viewer password 1");
    await add.getByLabel("Role").selectOption("viewer");
    await add.getByRole("button", { name: "Add user" }).click();
    await page.locator('[data-user="viewer1"]').waitFor();

    const viewer = await openPage(browser);
    await viewer.page.goto(url("/plans/documents"));
    await viewer.page.getByLabel("User name").fill("viewer1");
    await viewer.page.getByLabel("Password").fill("viewer password 1");
    await viewer.page.getByRole("button", { name: "Sign in" }).click();
    await heading(viewer.page, "Plan documents").waitFor();
    await viewer.page.getByRole("heading", { name: "History" }).waitFor();
    assert.equal(await viewer.page.getByRole("button", { name: "Run now" }).count(), 0);
    assert.equal(await viewer.page.getByRole("link", { name: "Edit" }).count(), 0);
    await viewer.context.close();

    const admin = page.locator('[data-user="admin"]');
    await admin.getByRole("button", { name: "Change password" }).click();
    await page.getByLabel("New password for admin").fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Change password" }).first().click();
    await admin.getByRole("button", { name: "Change password" }).waitFor();
    // The old password's session ended; this tab signed in again with the new one.
    await page.goto(url("/repos"));
    await heading(page, "Repos").waitFor();
    const login = await callJson(daemon.url, "v1.Authentication/Login", {
      username: USER,
      password: NEW_PASSWORD,
    });
    assert.equal(login.status, 200, login.text);

    await page.goto(url("/settings"));
    await page.locator('[data-user="viewer1"]').getByRole("button", { name: "Remove" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Remove user" }).click();
    await page.locator('[data-user="viewer1"]').waitFor({ state: "detached" });
    await screenshot(page, "settings");
  });

  it("had no uncaught errors and no failed requests but the expected ones", () => {
    assert.deepEqual(
      errors.filter((e) => !e.includes("Failed to load resource")),
      [],
    );
    // Signed out: the config is refused; the wrong sign-in; the wrong repo password.
    const expected = new Set([
      "401 /v1.Backrest/GetConfig",
      "401 /v1.Authentication/WhoAmI",
      "401 /v1.Authentication/Login",
      "400 /v1.Backrest/AddRepo",
    ]);
    assert.deepEqual(
      failed.filter((f) => !expected.has(f)),
      [],
    );
    assert.ok(failed.includes("400 /v1.Backrest/AddRepo"));
  });
});
