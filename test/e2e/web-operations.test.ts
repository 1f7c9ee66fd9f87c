/**
 * The operations view in real Chromium: thousands of operations in history (paged, only the
 * visible rows rendered, the tree grouped by flow), a running backup's live progress and its
 * cancellation, and an operation's log.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { Hook_Condition } from "../../gen/v1/config_pb.js";
import { OperationSchema, OperationStatus } from "../../gen/v1/operations_pb.js";
import { startDaemon } from "../../src/daemon.js";
import { silentLogger } from "../../src/log.js";
import { openSqliteOpStore } from "../../src/oplog/sqlite-store.js";
import { launchBrowser, openPage, screenshot, until } from "../helpers/browser.js";
import { initRepo, makeSourceTree, TEST_PASSWORD } from "../helpers/data.js";
import { tempDir } from "../helpers/temp.js";

/** Finished flows (a backup and its hook) written into the history before the daemon starts. */
const FLOWS = 1500;

function seedHistory(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  const store = openSqliteOpStore(join(dataDir, "oplog.sqlite"));
  const start = Date.now() - FLOWS * 3_600_000;
  try {
    for (let i = 0; i < FLOWS; i++) {
      const at = BigInt(start + i * 3_600_000);
      const common = {
        repoId: "local",
        planId: "slow",
        instanceId: "web-test",
        unixTimeStartMs: at,
        unixTimeEndMs: at + 1000n,
      };
      const [backup] = store.add(
        create(OperationSchema, {
          ...common,
          status: i % 10 === 0 ? OperationStatus.STATUS_ERROR : OperationStatus.STATUS_SUCCESS,
          displayMessage: i % 10 === 0 ? `seeded failure ${i}` : "",
          op: { case: "operationBackup", value: {} },
        }),
      );
      store.add(
        create(OperationSchema, {
          ...common,
          flowId: backup?.id ?? 0n,
          status: OperationStatus.STATUS_SUCCESS,
          op: {
            case: "operationRunHook",
            value: { name: "notify", condition: Hook_Condition.SNAPSHOT_END },
          },
        }),
      );
    }
  } finally {
    store.close();
  }
}

describe("web UI operations", async () => {
  const dir = tempDir();
  const repo = join(dir, "repo");
  await initRepo(repo);
  // restic's upload limit keeps the backup running long enough to watch and cancel it.
  const source = makeSourceTree(join(dir, "src"), { files: 4, bigBytes: 24 * 1024 * 1024 });
  const configPath = join(dir, "config.json");
  const dataDir = join(dir, "data");
  writeFileSync(
    configPath,
    JSON.stringify({
      instance: "web-test",
      repos: [{ id: "local", uri: repo, password: TEST_PASSWORD, flags: ["--limit-upload=1024"] }],
      plans: [{ id: "slow", repo: "local", paths: [source] }],
      auth: { disabled: true },
    }),
  );
  seedHistory(dataDir);
  const daemon = await startDaemon({
    configPath,
    dataDir,
    bindAddress: "127.0.0.1:0",
    resticCommand: "restic",
    resticEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root" },
    log: silentLogger,
  });
  after(() => daemon.stop());
  const browser = await launchBrowser();
  const { page, context, errors } = await openPage(browser);
  await context.addInitScript({
    content: 'localStorage.setItem("restwell.firstRunDismissed", "1")',
  });
  const scroller = page.locator(".op-scroller");
  const rowsAttr = async () => Number(await scroller.getAttribute("data-rows"));

  it("lists thousands of operations a page at a time, rendering only the visible rows", async () => {
    await page.goto(`${daemon.url}/operations?view=list`);
    await page.getByText("500 operations loaded (scroll for older)").waitFor();
    assert.equal(await rowsAttr(), 500);
    const rendered = await page.locator(".op-row").count();
    assert.ok(rendered > 5 && rendered < 60, `${rendered} rows in the DOM`);
    // Each time the end is reached the next (older) page loads, until all are there.
    const total = FLOWS * 2;
    for (let i = 0; i < 20 && (await rowsAttr()) < total; i++) {
      await scroller.hover();
      await page.mouse.wheel(0, 1_000_000);
      await page.waitForTimeout(250);
    }
    assert.equal(await rowsAttr(), total);
    await page.getByText(`${total} operations`, { exact: true }).waitFor();
    assert.ok((await page.locator(".op-row").count()) < 60);
    // The oldest operation is the last row.
    await page.mouse.wheel(0, 1_000_000);
    await page.getByText("seeded failure 0", { exact: true }).waitFor();
  });

  it("groups a flow's operations in the tree and moves between rows with the arrow keys", async () => {
    await page.goto(`${daemon.url}/operations`);
    await page.locator("[data-op-id]").first().waitFor();
    assert.equal(await rowsAttr(), 250, "500 operations are 250 flows");
    const first = page.locator(".op-row").first();
    await first.getByRole("button", { name: "Show 1 related operations" }).click();
    await page.locator(".op-row.child").getByText("Hook: notify").waitFor();
    assert.equal(await rowsAttr(), 251);
    await first.getByRole("link").focus();
    await page.keyboard.press("ArrowDown");
    assert.equal(
      await page.evaluate("document.activeElement.closest('.op-row').classList.contains('child')"),
      true,
    );
    await screenshot(page, "operations-tree");
  });

  it("shows a running backup's progress live and cancels it", async () => {
    await page.goto(`${daemon.url}/plans/slow`);
    await page.getByRole("button", { name: "Run now" }).click();
    await page.getByRole("status").filter({ hasText: "Backup started" }).getByRole("link").click();
    const details = page.locator("[data-op-details]");
    await details.locator('[data-status="running"]').waitFor();
    const bar = details.getByRole("progressbar");
    await bar.waitFor();
    await details.locator(".op-progress", { hasText: /files ·/ }).waitFor();
    // The bar moves as restic reports.
    const before = Number(await bar.getAttribute("aria-valuenow"));
    await until(
      async () => Number(await bar.getAttribute("aria-valuenow")) > before,
      "the progress bar to move",
    );
    await screenshot(page, "operation-running");
    await details.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Cancel operation" }).click();
    await details.locator('[data-status="cancelled"]').waitFor();
  });

  it("shows an operation's log", async () => {
    await page.goto(`${daemon.url}/repos/local`);
    await page.getByRole("button", { name: "Check" }).click();
    await page.getByRole("status").filter({ hasText: "Check started" }).getByRole("link").click();
    const details = page.locator("[data-op-details]");
    await details.locator('[data-status="success"]').waitFor();
    await details.getByText("(complete)").waitFor();
    await details
      .getByRole("log")
      .filter({ hasText: /no errors were found/ })
      .waitFor();
    await screenshot(page, "operation-log");
  });

  it("fits a phone's width", async () => {
    const phone = await openPage(browser, { width: 390, height: 844, colorScheme: "dark" });
    await phone.context.addInitScript({
      content: 'localStorage.setItem("restwell.firstRunDismissed", "1")',
    });
    await phone.page.goto(`${daemon.url}/operations`);
    await phone.page.locator("[data-op-id]").first().waitFor();
    const overflow = Number(
      await phone.page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth",
      ),
    );
    assert.ok(overflow <= 1, `the page is ${overflow}px wider than a phone`);
    await screenshot(phone.page, "operations-phone-dark");
  });

  it("had no uncaught errors", () => {
    assert.deepEqual(
      errors.filter((e) => !e.includes("Failed to load resource")),
      [],
    );
  });
});
