/** The web UI's static route on a real port-0 server over a temporary build folder. */
import assert from "node:assert/strict";
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { brotliCompressSync, brotliDecompressSync, gunzipSync } from "node:zlib";
import { createStaticUi, isApiPath } from "../../src/server/static-ui.js";
import { tempDir } from "../helpers/temp.js";

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw GET (fetch would decompress and hide content-encoding). */
function get(base: string, path: string, headers: Record<string, string> = {}, method = "GET") {
  return new Promise<Reply>((resolve, reject) => {
    // Options rather than a URL: a URL would resolve "%2e%2e" segments before sending.
    const { hostname, port } = new URL(base);
    const req = request({ hostname, port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

function serve(root: string): Promise<string> {
  const route = createStaticUi({ root });
  const server = createServer((req, res) => {
    if (route(req, res)) return;
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found\n");
  });
  after(() => server.close());
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

const INDEX = `<!doctype html><html><body><div id="root"></div>${"<!-- padding -->".repeat(100)}</body></html>`;
const APP = `console.log(${JSON.stringify("x".repeat(5000))});`;

describe("static UI route", async () => {
  const root = tempDir();
  mkdirSync(join(root, "assets"));
  writeFileSync(join(root, "index.html"), INDEX);
  writeFileSync(join(root, "assets", "app-1a2b3c.js"), APP);
  writeFileSync(join(root, "assets", "style-9f8e.css"), `body{color:red}${" ".repeat(2000)}`);
  // A prebuilt .br whose content differs from what on-the-fly compression would give:
  // it proves the prebuilt file is the one served.
  writeFileSync(join(root, "assets", "style-9f8e.css.br"), brotliCompressSync("/*prebuilt*/"));
  writeFileSync(join(root, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
  const base = await serve(root);
  const empty = await serve(tempDir());

  it("serves index.html at / with no-cache and a content security policy", async () => {
    const r = await get(base, "/", { "accept-encoding": "identity" });
    assert.equal(r.status, 200);
    assert.equal(r.headers["content-type"], "text/html; charset=utf-8");
    assert.equal(r.headers["cache-control"], "no-cache");
    assert.match(String(r.headers["content-security-policy"]), /default-src 'self'/);
    assert.equal(r.body.toString(), INDEX);
  });

  it("serves hashed assets as immutable with their content type", async () => {
    const r = await get(base, "/assets/app-1a2b3c.js", { "accept-encoding": "identity" });
    assert.equal(r.status, 200);
    assert.equal(r.headers["content-type"], "text/javascript; charset=utf-8");
    assert.equal(r.headers["cache-control"], "public, max-age=31536000, immutable");
    assert.equal(r.headers["content-encoding"], undefined);
    assert.equal(r.body.toString(), APP);
    const svg = await get(base, "/favicon.svg");
    assert.equal(svg.headers["content-type"], "image/svg+xml");
    assert.equal(svg.headers["cache-control"], "no-cache");
  });

  it("compresses with brotli or gzip as the client accepts, preferring prebuilt files", async () => {
    const br = await get(base, "/assets/app-1a2b3c.js", { "accept-encoding": "gzip, deflate, br" });
    assert.equal(br.headers["content-encoding"], "br");
    assert.equal(br.headers.vary, "Accept-Encoding");
    assert.equal(brotliDecompressSync(br.body).toString(), APP);
    assert.ok(br.body.length < APP.length / 5);

    const gz = await get(base, "/assets/app-1a2b3c.js", { "accept-encoding": "gzip" });
    assert.equal(gz.headers["content-encoding"], "gzip");
    assert.equal(gunzipSync(gz.body).toString(), APP);

    const refused = await get(base, "/assets/app-1a2b3c.js", { "accept-encoding": "br;q=0, gzip" });
    assert.equal(refused.headers["content-encoding"], "gzip");

    const prebuilt = await get(base, "/assets/style-9f8e.css", { "accept-encoding": "br" });
    assert.equal(prebuilt.headers["content-type"], "text/css; charset=utf-8");
    assert.equal(brotliDecompressSync(prebuilt.body).toString(), "/*prebuilt*/");
  });

  it("ignores a prebuilt file older than its source", async () => {
    const css = join(root, "assets", "style-9f8e.css");
    const later = new Date(Date.now() + 60_000);
    utimesSync(css, later, later);
    const r = await get(base, "/assets/style-9f8e.css", { "accept-encoding": "br" });
    assert.match(brotliDecompressSync(r.body).toString(), /^body\{color:red\}/);
  });

  it("answers If-None-Match with 304 and HEAD without a body", async () => {
    const first = await get(base, "/assets/app-1a2b3c.js");
    const etag = String(first.headers.etag);
    const again = await get(base, "/assets/app-1a2b3c.js", { "if-none-match": etag });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    const head = await get(base, "/", { "accept-encoding": "identity" }, "HEAD");
    assert.equal(head.status, 200);
    assert.equal(head.headers["content-length"], String(Buffer.byteLength(INDEX)));
    assert.equal(head.body.length, 0);
  });

  it("falls back to index.html for the UI's routes, only for pages", async () => {
    const page = await get(base, "/plans/documents/edit", {
      accept: "text/html,application/xhtml+xml",
      "accept-encoding": "identity",
    });
    assert.equal(page.status, 200);
    assert.equal(page.body.toString(), INDEX);
    const notPage = await get(base, "/plans/documents", { accept: "application/json" });
    assert.equal(notPage.status, 404);
    const post = await get(base, "/plans", { accept: "text/html" }, "POST");
    assert.equal(post.status, 404);
  });

  it("never answers API paths, missing assets or paths outside the build with the UI", async () => {
    const html = { accept: "text/html" };
    for (const path of [
      "/v1.Backrest/NoSuchMethod",
      "/v1.Authentication/Login",
      "/grpc.health.v1.Health/Check",
      "/healthz",
      "/metrics",
      "/openapi.json",
      "/docs/",
      "/download/abc/file.txt",
      "/assets/gone-123.js",
      "/robots.txt",
      "/%2e%2e/%2e%2e/etc/passwd",
      "/..%2f..%2fetc%2fpasswd",
    ]) {
      const r = await get(base, path, html);
      assert.equal(r.status, 404, path);
      assert.doesNotMatch(r.body.toString(), /<div id="root">/, path);
    }
  });

  it("says how to build the UI when it is not built", async () => {
    const r = await get(empty, "/", { accept: "text/html" });
    assert.equal(r.status, 404);
    assert.match(r.body.toString(), /make web/);
  });

  it("tells API paths from UI paths", () => {
    assert.ok(isApiPath("/v1.Backrest/GetConfig"));
    assert.ok(isApiPath("/types.Foo/Bar"));
    assert.ok(!isApiPath("/plans/v1.x"));
    assert.ok(!isApiPath("/operations/123"));
  });
});
