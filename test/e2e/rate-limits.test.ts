/**
 * Rate limits against a real daemon over HTTP/1.1 (Connect JSON, plain GETs) and gRPC:
 * X-RateLimit-* on every response, 429 / RESOURCE_EXHAUSTED with Retry-After over the
 * per-principal limit, and a client address refused after too many failed sign-ins. The
 * daemon runs on a fake clock, so windows end when the test says so.
 */
import assert from "node:assert/strict";
import http from "node:http";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { EmptySchema } from "@bufbuild/protobuf/wkt";
import { Backrest } from "../../gen/v1/service_pb.js";
import { hashPassword } from "../../src/auth/password.js";
import { startDaemon } from "../../src/daemon.js";
import { silentLogger } from "../../src/log.js";
import { writeConfig } from "../helpers/daemon.js";
import { basicAuthHeader, createGrpcTestClient, grpc } from "../helpers/grpc.js";
import { callJson, type RpcResponse } from "../helpers/http.js";
import { tempDir } from "../helpers/temp.js";

const MINUTE = 60_000;

/** Starts a daemon on a fake clock; advance `clock.t` to end rate limit windows. */
async function startClockedDaemon(config: object) {
  const clock = { t: Date.UTC(2030, 0, 1) };
  const { configPath, dataDir } = writeConfig(config, tempDir());
  const daemon = await startDaemon({
    configPath,
    dataDir: join(dataDir),
    bindAddress: "127.0.0.1:0",
    resticCommand: "restic",
    resticEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root" },
    log: silentLogger,
    clock: { now: () => clock.t },
  });
  after(() => daemon.stop());
  return { daemon, clock };
}

