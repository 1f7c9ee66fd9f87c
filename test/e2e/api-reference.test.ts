/**
 * GET /openapi.json and GET /docs/api on a real daemon with authentication on: both need no
 * credentials; the document lists exactly the unary RPCs the daemon answers; real Connect
 * JSON responses (after a real backup) and error bodies validate against its schemas; the
 * docs page loads only same-origin files, and in real Chromium (when installed) renders the
 * operations and sends a "try it" call with basic credentials, never leaving the origin.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import type { DescService } from "@bufbuild/protobuf";
import { file_v1_access } from "../../gen/v1/access_pb.js";
import { file_v1_authentication } from "../../gen/v1/authentication_pb.js";
import { file_v1_service } from "../../gen/v1/service_pb.js";
import { hashPassword } from "../../src/auth/password.js";
import { scalarBundlePath } from "../../src/server/docs-route.js";
import { startBackupFixture } from "../helpers/fixture.js";
import { callJson, rawRequest } from "../helpers/http.js";
import { resolvePointer, type Schema, validate } from "../helpers/json-schema.js";

const CHROMIUM = "/usr/bin/chromium";
const USER = { user: "alice", password: "pw" };

interface Operation {
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: Schema }> }>;
}
interface Doc {
  paths: Record<string, { post: Operation }>;
}

/** Raw GET (no automatic decompression), for checking encodings and bytes. */
const rawGet = (url: string, headers: Record<string, string> = {}) => rawRequest(url, { headers });

