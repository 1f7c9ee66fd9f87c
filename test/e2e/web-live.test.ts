/**
 * Live updates in the browser: one GetOperationEvents stream per browser, shared by its tabs
 * (another tab takes it over when the leading tab closes), and a resync after the stream
 * drops, so what happened meanwhile shows without a reload.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import type { Page } from "playwright-core";
import { OperationSchema, OperationStatus } from "../../gen/v1/operations_pb.js";
import { startDaemon } from "../../src/daemon.js";
import { silentLogger } from "../../src/log.js";
import { openSqliteOpStore } from "../../src/oplog/sqlite-store.js";
import {
  launchBrowser,
  screenshot,
  UI_TIMEOUT_MS,
  until,
  watchErrors,
} from "../helpers/browser.js";
import { startBackupFixture } from "../helpers/fixture.js";
import { callJson, waitForOperation } from "../helpers/http.js";

const STREAM = "/v1.Backrest/GetOperationEvents";

/** Starts a backup of plan1 through the API and waits until it has finished. */
async function backup(url: string): Promise<string> {
  const res = await callJson(url, "v1.Backrest/StartBackup", { value: "plan1" });
  assert.equal(res.status, 200, res.text);
  const id = (res.body as { operationId: string }).operationId;
  const op = await waitForOperation(url, id);
  assert.equal(op.status, "STATUS_SUCCESS");
  return id;
}

/** Waits until the page lists the finished backup `id`. */
async function shows(page: Page, id: string) {
  await page.locator(`[data-op-id="${id}"] [data-status="success"]`).waitFor();
}

describe("web UI live updates", async () => {
  const fx = await startBackupFixture({ files: 4 });
  const url = fx.daemon.url;
  const browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  // The fixture runs without users: skip the first-run page.
  await context.addInitScript({
    content: 'localStorage.setItem("restwell.firstRunDismissed", "1")',
  });
  let streams = 0;
  context.on("request", (req) => {
    if (new URL(req.url()).pathname === STREAM) streams++;
  });
  const first = await context.newPage();
  const errors = watchErrors(first);
  await first.goto(`${url}/operations?view=list`);
  await first.locator("[data-stream=live]").waitFor();
  const second = await context.newPage();
  const errors2 = watchErrors(second);
  await second.goto(`${url}/operations?view=list`);
  await second.locator("[data-stream=live]").waitFor();

  it("two tabs share one stream and both show a backup as it happens", async () => {
    const id = await backup(url);
    await shows(first, id);
    await shows(second, id);
    assert.equal(streams, 1, "one stream for the browser");
    await screenshot(second, "operations-live");
  });

  it("when the leading tab closes, another takes over the stream", async () => {
    await first.close();
    await until(async () => streams >= 2, "the remaining tab to open the stream");
    assert.equal(streams, 2, "one new stream");
    const id = await backup(url);
    await shows(second, id);
  });

  it("after a drop it reconnects and shows what happened meanwhile", async () => {
    // The daemon goes away (the stream drops); while it is down, the operation log changes;
    // no event can carry that change, only the resync after reconnecting can.
    await fx.daemon.stop();
    await second.locator("[data-stream=reconnecting]").waitFor();
    const ops = openSqliteOpStore(join(fx.daemon.dataDir, "oplog.sqlite"));
    const now = BigInt(Date.now());
    const [added] = ops.add(
      create(OperationSchema, {
        repoId: "local",
        planId: "plan1",
        instanceId: "test-host",
        status: OperationStatus.STATUS_SUCCESS,
        unixTimeStartMs: now,
        unixTimeEndMs: now,
        displayMessage: "made while the stream was down",
        op: { case: "operationBackup", value: {} },
      }),
    );
    ops.close();
    const restarted = await startDaemon({
      configPath: fx.daemon.configPath,
      dataDir: fx.daemon.dataDir,
      bindAddress: `127.0.0.1:${fx.daemon.port}`,
      resticCommand: "restic",
      resticEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root" },
      log: silentLogger,
    });
    after(() => restarted.stop());
    await second.locator("[data-stream=live]").waitFor();
    await shows(second, String(added?.id));
    await second.getByText("made while the stream was down").waitFor();
    assert.ok(streams >= 3, "a new stream was opened");
  });

  it("had no uncaught errors", () => {
    const real = [...errors, ...errors2].filter(
      (e) => !e.includes("Failed to load resource") && !e.includes("ERR_INTERNET_DISCONNECTED"),
    );
    assert.deepEqual(real, []);
  });
});
