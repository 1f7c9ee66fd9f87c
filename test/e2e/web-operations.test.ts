/**
 * The operations view in real Chromium: thousands of operations in history (paged with a
 * before_id cursor, each shown once, only the visible rows rendered, the tree grouped by flow), a running backup's live progress and its
 * cancellation, and an operation's log.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { create, fromBinary } from "@bufbuild/protobuf";
import type { Page, Response } from "playwright-core";
import { Hook_Condition } from "../../gen/v1/config_pb.js";
import {
  OperationListSchema,
  OperationSchema,
  OperationStatus,
} from "../../gen/v1/operations_pb.js";
import { GetOperationsRequestSchema } from "../../gen/v1/service_pb.js";
import { startDaemon } from "../../src/daemon.js";
import { silentLogger } from "../../src/log.js";
import { openSqliteOpStore } from "../../src/oplog/sqlite-store.js";
import { launchBrowser, openPage, screenshot, until } from "../helpers/browser.js";
import { initRepo, makeSourceTree, TEST_PASSWORD } from "../helpers/data.js";
import { callJson, type OpJson, waitForOperation } from "../helpers/http.js";
import { tempDir } from "../helpers/temp.js";

/** Finished flows (a backup and its hook) written into the history before the daemon starts. */
const FLOWS = 1500;
/** Operations a page of the list loads (useOpList's default). */
const PAGE = 500;

/** A GetOperations call of the operation list, decoded from the wire (binary protobuf). */
interface Exchange {
  beforeId?: bigint;
  lastN: bigint;
  ids: bigint[];
}

/** Records the page's GetOperations calls that list operations (not those reading one by id). */
function recordGetOperations(page: Page) {
  const seen: Promise<Exchange | undefined>[] = [];
  const onResponse = (res: Response) => {
    if (!res.url().endsWith("/v1.Backrest/GetOperations")) return;
    seen.push(
      res.body().then((body) => {
        const req = fromBinary(
          GetOperationsRequestSchema,
          res.request().postDataBuffer() ?? new Uint8Array(),
        );
        if (req.selector?.ids.length) return undefined;
        const ids = fromBinary(OperationListSchema, body).operations.map((op) => op.id);
        return { beforeId: req.selector?.beforeId, lastN: req.lastN, ids };
      }),
    );
  };
  page.on("response", onResponse);
  return {
    /** Stops recording; the calls so far, in the order they were answered. */
    async stop(): Promise<Exchange[]> {
      page.off("response", onResponse);
      return (await Promise.all(seen)).filter((e): e is Exchange => e !== undefined);
    },
  };
}

/**
 * Scrolls the virtualized list from top to bottom a screen at a time; returns the operation id
 * of every row index rendered on the way (only a screenful is ever in the DOM).
 */