describe("API reference", async () => {
  const fx = await startBackupFixture({
    files: 5,
    auth: { users: [{ name: "alice", passwordBcrypt: await hashPassword("pw") }] },
  });
  const { url } = fx.daemon;
  const res = await fetch(`${url}/openapi.json`);
  const doc = (await res.json()) as Doc;

  /** The schema of a response of an operation, with component references resolved. */
  function responseSchema(path: string, status: string): Schema {
    let response = doc.paths[path]?.post.responses[status];
    if (response?.$ref) response = resolvePointer(doc, response.$ref) as typeof response;
    const schema = response?.content?.["application/json"]?.schema;
    assert.ok(schema, `${path} documents a ${status} response`);
    return schema;
  }

  it("serves the document without credentials, with an ETag and gzip", async () => {
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    const etag = res.headers.get("etag");
    assert.ok(etag);
    const again = await rawGet(`${url}/openapi.json`, { "if-none-match": etag });
    assert.equal(again.status, 304);
    const gz = await rawGet(`${url}/openapi.json`, { "accept-encoding": "gzip" });
    assert.equal(gz.headers["content-encoding"], "gzip");
    assert.deepEqual(JSON.parse(gunzipSync(gz.body).toString("utf8")), doc);
    const post = await fetch(`${url}/openapi.json`, { method: "POST" });
    assert.equal(post.status, 405);
  });

  it("lists exactly the unary RPCs the daemon answers", async () => {
    const declared: DescService[] = [
      file_v1_service,
      file_v1_authentication,
      file_v1_access,
    ].flatMap((f) => f.services);
    const served: string[] = [];
    for (const service of declared) {
      for (const method of service.methods.filter((m) => m.methodKind === "unary")) {
        const path = `${service.typeName}/${method.name}`;
        // Unserved paths fall through to the 404 route; served ones answer (401 without credentials).
        const probe = await callJson(url, path, {});
        if (probe.status !== 404 || probe.headers.get("content-type")?.includes("json")) {
          served.push(`/${path}`);
        }
      }
    }
    for (const s of [
      "/v1.Backrest/GetConfig",
      "/v1.Backrest/Backup",
      "/v1.Authentication/WhoAmI",
      "/v1.ApiKeys/CreateApiKey",
      "/v1.Audit/ListAuditEvents",
    ]) {
      assert.ok(served.includes(s), `${s} is served`);
    }
    // Besides the RPCs, the document has the plain upload route (checked below).
    const rpcs = Object.keys(doc.paths).filter((p) => p !== "/v1/upload/{planId}");
    assert.deepEqual(rpcs.sort(), served.sort());
  });

  it("describes the JSON that real calls return", async () => {
    const backup = await callJson(url, "v1.Backrest/Backup", { value: "plan1" }, USER);
    assert.equal(backup.status, 200, backup.text);
    const calls: [string, unknown][] = [
      ["v1.Backrest/Backup", { value: "plan1" }],
      ["v1.Backrest/GetConfig", {}],
      ["v1.Backrest/GetOperations", { selector: { planId: "plan1" } }],
      ["v1.Backrest/ListSnapshots", { repoId: "local" }],
      ["v1.Backrest/GetSummaryDashboard", {}],
      ["v1.Backrest/GetStorageUsage", {}],
      ["v1.Authentication/WhoAmI", {}],
      ["v1.Authentication/HashPassword", { value: "secret" }],
      ["v1.ApiKeys/ListApiKeys", {}],
      ["v1.Audit/ListAuditEvents", {}],
    ];
    let checked = 0;
    for (const [path, body] of calls) {
      if (!doc.paths[`/${path}`]) continue;
      const reply = await callJson(url, path, body, USER);
      if (reply.status === 501) continue; // declared but not implemented yet
      assert.equal(reply.status, 200, `${path}: ${reply.text}`);
      assert.deepEqual(validate(reply.body, responseSchema(`/${path}`, "200"), doc), [], path);
      checked++;
    }
    assert.ok(checked >= 6, `checked ${checked} responses`);
    const ops = (await callJson(url, "v1.Backrest/GetOperations", {}, USER)).body as {
      operations: { operationBackup?: object; snapshotId?: string }[];
    };
    assert.ok(
      ops.operations.some((o) => o.operationBackup && o.snapshotId),
      "a real backup",
    );
  });

  it("describes the error bodies", async () => {
    const missing = await callJson(url, "v1.Backrest/Backup", { value: "nope" }, USER);
    assert.equal(missing.status, 404);
    assert.deepEqual(validate(missing.body, responseSchema("/v1.Backrest/Backup", "404"), doc), []);
    const anonymous = await callJson(url, "v1.Backrest/GetConfig", {});
    assert.equal(anonymous.status, 401);
    const schema401 = responseSchema("/v1.Backrest/GetConfig", "401");
    assert.deepEqual(validate(anonymous.body, schema401, doc), []);
    // The per-status schema pins the codes: a 404 body is not a valid 401 body.
    assert.notDeepEqual(validate(missing.body, schema401, doc), []);
  });

  it("describes what a real upload answers, and its errors", async () => {
    const authorization = `Basic ${Buffer.from(`${USER.user}:${USER.password}`).toString("base64")}`;
    const upload = (path: string) =>
      fetch(`${url}${path}`, { method: "POST", headers: { authorization }, body: "reference\n" });
    const ok = await upload("/v1/upload/plan1?filename=reference.txt");
    const okBody = await ok.json();
    assert.equal(ok.status, 201, JSON.stringify(okBody));
    const path = "/v1/upload/{planId}";
    assert.deepEqual(validate(okBody, responseSchema(path, "201"), doc), []);
    const missing = await upload("/v1/upload/nope?filename=x.txt");
    assert.equal(missing.status, 404);
    assert.deepEqual(validate(await missing.json(), responseSchema(path, "404"), doc), []);
  });

  it("serves the docs page and Scalar's bundle from the daemon itself", async () => {
    const page = await fetch(`${url}/docs/api`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
    assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'self'/);
    const html = await page.text();
    assert.doesNotMatch(html, /https?:\/\//, "no absolute URLs");
    const sources = [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"/g)].map(
      (m) => m[1] ?? "",
    );
    assert.equal(sources.length, 2);
    for (const src of sources) assert.match(src, /^\/(?!\/)/, `${src} is same-origin`);

    const bundleUrl = `${url}${sources.find((s) => s.startsWith("/docs/api/scalar.js"))}`;
    const bundle = await rawGet(bundleUrl, { "accept-encoding": "gzip" });
    assert.equal(bundle.status, 200);
    assert.match(String(bundle.headers["content-type"]), /^text\/javascript/);
    assert.match(String(bundle.headers["cache-control"]), /max-age=31536000/);
    assert.equal(bundle.headers["content-encoding"], "gzip");
    assert.ok(gunzipSync(bundle.body).equals(readFileSync(scalarBundlePath())));
    const etag = String(bundle.headers.etag);
    assert.equal((await rawGet(bundleUrl, { "if-none-match": etag })).status, 304);

    const init = await fetch(`${url}${sources.find((s) => s.startsWith("/docs/api/init.js"))}`);
    assert.match(init.headers.get("content-type") ?? "", /^text\/javascript/);
    assert.match(await init.text(), /"url":"\/openapi\.json"/);
  });

  it("renders in Chromium and tries a call with basic credentials, without leaving the origin", {
    skip: !existsSync(CHROMIUM) && "no /usr/bin/chromium",
    timeout: 120_000,
  }, async () => {
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-quic",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    try {
      const page = await browser.newPage();
      const foreign: string[] = [];
      const errors: string[] = [];
      page.on("pageerror", (err) => errors.push(err.message));
      await page.route("**/*", (route) => {
        const target = route.request().url();
        if (new URL(target).origin === url) return route.continue();
        foreign.push(target);
        return route.abort();
      });
      await page.goto(`${url}/docs/api`);
      await page.getByText("GetConfig").first().waitFor({ timeout: 60_000 });
      await page.getByText("ListSnapshots").first().waitFor({ timeout: 10_000 });

      // Scalar's authentication form (basicAuth is preselected), then "Test Request" > Send.
      for (const [label, value] of [
        ["Username", USER.user],
        ["Password", USER.password],
      ]) {
        const field = page.locator("label:visible", { hasText: label }).first();
        const input = field.locator("xpath=../..").getByRole("textbox").first();
        await input.click();
        await page.keyboard.type(value ?? "");
        if (label === "Username")
          await input.filter({ hasText: value }).waitFor({ timeout: 10_000 });
      }
      await page.goto(`${url}/docs/api#tag/v1backrest/POST/v1.Backrest/GetConfig`);
      // The operation's section (Scalar prefixes its id with the document's slug).
      const operation = page.locator('[id$="/POST/v1.Backrest/GetConfig"]').first();
      await operation.getByRole("button", { name: /Test Request/i }).click({ timeout: 30_000 });
      const response = page.waitForResponse((r) => r.url() === `${url}/v1.Backrest/GetConfig`, {
        timeout: 30_000,
      });
      await page.getByRole("button", { name: /^Send/i }).filter({ visible: true }).first().click();
      const reply = await response;
      assert.equal(reply.status(), 200, await reply.text());
      assert.equal(
        reply.request().headers().authorization,
        `Basic ${Buffer.from("alice:pw").toString("base64")}`,
      );
      assert.equal(((await reply.json()) as { instance?: string }).instance, "test-host");
      assert.deepEqual(foreign, []);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });
});
