/**
 * The own path for Connect unary POSTs (src/server/unary-path.ts) keeps Connect's contract with
 * interceptors and implementations: response headers and trailers they set, errors with
 * metadata, the call's signal (aborted once the call has ended), over HTTP/1.1 and HTTP/2. Each
 * request also goes to connect-node (a Connect timeout header sends it there) and the two
 * answers must agree.
 */
import assert from "node:assert/strict";
import http, { IncomingMessage } from "node:http";
import http2 from "node:http2";
import { Socket } from "node:net";
import { after, describe, it } from "node:test";
import { Code, ConnectError, type Interceptor, type ServiceImpl } from "@connectrpc/connect";
import { Backrest } from "../../gen/v1/service_pb.js";
import { createHttpHandler } from "../../src/server/http-handler.js";
import { listen } from "../../src/server/listener.js";
import { readBody } from "../../src/server/unary-call.js";
import { type RawAnswer, rawRequest } from "../helpers/http.js";

/** Serves Backrest's Backup with `backup` behind `interceptors` on a port-0 listener; its URL. */
async function serveBackup(
  interceptors: Interceptor[],
  backup: ServiceImpl<typeof Backrest>["backup"],
): Promise<string> {
  const handler = createHttpHandler({
    interceptors,
    routes: (router) => router.service(Backrest, { backup }),
  });
  const listener = await listen("127.0.0.1:0", handler);
  after(() => listener.close(100));
  return `http://127.0.0.1:${listener.address().port}`;
}

describe("unary path", async () => {
  const signals: AbortSignal[] = [];
  /** Sets a header and a trailer on every answer, and refuses plans named "refused". */
  const stamp: Interceptor = (next) => async (req) => {
    if (req.stream || req.method.name !== "Backup") return next(req);
    const res = await next(req);
    res.header.set("x-stamp", "header");
    res.trailer.set("x-stamp", "trailer");
    return res;
  };
  const url = await serveBackup([stamp], (req, ctx) => {
    signals.push(ctx.signal);
    if (req.value === "refused")
      throw new ConnectError("plan refused: pick another", Code.FailedPrecondition, {
        "x-reason": "refused",
      });
    if (req.value === "crash") throw new Error("a bug with a secret in it");
    return {};
  });

  const post = (value: string, extra: Record<string, string> = {}) =>
    rawRequest(`${url}/v1.Backrest/Backup`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "fixed", ...extra },
      body: JSON.stringify({ value }),
    });
  const viaConnect = (value: string) => post(value, { "connect-timeout-ms": "600000" });
  const seen = (a: RawAnswer) => ({
    status: a.status,
    contentType: a.headers["content-type"],
    stamp: a.headers["x-stamp"],
    trailer: a.headers["trailer-x-stamp"],
    reason: a.headers["x-reason"],
    body: JSON.parse(a.body.toString()),
  });

  it("sends headers and trailers that interceptors set, as connect-node does", async () => {
    const own = await post("p1");
    assert.deepEqual(seen(own), {
      status: 200,
      contentType: "application/json",
      stamp: "header",
      trailer: "trailer",
      reason: undefined,
      body: {},
    });
    assert.deepEqual(seen(own), seen(await viaConnect("p1")));
  });

  it("answers errors with their code, status and metadata, as connect-node does", async () => {
    const own = await post("refused");
    assert.equal(own.status, 400);
    assert.equal(own.headers["x-reason"], "refused");
    assert.deepEqual(JSON.parse(own.body.toString()), {
      code: "failed_precondition",
      message: "plan refused: pick another",
    });
    assert.deepEqual(seen(own), seen(await viaConnect("refused")));
  });

  it("answers an unexpected error as internal without its message", async () => {
    const own = await post("crash");
    assert.equal(own.status, 500);
    assert.doesNotMatch(own.body.toString(), /secret/);
    assert.deepEqual(seen(own), seen(await viaConnect("crash")));
  });

  it("aborts the call's signal once the call has ended", async () => {
    signals.length = 0;
    await post("p1");
    const [signal] = signals;
    assert.ok(signal);
    assert.equal(signal.aborted, true);
  });

  it("serves HTTP/2 the same way", async () => {
    const session = http2.connect(url);
    after(() => session.close());
    const answer = await new Promise<{ headers: http2.IncomingHttpHeaders; body: string }>(
      (resolve, reject) => {
        const stream = session.request({
          ":method": "POST",
          ":path": "/v1.Backrest/Backup",
          "content-type": "application/json",
        });
        let headers: http2.IncomingHttpHeaders = {};
        let body = "";
        stream.on("response", (h) => {
          headers = h;
        });
        stream.on("data", (c: Buffer) => {
          body += c.toString();
        });
        stream.on("end", () => resolve({ headers, body }));
        stream.on("error", reject);
        stream.end('{"value":"p1"}');
      },
    );
    assert.equal(answer.headers[":status"], 200);
    assert.equal(answer.headers["x-stamp"], "header");
    assert.equal(answer.headers["trailer-x-stamp"], "trailer");
    assert.equal(answer.body, "{}");
  });
});

