/**
 * Error messages that echo a client's input stay short: a 300 kB id in a request must come back
 * as NOT_FOUND / INVALID_ARGUMENT with a readable message, over gRPC too, where the message
 * travels in an HTTP/2 trailer (an unbounded one broke the stream: FRAME_SIZE_ERROR).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Backrest } from "../../gen/v1/service_pb.js";
import { startTestDaemon } from "../helpers/daemon.js";
import { callJson } from "../helpers/http.js";

const HUGE = "x".repeat(300_000);

describe("errors that echo long input", async () => {
  const daemon = await startTestDaemon({ instance: "long-input", auth: { disabled: true } });
  const client = createClient(Backrest, createGrpcTransport({ baseUrl: daemon.url }));

  async function codeOf(call: () => Promise<unknown>): Promise<ConnectError> {
    try {
      await call();
    } catch (err) {
      return ConnectError.from(err);
    }
    assert.fail("the call succeeded");
  }

  it("an unknown 300 kB repo id is NOT_FOUND over gRPC, with a short message", async () => {
    const err = await codeOf(() => client.removeRepo({ value: HUGE }));
    assert.equal(err.code, Code.NotFound, err.message);
    assert.ok(err.rawMessage.length < 2_500, `message of ${err.rawMessage.length} characters`);
    assert.match(err.rawMessage, /does not exist/);
  });

  it("an invalid 300 kB path is INVALID_ARGUMENT over gRPC, with a short message", async () => {
    const err = await codeOf(() => client.listLocalPaths({ prefix: `rel/${HUGE}` }));
    assert.equal(err.code, Code.InvalidArgument, err.message);
    assert.ok(err.rawMessage.length < 2_500, `message of ${err.rawMessage.length} characters`);
  });

  it("over Connect JSON too", async () => {
    const res = await callJson(daemon.url, "v1.Backrest/StartBackup", { value: HUGE });
    assert.equal(res.status, 404, res.text.slice(0, 300));
    const message = (res.body as { message: string }).message;
    assert.ok(message.length < 2_500, `message of ${message.length} characters`);
    assert.match(message, /does not exist/);
  });
});
