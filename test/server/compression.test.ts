/** The fast gzip and brotli of RPC answers: standard streams any client decodes, within read limits. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { Code, ConnectError } from "@connectrpc/connect";
import { fastBrotli, fastGzip } from "../../src/server/compression.js";

const json = Buffer.from(
  JSON.stringify(
    Array.from({ length: 2000 }, (_, i) => ({ id: String(i), timestampMs: String(1e12 + i) })),
  ),
);

describe("RPC compression", () => {
  it("gzip answers are gzip streams, smaller than the answer", async () => {
    const packed = await fastGzip.compress(json);
    assert.ok(packed.buffer instanceof ArrayBuffer);
    assert.ok(packed.byteLength < json.byteLength / 3);
    assert.ok(gunzipSync(packed).equals(json));
    assert.ok(Buffer.from(await fastGzip.decompress(packed, json.byteLength)).equals(json));
  });

  it("brotli answers are brotli streams, smaller than the answer", async () => {
    const packed = await fastBrotli.compress(json);
    assert.ok(packed.byteLength < json.byteLength / 3);
    assert.ok(brotliDecompressSync(packed).equals(json));
    assert.ok(Buffer.from(await fastBrotli.decompress(packed, json.byteLength)).equals(json));
  });

  it("refuses a request that inflates beyond the read limit", async () => {
    const packed = await fastGzip.compress(json);
    await assert.rejects(
      fastGzip.decompress(packed, 1000),
      (err: unknown) => err instanceof ConnectError && err.code === Code.ResourceExhausted,
    );
  });
});