describe("unary path with interceptors that copy the request and the answer", async () => {
  const signals: AbortSignal[] = [];
  // Interceptors may pass on copies ({ ...req }, { ...res }): a copy has the getters' values
  // at the time it was made, or none for getters defined on a prototype.
  const copies: Interceptor = (next) => async (req) => {
    const res = await next({ ...req });
    res.header.set("x-copied", "yes");
    return { ...res };
  };
  const url = await serveBackup([copies], (_req, ctx) => {
    signals.push(ctx.signal);
    ctx.responseTrailer.set("x-done", "1");
    return {};
  });

  it("still gives the implementation a signal and keeps its headers and trailers", async () => {
    const answer = await rawRequest(`${url}/v1.Backrest/Backup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ value: "p1" }),
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers["x-copied"], "yes");
    assert.equal(answer.headers["trailer-x-done"], "1");
    assert.equal(answer.body.toString(), "{}");
    const [signal] = signals;
    assert.ok(signal instanceof AbortSignal);
    assert.equal(signal.aborted, true, "aborted once the call has ended");
  });
});

describe("unary path when the client leaves mid-call", async () => {
  /** Per plan: resolves when the implementation has started; the test then lets it go on. */
  const started = new Map<string, () => void>();
  const proceed = new Map<string, Promise<void>>();
  const reasons = new Map<string, unknown>();
  const url = await serveBackup([], async (req, ctx) => {
    const plan = req.value;
    // "early" reads the signal while the client is still there, "late" only after it left.
    const early = plan === "early" ? ctx.signal : undefined;
    started.get(plan)?.();
    await proceed.get(plan);
    const signal = early ?? ctx.signal;
    if (!signal.aborted) await new Promise((r) => signal.addEventListener("abort", r));
    reasons.set(plan, signal.reason);
    return {};
  });

  /** Starts Backup for `plan`, waits until it runs, and drops the connection. */
  const leave = async (plan: string) => {
    let go = () => {};
    proceed.set(plan, new Promise<void>((r) => (go = r)));
    const running = new Promise<void>((r) => started.set(plan, r));
    const req = http.request(`${url}/v1.Backrest/Backup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
    });
    req.on("error", () => {});
    req.end(JSON.stringify({ value: plan }));
    await running;
    const gone = new Promise((r) => req.once("close", r));
    req.destroy();
    await gone;
    // Let the server see the connection close before the implementation goes on.
    await new Promise((r) => setTimeout(r, 50));
    go();
  };

  for (const plan of ["early", "late"]) {
    it(`aborts the call's signal as canceled (signal read ${plan})`, async () => {
      await leave(plan);
      for (let i = 0; i < 500 && !reasons.has(plan); i++)
        await new Promise((r) => setTimeout(r, 10));
      assert.ok(reasons.has(plan), "the signal was aborted within 5 s");
      const reason = reasons.get(plan);
      assert.ok(reason instanceof ConnectError);
      assert.equal(reason.code, Code.Canceled);
      assert.match(reason.message, /closed the connection before the answer/);
    });
  }
});

describe("readBody", () => {
  it("refuses a request whose client is already gone instead of waiting for it", async () => {
    const req = new IncomingMessage(new Socket());
    const closed = new Promise((r) => req.once("close", r));
    req.destroy();
    await closed;
    await assert.rejects(readBody(req, 1024), (e: unknown) => {
      assert.ok(e instanceof ConnectError);
      assert.equal(e.code, Code.Canceled);
      return true;
    });
  });

  it("refuses a declared body larger than the limit before reading it", async () => {
    const req = new IncomingMessage(new Socket());
    req.headers["content-length"] = "2048";
    await assert.rejects(readBody(req, 1024), /larger than configured readMaxBytes 1024/);
  });
});
