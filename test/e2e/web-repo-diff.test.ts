/**
 * The repo form's "Test connection" and the snapshots view's comparison in real Chromium
 * against the real daemon and real restic: a wrong password, then the right one, an empty
 * folder, an existing repo's redacted password; two snapshots compared by keyboard, a long
 * list rendered only where it is seen, at phone width in dark mode. Screenshots go to
 * test-output/screenshots/.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { launchBrowser, openPage, screenshot } from "../helpers/browser.js";
import { startTestDaemon } from "../helpers/daemon.js";
import { initRepo, listSnapshots, makeSourceTree, TEST_PASSWORD } from "../helpers/data.js";
import { callJson } from "../helpers/http.js";
import { tempDir } from "../helpers/temp.js";

/** Files the second snapshot adds in one new folder: more than the list renders at once. */
const ADDED_FILES = 400;
/** Lists the inputs, selects, textareas and buttons in the page that have no accessible name. */
const UNLABELED_CONTROLS = `[...document.querySelectorAll("input, select, textarea, button")]
  .filter((el) => !(el.labels?.length || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || (el.tagName === "BUTTON" && el.textContent.trim())))
  .map((el) => el.outerHTML.slice(0, 120))`;
const OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth";

describe("web UI: repo connection test and snapshot comparison", async () => {
  const dir = tempDir();
  const repoPath = join(dir, "repo");
  const otherRepo = join(dir, "other-repo");
  const emptyFolder = join(dir, "empty");
  mkdirSync(emptyFolder);
  await initRepo(repoPath);
  await initRepo(otherRepo, "the other password");
  // file-0.txt and file-2.txt at the top, file-1.txt and file-3.txt in sub/.
  const source = makeSourceTree(join(dir, "docs"), { files: 4 });
  const daemon = await startTestDaemon({
    version: 4,
    instance: "web-diff",
    repos: [{ id: "local", uri: repoPath, password: TEST_PASSWORD }],
    plans: [{ id: "docs", repo: "local", paths: [source] }],
    auth: { disabled: true },
  });
  const backup = async () => {
    const res = await callJson(daemon.url, "v1.Backrest/Backup", { value: "docs" });
    assert.equal(res.status, 200, res.text);
  };
  await backup();
  writeFileSync(join(source, "file-0.txt"), "changed content\n");
  rmSync(join(source, "sub", "file-1.txt"));
  mkdirSync(join(source, "many"));
  for (let i = 0; i < ADDED_FILES; i++)
    writeFileSync(join(source, "many", `n-${String(i).padStart(3, "0")}.txt`), `${i}\n`);
  await backup();
  const [older, newer] = await listSnapshots(repoPath);
  assert.ok(older && newer, "two snapshots");
  const configBefore = readFileSync(daemon.configPath, "utf8");

  const browser = await launchBrowser();
  const { page, context, errors } = await openPage(browser);
  await context.addInitScript({
    content: 'localStorage.setItem("restwell.firstRunDismissed", "1")',
  });
  const url = (path: string) => `${daemon.url}${path}`;
  const heading = (p: Page, name: string | RegExp) => p.getByRole("heading", { level: 1, name });
  const result = page.getByTestId("repo-test");
  const testButton = page.getByRole("button", { name: "Test connection" });

  it("tests a new repo: a wrong password, then the right one, then an empty folder", async () => {
    await page.goto(url("/repos/new"));
    await heading(page, "New repo").waitFor();
    // Only the connection fields are checked before a test; the id may still be empty.
    await testButton.click();
    await result.getByText("Not tested.").waitFor();
    await page.getByText("Enter where the repository is.").waitFor();
    assert.equal(await page.getByText("Use letters, digits").count(), 0);

    await page.getByLabel("Location (URI)").fill(otherRepo);
    await page.getByLabel("Password", { exact: true }).fill("not the password");
    await testButton.click();
    await result.getByText("Wrong password.").waitFor();
    assert.match((await result.textContent()) ?? "", /check the repo's password/);
    assert.doesNotMatch((await result.textContent()) ?? "", /not the password/);
    await screenshot(page, "repo-test-wrong-password");

    await page.getByLabel("Password", { exact: true }).fill("the other password");
    // An edit clears the result of the test before it.
    assert.equal(await result.textContent(), "");
    await testButton.click();
    await result.getByText("Connected.").waitFor();
    assert.match((await result.textContent()) ?? "", /holds 0 snapshots/);
    assert.equal(await result.locator("[data-tone]").getAttribute("data-tone"), "ok");
    await screenshot(page, "repo-test-ok");

    await page.getByLabel("Location (URI)").fill(emptyFolder);
    await testButton.click();
    await result.getByText("No repository there yet.").waitFor();
    assert.match((await result.textContent()) ?? "", /initializes a new one/);
  });

  it("tests an existing repo with its stored (redacted) password", async () => {
    await page.goto(url("/repos/local/edit"));
    await heading(page, "Edit repo local").waitFor();
    assert.equal(await page.getByLabel("Password", { exact: true }).inputValue(), "<redacted>");
    await testButton.click();
    await result.getByText("Connected.").waitFor();
    assert.match((await result.textContent()) ?? "", /holds 2 snapshots/);
    // Testing saved nothing.
    assert.equal(readFileSync(daemon.configPath, "utf8"), configBefore);
  });

  it("compares two snapshots chosen by keyboard and lists their changes", async () => {
    await page.goto(url("/snapshots?repo=local"));
    await heading(page, "Snapshots").waitFor();
    const compare = page.getByRole("button", { name: "Compare selected snapshots" });
    assert.equal(await compare.isDisabled(), true);
    for (const s of [newer, older]) {
      await page.getByLabel(`Compare snapshot ${s.id.slice(0, 8)}`).focus();
      await page.keyboard.press("Space");
    }
    await compare.focus();
    assert.notEqual(
      await compare.evaluate("(el) => getComputedStyle(el).outlineStyle"),
      "none",
      "the focused button shows its focus",
    );
    await page.keyboard.press("Enter");
    const panel = page.getByTestId("snapshot-diff");
    await panel
      .getByRole("heading", {
        name: `Changes from ${older.id.slice(0, 8)} to ${newer.id.slice(0, 8)}`,
      })
      .waitFor();
    const totals = panel.getByTestId("diff-totals");
    await totals.waitFor();
    const text = (await totals.textContent()) ?? "";
    assert.match(text, new RegExp(`Files${ADDED_FILES} added, 1 removed, 1 modified`));
    assert.match(text, /Folders1 added, 0 removed/);
    const list = panel.getByRole("region", { name: `Changed paths (${ADDED_FILES + 3})` });
    const row = (path: string) =>
      list.locator("li").filter({ has: page.getByText(path, { exact: true }) });
    assert.equal(await row(`${source}/file-0.txt`).getAttribute("data-modifier"), "M");
    assert.equal(await row(`${source}/many/`).getAttribute("data-modifier"), "+");
    const rendered = await list.locator("li").count();
    assert.ok(rendered > 5 && rendered < 100, `${rendered} rows in the page`);
    await screenshot(page, "snapshot-diff");
    assert.deepEqual(await page.evaluate(UNLABELED_CONTROLS), [], "unlabeled controls");

    // The list scrolls by keyboard; End brings its last path (the removed one) into view,
    // Home its first.
    await list.focus();
    await page.keyboard.press("End");
    const removed = row(`${source}/sub/file-1.txt`);
    await removed.waitFor();
    assert.equal(await removed.getAttribute("data-modifier"), "-");
    await page.keyboard.press("Home");
    await list.locator('li[aria-posinset="1"]').waitFor();

    // Narrowed to one kind of change.
    await panel.getByLabel("Show").selectOption("removed");
    await panel.getByRole("region", { name: "Changed paths (1)" }).waitFor();
    assert.equal(await list.locator("li").count(), 0, "the full list is gone");
  });

  it("fits a phone's width in dark mode", async () => {
    const phone = await openPage(browser, { width: 390, height: 844, colorScheme: "dark" });
    await phone.context.addInitScript({
      content: 'localStorage.setItem("restwell.firstRunDismissed", "1")',
    });
    await phone.page.goto(url(`/snapshots?repo=local&from=${older.id}&to=${newer.id}`));
    await phone.page.getByTestId("diff-totals").waitFor();
    await phone.page.locator(".diff-row").first().waitFor();
    const overflow = Number(await phone.page.evaluate(OVERFLOW));
    assert.ok(overflow <= 1, `the page is ${overflow}px wider than a phone`);
    await screenshot(phone.page, "snapshot-diff-phone-dark");
    await phone.page.goto(url("/repos/local/edit"));
    await phone.page.getByRole("button", { name: "Test connection" }).click();
    await phone.page.getByTestId("repo-test").getByText("Connected.").waitFor();
    assert.ok(Number(await phone.page.evaluate(OVERFLOW)) <= 1, "the form fits a phone");
    await screenshot(phone.page, "repo-test-phone-dark");
    assert.deepEqual(
      phone.errors.filter((e) => !e.includes("Failed to load resource")),
      [],
    );
  });

  it("had no uncaught errors", () => {
    assert.deepEqual(
      errors.filter((e) => !e.includes("Failed to load resource")),
      [],
    );
  });
});
