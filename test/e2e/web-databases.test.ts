/**
 * Database sources in the web UI, in real Chromium against the real daemon and restic: the
 * plan form's Databases section (checked before sending, a stored password kept redacted),
 * and a database snapshot restored into a new SQLite file from the snapshots page.
 * Screenshots go to test-output/screenshots/.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import type { Page } from "playwright-core";
import { launchBrowser, openPage, screenshot } from "../helpers/browser.js";
import { startTestDaemon } from "../helpers/daemon.js";
import { initRepo, makeSourceTree, TEST_PASSWORD } from "../helpers/data.js";
import { callJson, type OpJson, waitForOperation } from "../helpers/http.js";
import { tempDir } from "../helpers/temp.js";

const DB_PASSWORD = "pg-web-secret-7Hq";
/** Lists the inputs, selects, textareas and buttons in the page that have no accessible name. */
const UNLABELED_CONTROLS = `[...document.querySelectorAll("input, select, textarea, button")]
  .filter((el) => !(el.labels?.length || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || (el.tagName === "BUTTON" && el.textContent.trim())))
  .map((el) => el.outerHTML.slice(0, 120))`;

function rows(path: string): unknown[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT * FROM notes ORDER BY id").all();
  } finally {
    db.close();
  }
}

describe("web UI: database sources", async () => {
  const dir = tempDir();
  const repoPath = join(dir, "repo");
  await initRepo(repoPath);
  const sqlitePath = join(dir, "notes.db");
  const db = new Database(sqlitePath);
  db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, data BLOB)");
  db.prepare("INSERT INTO notes VALUES (?, ?, ?)").run(1, "Grüße ✓", Buffer.from([0, 1, 255]));
  db.close();
  const daemon = await startTestDaemon({
    version: 4,
    instance: "web-db",
    repos: [{ id: "local", uri: repoPath, password: TEST_PASSWORD }],
    plans: [
      { id: "docs", repo: "local", paths: [makeSourceTree(join(dir, "docs"), { files: 2 })] },
      {
        id: "secured",
        repo: "local",
        databases: [
          { name: "app", kind: "KIND_POSTGRESQL", database: "app", password: DB_PASSWORD },
        ],
      },
    ],
    auth: { disabled: true },
  });
  const browser = await launchBrowser();
  const { page, context, errors } = await openPage(browser);
  await context.addInitScript({
    content: 'localStorage.setItem("restwell.firstRunDismissed", "1")',
  });
  const url = (path: string) => `${daemon.url}${path}`;
  const heading = (p: Page, name: string | RegExp) => p.getByRole("heading", { level: 1, name });
  const source = (i: number) => page.locator(`fieldset[data-database="${i}"]`);

  it("adds a plan that backs up a SQLite database, checking the source before sending", async () => {
    await page.goto(url("/plans/new"));
    await heading(page, "New plan").waitFor();
    await page.getByLabel("Id").fill("lite");
    await page.getByRole("button", { name: "Remove Paths 1" }).click();
    await page.getByRole("button", { name: "Add database" }).click();
    await source(0).getByLabel("Name", { exact: true }).fill("notes");
    await source(0).getByLabel("Kind").selectOption({ label: "SQLite file" });
    assert.equal(await source(0).getByLabel("Password", { exact: true }).count(), 0);
    await source(0).getByLabel("SQLite file").fill("notes.db");
    await page.getByRole("button", { name: "Add plan" }).click();
    await source(0).getByText("Use an absolute path (starting with /).").waitFor();
    await source(0).getByLabel("SQLite file").fill(sqlitePath);
    await screenshot(page, "plan-form-databases");
    await page.getByRole("button", { name: "Add plan" }).click();
    await heading(page, "Plan lite").waitFor();
    const cfg = (await callJson(daemon.url, "v1.Backrest/GetConfig", {})).body as {
      plans: { id: string; paths?: string[]; databases?: object[] }[];
    };
    const plan = cfg.plans.find((p) => p.id === "lite");
    assert.equal(plan?.paths, undefined);
    assert.deepEqual(plan?.databases, [
      { name: "notes", kind: "KIND_SQLITE", database: sqlitePath },
    ]);
  });

  it("keeps a stored database password redacted in the form, and stored on save", async () => {
    await page.goto(url("/plans/secured/edit"));
    await heading(page, /Edit plan secured/).waitFor();
    const password = source(0).getByLabel("Password", { exact: true });
    assert.equal(await password.inputValue(), "<redacted>");
    assert.equal(await password.getAttribute("type"), "password");
    await source(0).getByLabel("Port").fill("70000");
    await page.getByRole("button", { name: "Save plan" }).click();
    await source(0).getByText("Use a port from 1 to 65535, or 0 for the default.").waitFor();
    await source(0).getByLabel("Port").fill("5433");
    await page.getByRole("button", { name: "Save plan" }).click();
    await heading(page, "Plan secured").waitFor();
    const stored = JSON.parse(readFileSync(daemon.configPath, "utf8")) as {
      plans: { id: string; databases?: { password?: string; port?: number }[] }[];
    };
    const saved = stored.plans.find((p) => p.id === "secured")?.databases?.[0];
    assert.equal(saved?.password, DB_PASSWORD, "the stored password was kept");
    assert.equal(saved?.port, 5433);
    assert.ok(!(await page.content()).includes(DB_PASSWORD));
  });

  it("shows a database snapshot and restores it into a new SQLite file", async () => {
    const backup = await callJson(daemon.url, "v1.Backrest/Backup", { value: "lite" });
    assert.equal((backup.body as OpJson).status, "STATUS_SUCCESS", backup.text);
    await page.goto(url("/snapshots?repo=local&plan=lite"));
    await heading(page, "Snapshots").waitFor();
    const row = page.getByRole("table", { name: "Snapshots" }).locator("tbody tr").first();
    await row.getByText("database notes: /notes.sql").waitFor();
    await row.getByRole("button").first().click();
    const card = page.getByRole("region", { name: "Restore into database" });
    await card.waitFor();
    // The source's own file holds a table: the daemon refuses, and says why.
    await card.getByRole("button", { name: "Restore into database" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Restore" }).click();
    await card.getByText(/already holds 1 table or view/).waitFor();
    const target = join(dir, "restored.db");
    await card.getByLabel("Target SQLite file").fill(target);
    await screenshot(page, "snapshot-database");
    await card.getByRole("button", { name: "Restore into database" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Restore" }).click();
    const link = card.getByRole("status").getByRole("link");
    await link.waitFor();
    const opId = (await link.textContent())?.replace(/\D/g, "") ?? "";
    const op = await waitForOperation(daemon.url, opId);
    assert.equal(op.status, "STATUS_SUCCESS", op.displayMessage);
    assert.deepEqual(rows(target), rows(sqlitePath));
    await link.click();
    const details = page.locator(`[data-op-details="${opId}"]`);
    await details.getByText("Loaded into").waitFor();
    await details.locator("dd", { hasText: target }).first().waitFor();
  });

  it("labels every control and had no uncaught errors", async () => {
    await page.goto(url("/plans/secured/edit"));
    await heading(page, /Edit plan secured/).waitFor();
    assert.deepEqual(await page.evaluate(UNLABELED_CONTROLS), []);
    assert.deepEqual(
      errors.filter((e) => !/status of (400|412)/.test(e)),
      [],
    );
  });
});
