/**
 * The typed TypeScript client (src/client) against a real daemon: the README's examples
 * (trigger a backup, wait for it with progress, list snapshots), over fetch and over gRPC,
 * and the browser entry bundled for browsers (no Node built-ins) and used.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { Code, ConnectError } from "@connectrpc/connect";
import { build } from "esbuild";
import {
  backupProgress,
  createClient,
  type Operation,
  OperationStatus,
} from "../../src/client/index.js";
import { createNodeClient } from "../../src/client/node.js";
import { callJson } from "../helpers/http.js";
import { startSlowResticDaemon } from "../helpers/slow-restic.js";
import { tempDir } from "../helpers/temp.js";

const ROOT = join(import.meta.dirname, "..", "..");
const USER = "me";
const PASSWORD = "client test password";

describe("TypeScript client", async () => {
  const { daemon } = await startSlowResticDaemon({
    instance: "client-test",
    planId: "docs",
    files: 8,
    user: USER,
    password: PASSWORD,
  });

  it("triggers a backup, follows its progress, waits for it and lists the snapshot (fetch)", async () => {
    const client = createClient(daemon.url, { user: USER, password: PASSWORD });
    const { operationId } = await client.backrest.startBackup({ value: "docs" });
    const updates: Operation[] = [];
    const op = await client.wait(operationId, { onUpdate: (u) => updates.push(u) });
    assert.equal(op.status, OperationStatus.STATUS_SUCCESS, op.displayMessage);
    assert.ok(
      updates.some((u) => backupProgress(u) !== undefined),
      "a progress report arrived on the event stream",
    );
    const { snapshots } = await client.backrest.listSnapshots({ repoId: "local", planId: "docs" });
    assert.equal(snapshots.length, 1);
    assert.ok(op.snapshotId && snapshots[0]?.id.startsWith(op.snapshotId));
  });

  it("works over gRPC with an API key (Node transport)", async () => {
    const created = await callJson(
      daemon.url,
      "v1.ApiKeys/CreateApiKey",
      { name: "ts-client", permissions: ["operations:read", "snapshots:read"] },
      { user: USER, password: PASSWORD },
    );
    const token = (created.body as { token: string }).token;
    const client = createNodeClient(daemon.url, { token }, { protocol: "grpc" });
    const who = await client.authentication.whoAmI({});
    assert.equal(who.kind, "key");
    assert.equal(who.name, "ts-client");
    const { operations } = await client.backrest.getOperations({ selector: { planId: "docs" } });
    assert.ok(operations.some((o) => o.op.case === "operationBackup"));
    await assert.rejects(
      client.backrest.startBackup({ value: "docs" }),
      (err: unknown) => ConnectError.from(err).code === Code.PermissionDenied,
    );
  });

  it("rejects missing and wrong credentials with unauthenticated", async () => {
    for (const auth of [undefined, { user: USER, password: "wrong" }]) {
      const client = createClient(daemon.url, auth);
      await assert.rejects(
        client.backrest.getConfig({}),
        (err: unknown) => ConnectError.from(err).code === Code.Unauthenticated,
      );
    }
  });

  it("the browser bundle has no Node built-ins and works with plain fetch", async () => {
    const result = await build({
      entryPoints: [join(ROOT, "src", "client", "index.ts")],
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      logLevel: "silent",
    });
    const code = result.outputFiles[0]?.text ?? "";
    assert.doesNotMatch(code, /from "node:|require\("node:/);
    const file = join(tempDir(), "restwell-client.mjs");
    writeFileSync(file, code);
    const bundled = (await import(
      pathToFileURL(file).href
    )) as typeof import("../../src/client/index.js");
    const client = bundled.createClient(daemon.url, { user: USER, password: PASSWORD });
    const cfg = await client.backrest.getConfig({});
    assert.equal(cfg.instance, "client-test");
  });

  it("wait rejects with not_found for an unknown operation", async () => {
    const client = createClient(daemon.url, { user: USER, password: PASSWORD });
    await assert.rejects(
      client.wait(987654321n),
      (err: unknown) => ConnectError.from(err).code === Code.NotFound,
    );
  });
});
