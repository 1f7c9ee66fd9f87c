/** The access log interceptor: one line per RPC with its method, outcome, principal and id. */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { Code, ConnectError } from "@connectrpc/connect";
import { Backrest } from "../../gen/v1/service_pb.js";
import { createLogger, type LogFields } from "../../src/log.js";
import { createHttpHandler } from "../../src/server/http-handler.js";
import { accessLogInterceptor, errorInterceptor } from "../../src/server/interceptors.js";
import { listen } from "../../src/server/listener.js";

describe("access log", async () => {
  const lines: { msg: string; fields: LogFields }[] = [];
  const capture = createLogger("debug", () => {});
  const log = {
    ...capture,
    info: (msg: string, fields?: LogFields) => lines.push({ msg, fields: fields ?? {} }),
  };
  const handler = createHttpHandler({
    interceptors: [accessLogInterceptor(log), errorInterceptor(capture)],
    routes: (router) =>
      router.service(Backrest, {
        backup(req) {
          if (req.value === "refused")
            throw new ConnectError("plan refused", Code.FailedPrecondition);
          if (req.value === "crash") throw new Error("a bug");
          return {};
        },
      }),
  });
  const listener = await listen("127.0.0.1:0", handler);
  after(() => listener.close(100));
  const url = `http://127.0.0.1:${listener.address().port}/v1.Backrest/Backup`;

  /** Calls Backup for `plan` with a request id; the access log line it left. */
  const call = async (plan: string, viaConnect = false) => {
    const before = lines.length;
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-request-id": `req-${plan}`,
        // A timeout header sends the call through connect-node instead of the own unary path.
        ...(viaConnect ? { "connect-timeout-ms": "60000" } : {}),
      },
      body: JSON.stringify({ value: plan }),
    });
    await res.arrayBuffer();
    assert.equal(lines.length, before + 1, "one line per call");
    return { status: res.status, line: lines.at(-1) };
  };

  for (const viaConnect of [false, true]) {
    const path = viaConnect ? "connect-node" : "the own unary path";
    it(`logs each call's method, time, principal, request id and code (${path})`, async () => {
      const ok = await call("p1", viaConnect);
      assert.equal(ok.status, 200);
      assert.equal(ok.line?.msg, "rpc");
      const { ms, ...rest } = ok.line?.fields ?? {};
      assert.equal(typeof ms, "number");
      assert.deepEqual(rest, {
        method: "v1.Backrest/Backup",
        principal: "none", // no authentication interceptor here
        requestId: "req-p1",
        code: "ok",
      });
      const refused = await call("refused", viaConnect);
      assert.equal(refused.status, 400);
      assert.equal(refused.line?.fields.code, "FailedPrecondition");
      assert.equal(refused.line?.fields.requestId, "req-refused");
      const crash = await call("crash", viaConnect);
      assert.equal(crash.status, 500);
      assert.equal(crash.line?.fields.code, "Internal", "mapped by the error interceptor inside");
    });
  }
});