async function readRenderedRows(page: Page): Promise<bigint[]> {
  const byIndex = (await page.evaluate(`(async () => {
    const scroller = document.querySelector(".op-scroller");
    const seen = {};
    scroller.scrollTop = 0;
    for (;;) {
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      for (const row of scroller.querySelectorAll(".op-row")) seen[row.dataset.index] = row.dataset.opId;
      if (scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 1) return seen;
      scroller.scrollTop += scroller.clientHeight;
    }
  })()`)) as Record<string, string>;
  const count = Object.keys(byIndex).length;
  return Array.from({ length: count }, (_, i) => {
    const id = byIndex[String(i)];
    assert.ok(id !== undefined, `row ${i} was never rendered`);
    return BigInt(id);
  });
}

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
  /** The ids of every stored operation, ascending, read through the API. */
  const allOperationIds = async () => {
    const res = await callJson(daemon.url, "v1.Backrest/GetOperations", {});
    assert.equal(res.status, 200, res.text);
    return ((res.body as { operations: OpJson[] }).operations ?? []).map((op) => BigInt(op.id));
  };

  it("pages through thousands of operations with a cursor, showing each once, live on top", async () => {
    const exchanges = recordGetOperations(page);
    await page.goto(`${daemon.url}/operations?view=list`);
    await page.getByText(`${PAGE} operations loaded (scroll for older)`).waitFor();
    assert.equal(await rowsAttr(), PAGE);
    const rendered = await page.locator(".op-row").count();
    assert.ok(rendered > 5 && rendered < 60, `${rendered} rows in the DOM`);
    const scrollToEnd = async () => {
      await scroller.hover();
      await page.mouse.wheel(0, 1_000_000);
    };
    await scrollToEnd();
    await until(async () => (await rowsAttr()) === 2 * PAGE, "the second page");

    // An operation started between pages shows on top at once; the pages below go on.
    const res = await callJson(daemon.url, "v1.Backrest/DoRepoTask", {
      repoId: "local",
      task: "TASK_STATS",
    });
    assert.equal(res.status, 200, res.text);
    const statsId = (res.body as { operationId: string }).operationId;
    await until(async () => (await rowsAttr()) === 2 * PAGE + 1, "the new operation's row");
    await waitForOperation(daemon.url, statsId);

    // Each time the end is reached the next (older) page loads, until all are there.
    const growth: number[] = [await rowsAttr()];
    const done = page.getByText(/^\d+ operations$/);
    while (!(await done.isVisible())) {
      assert.ok(growth.length <= FLOWS, `rows: ${growth.join(" → ")}`);
      const before = growth.at(-1);
      await scrollToEnd();
      await until(
        async () => (await rowsAttr()) !== before || (await done.isVisible()),
        "the next page (or the end)",
      );
      const rows = await rowsAttr();
      if (rows !== before) growth.push(rows);
    }
    const all = await allOperationIds();
    assert.ok(all.length > FLOWS * 2, `${all.length} operations stored`);
    assert.equal(await done.textContent(), `${all.length} operations`);
    assert.equal(await rowsAttr(), all.length);
    // One page more at a time, never the whole list again.
    for (let i = 1; i < growth.length; i++)
      assert.equal((growth[i] ?? 0) - (growth[i - 1] ?? 0), PAGE, `rows: ${growth.join(" → ")}`);
    assert.ok((await page.locator(".op-row").count()) < 60);
    // The oldest operation is the last row.
    await page.mouse.wheel(0, 1_000_000);
    await page.getByText("seeded failure 0", { exact: true }).waitFor();

    // Every stored operation was shown, once, newest first: read the rows off the screen.
    const shown = await readRenderedRows(page);
    assert.equal(shown.length, all.length, "every row index was rendered");
    assert.equal(new Set(shown).size, shown.length, "no operation shown twice");
    assert.deepEqual(shown, all.slice().reverse());
    assert.equal(shown[0], BigInt(statsId));

    // The first request read the newest page; each later one the page below the oldest id
    // loaded so far (before_id), a page long; together they hold every seeded operation once.
    const pages = await exchanges.stop();
    assert.ok(pages.length >= 2, `${pages.length} GetOperations requests`);
    const [first, ...older] = pages as [Exchange, ...Exchange[]];
    assert.equal(first.beforeId, undefined);
    let oldest = first.ids.reduce((a, b) => (a < b ? a : b));
    for (const p of [first, ...older]) assert.equal(p.lastN, BigInt(PAGE));
    for (const p of older) {
      assert.equal(p.beforeId, oldest, "the cursor is the oldest id loaded");
      assert.ok(p.ids.every((id) => id < oldest));
      oldest = p.ids.reduce((a, b) => (a < b ? a : b), oldest);
    }
    const paged = pages.flatMap((p) => p.ids);
    assert.equal(new Set(paged).size, paged.length, "no page repeats an operation");
    assert.deepEqual(
      paged.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      all.filter((id) => id !== BigInt(statsId)),
    );
    assert.equal(older.length, Math.floor((FLOWS * 2) / PAGE), "a request per page");

    // Deleted operations leave the list live too (and the tree below sees only seeded flows).
    const clear = await callJson(daemon.url, "v1.Backrest/ClearHistory", {
      selector: { ids: [statsId] },
    });
    assert.equal(clear.status, 200, clear.text);
    await until(async () => (await rowsAttr()) === all.length - 1, "the deleted row to go");
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
    // The row below takes focus in the next animation frame (after scrolling to it).
    await until(
      async () =>
        (await page.evaluate(
          "document.activeElement?.closest('.op-row')?.classList.contains('child') === true",
        )) === true,
      "focus on the child row",
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