/** A plain HTTP/1.1 request from a chosen local address (127.0.0.0/8 is all loopback). */
function request(
  url: string,
  opts: { method?: string; body?: string; headers?: Record<string, string>; from?: string },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: opts.method ?? "GET",
        headers: opts.headers,
        localAddress: opts.from,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

function limitHeaders(res: RpcResponse) {
  return {
    limit: res.headers.get("x-ratelimit-limit"),
    remaining: res.headers.get("x-ratelimit-remaining"),
    reset: res.headers.get("x-ratelimit-reset"),
  };
}

describe("rate limits", async () => {
  const users = [
    { name: "alice", passwordBcrypt: await hashPassword("alice-pass") },
    { name: "bob", passwordBcrypt: await hashPassword("bob-pass") },
  ];
  const { daemon, clock } = await startClockedDaemon({
    version: 4,
    instance: "limits",
    auth: { users },
    settings: { rateLimitPerMinute: 5 },
  });
  const { url } = daemon;
  const alice = { user: "alice", password: "alice-pass" };
  const bob = { user: "bob", password: "bob-pass" };
  const grpcClient = createGrpcTestClient(daemon.port);
  const nextWindow = () => {
    clock.t += MINUTE;
  };

  it("reports the principal's budget on RPC successes and errors", async () => {
    const ok = await callJson(url, "v1.Backrest/GetConfig", {}, alice);
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(limitHeaders(ok), { limit: "5", remaining: "4", reset: "60" });
    assert.equal(ok.headers.get("retry-after"), null);
    clock.t += 15_000;
    const notFound = await callJson(url, "v1.Backrest/Cancel", { operationId: "999999" }, alice);
    assert.equal(notFound.status, 404, notFound.text);
    assert.deepEqual(limitHeaders(notFound), { limit: "5", remaining: "3", reset: "45" });
    const bobs = await callJson(url, "v1.Backrest/GetConfig", {}, bob);
    assert.deepEqual(limitHeaders(bobs), { limit: "5", remaining: "4", reset: "60" });
  });

  it("puts the headers in the HTTP head for gRPC and gRPC-Web, errors included", async () => {
    nextWindow();
    const client = new grpc.Client(`127.0.0.1:${daemon.port}`, grpc.credentials.createInsecure());
    after(() => client.close());
    const md = new grpc.Metadata();
    md.set("authorization", basicAuthHeader("alice", "alice-pass"));
    const head = await new Promise<grpc.Metadata>((resolve, reject) => {
      const call = client.makeUnaryRequest(
        "/v1.Backrest/GetConfig",
        () => Buffer.alloc(0),
        (b: Buffer) => b,
        {},
        md,
        (err) => err && reject(err),
      );
      call.on("metadata", resolve);
    });
    assert.deepEqual(
      ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"].map((h) => head.get(h)),
      [["5"], ["4"], ["60"]],
    );

    // gRPC-Web over HTTP/1.1: one enveloped JSON message.
    const envelope = Buffer.concat([Buffer.from([0, 0, 0, 0, 2]), Buffer.from("{}")]);
    const grpcWeb = (authorization: string) =>
      request(`${url}/v1.Backrest/GetConfig`, {
        method: "POST",
        body: envelope.toString("latin1"),
        headers: { "content-type": "application/grpc-web+json", authorization },
      });
    const ok = await grpcWeb(basicAuthHeader("alice", "alice-pass"));
    assert.equal(ok.status, 200);
    assert.equal(ok.headers["grpc-status"], undefined, "the status is in the body's trailers");
    assert.equal(ok.headers["x-ratelimit-remaining"], "3");
    const refused = await grpcWeb("Bearer rw_not-a-key");
    assert.match(refused.text, /grpc-status:\s*16/);
    assert.equal(refused.headers["x-ratelimit-limit"], "5", "the sign-in budget");
    assert.equal(refused.headers["x-ratelimit-remaining"], "4");
  });

  it("reports the address's budget on /healthz and a 404, counting them", async () => {
    nextWindow();
    const health = await request(`${url}/healthz`, {});
    assert.equal(health.status, 200, health.text);
    assert.equal(health.headers["x-ratelimit-limit"], "5");
    assert.equal(health.headers["x-ratelimit-remaining"], "4");
    assert.equal(health.headers["x-ratelimit-reset"], "60");
    const missing = await request(`${url}/no/such/page`, {});
    assert.equal(missing.status, 404);
    assert.equal(missing.headers["x-ratelimit-remaining"], "3");
    assert.equal(missing.headers["x-ratelimit-limit"], "5");
    const anonymous = await callJson(url, "v1.Backrest/GetConfig", {});
    assert.equal(anonymous.status, 401, "a call without credentials counts against its address");
    assert.deepEqual(limitHeaders(anonymous), { limit: "5", remaining: "2", reset: "60" });
  });

  it("refuses a principal over its limit with 429 and Retry-After; others go on", async () => {
    nextWindow();
    for (let i = 0; i < 5; i++) {
      const res = await callJson(url, "v1.Backrest/GetConfig", {}, alice);
      assert.equal(res.status, 200, `call ${i + 1}: ${res.text}`);
    }
    clock.t += 20_000;
    const refused = await callJson(url, "v1.Backrest/GetConfig", {}, alice);
    assert.equal(refused.status, 429, refused.text);
    assert.equal(refused.headers.get("retry-after"), "40");
    assert.deepEqual(limitHeaders(refused), { limit: "5", remaining: "0", reset: "40" });
    const body = refused.body as { code: string; message: string };
    assert.equal(body.code, "resource_exhausted");
    assert.match(body.message, /limit 5 a minute\) - retry in 40 s/);

    await assert.rejects(
      grpcClient.unary(Backrest.method.getConfig, create(EmptySchema), {
        authorization: basicAuthHeader("alice", "alice-pass"),
      }),
      (err: grpc.ServiceError) => {
        assert.equal(err.code, grpc.status.RESOURCE_EXHAUSTED);
        assert.deepEqual(err.metadata.get("retry-after"), ["40"]);
        assert.equal(err.details, "too many requests (limit 5 a minute) - retry in 40 s");
        return true;
      },
    );
    const other = await callJson(url, "v1.Backrest/GetConfig", {}, bob);
    assert.equal(other.status, 200, "another principal is unaffected");
    const health = await request(`${url}/healthz`, {});
    assert.equal(health.status, 200, "the address's own budget is unaffected");

    clock.t += 40_000;
    const again = await callJson(url, "v1.Backrest/GetConfig", {}, alice);
    assert.equal(again.status, 200, "the next window allows requests again");
  });

  it("refuses non-RPC requests of an address over its limit with 429", async () => {
    nextWindow();
    for (let i = 0; i < 5; i++) assert.equal((await request(`${url}/healthz`, {})).status, 200);
    const refused = await request(`${url}/healthz`, {});
    assert.equal(refused.status, 429);
    assert.equal(refused.headers["retry-after"], "60");
    assert.equal(refused.headers["x-ratelimit-remaining"], "0");
    const anonymous = await callJson(url, "v1.Backrest/GetConfig", {});
    assert.equal(anonymous.status, 429, anonymous.text);
    assert.equal(anonymous.headers.get("retry-after"), "60");
    const signedIn = await callJson(url, "v1.Backrest/GetConfig", {}, bob);
    assert.equal(signedIn.status, 200, "a signed-in call counts against its principal");
    const elsewhere = await request(`${url}/healthz`, { from: "127.0.0.2" });
    assert.equal(elsewhere.status, 200, "another address is unaffected");
  });

  it("refuses an address after 5 failed sign-ins, even with the right password, until the window ends", async () => {
    nextWindow();
    for (let i = 0; i < 5; i++) {
      const res = await callJson(
        url,
        "v1.Backrest/GetConfig",
        {},
        { user: "alice", password: `no-${i}` },
      );
      assert.equal(res.status, 401, res.text);
      assert.equal(res.headers.get("x-ratelimit-limit"), "5", "a 401 reports the sign-in budget");
      assert.equal(res.headers.get("x-ratelimit-remaining"), String(4 - i));
    }
    clock.t += 10_000;
    const refused = await callJson(url, "v1.Backrest/GetConfig", {}, alice);
    assert.equal(refused.status, 429, refused.text);
    assert.equal(refused.headers.get("retry-after"), "50");
    assert.match((refused.body as { message: string }).message, /too many failed sign-ins/);
    const login = await callJson(url, "v1.Authentication/Login", {
      username: "alice",
      password: "alice-pass",
    });
    assert.equal(login.status, 429, `Login is refused too: ${login.text}`);
    await assert.rejects(
      grpcClient.unary(Backrest.method.getConfig, create(EmptySchema), {
        authorization: basicAuthHeader("bob", "bob-pass"),
      }),
      (err: grpc.ServiceError) => err.code === grpc.status.RESOURCE_EXHAUSTED,
    );

    const elsewhere = await request(`${url}/v1.Backrest/GetConfig`, {
      method: "POST",
      body: "{}",
      headers: {
        "content-type": "application/json",
        authorization: basicAuthHeader("alice", "alice-pass"),
      },
      from: "127.0.0.2",
    });
    assert.equal(elsewhere.status, 200, `another address signs in: ${elsewhere.text}`);

    clock.t += 50_000;
    const later = await callJson(url, "v1.Backrest/GetConfig", {}, alice);
    assert.equal(later.status, 200, "the address may sign in again after the window");
  });

  it("applies a changed limit without a restart; -1 turns request limits off", async () => {
    nextWindow();
    const cfg = (await callJson(url, "v1.Backrest/GetConfig", {}, alice)).body as {
      settings: Record<string, unknown>;
    };
    cfg.settings.rateLimitPerMinute = 7;
    const saved = await callJson(url, "v1.Backrest/SetConfig", cfg, alice);
    assert.equal(saved.status, 200, saved.text);
    const res = await callJson(url, "v1.Backrest/GetConfig", {}, alice);
    assert.deepEqual(limitHeaders(res), { limit: "7", remaining: "4", reset: "60" });

    const off = res.body as { settings: Record<string, unknown> };
    off.settings.rateLimitPerMinute = -1;
    assert.equal((await callJson(url, "v1.Backrest/SetConfig", off, alice)).status, 200);
    for (let i = 0; i < 10; i++) {
      const unlimited = await callJson(url, "v1.Backrest/GetConfig", {}, alice);
      assert.equal(unlimited.status, 200);
      assert.equal(unlimited.headers.get("x-ratelimit-limit"), null);
    }
  });

  it("refuses a rate limit below -1 in SetConfig", async () => {
    const cfg = (await callJson(url, "v1.Backrest/GetConfig", {}, alice)).body as {
      settings: Record<string, unknown>;
    };
    cfg.settings.rateLimitPerMinute = -5;
    const res = await callJson(url, "v1.Backrest/SetConfig", cfg, alice);
    assert.equal(res.status, 400, res.text);
    assert.match(res.text, /settings\.rateLimitPerMinute/);
  });
});
