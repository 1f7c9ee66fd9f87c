/**
 * The one-port listener keeps TCP backpressure: a request body its handler does not read is
 * not read from the socket either (a queued upload holds its client instead of filling memory).
 */
import assert from "node:assert/strict";
import http from "node:http";
import { Readable } from "node:stream";
import { after, describe, it } from "node:test";
import { listen } from "../../src/server/listener.js";

const MiB = 1024 * 1024;

describe("listener", () => {
  it("reads no more of an HTTP/1.1 request body than its handler asks for", async () => {
    let received: http.IncomingMessage | undefined;
    const listener = await listen("127.0.0.1:0", (req, res) => {
      received = req as http.IncomingMessage;
      req.on("end", () => res.end("read\n"));
    });
    after(() => listener.close(100));
    // Far more than the kernel's socket buffers hold (up to 32 MiB received on loopback).
    const total = 96 * MiB;
    const chunk = Buffer.alloc(64 * 1024, 1);
    let pulled = 0;
    const body = new Readable({
      read() {
        if (pulled >= total) this.push(null);
        else {
          pulled += chunk.length;
          this.push(chunk);
        }
      },
    });
    const req = http.request(`http://127.0.0.1:${listener.address().port}/x`, {
      method: "POST",
      agent: false,
    });
    const response = new Promise<string>((resolve, reject) => {
      req.on("error", reject);
      req.on("response", (res) => {
        let text = "";
        res.on("data", (c: Buffer) => {
          text += c.toString();
        });
        res.on("end", () => resolve(text));
      });
    });
    body.pipe(req);
    // Until the client can send no more.
    for (let last = -1; pulled !== last; ) {
      last = pulled;
      await new Promise((r) => setTimeout(r, 300));
    }
    assert.ok(received, "the request reached the handler");
    assert.ok(pulled < total, `the client sent all ${total} bytes into a body nobody read`);
    // Once read, the rest arrives.
    received.resume();
    assert.equal(await response, "read\n");
    assert.equal(pulled, total);
  });
});
