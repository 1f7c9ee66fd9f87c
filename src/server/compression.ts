/**
 * The compression of RPC answers (and requests): gzip and brotli at fast settings.
 * connect-node's own use zlib's default gzip level (6) and brotli's highest quality (11): on
 * the dashboard's 230 KB of JSON (bench/oplog-scale.ts) that cost 9 ms and 470 ms of CPU per
 * answer, more than computing it. gzip level 1 takes 2.5 ms (69 KB instead of 60 KB), brotli
 * quality 4 takes 5 ms (58 KB instead of 38 KB). Decompressing requests is connect-node's.
 */
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import type { Compression } from "@connectrpc/connect/protocol";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";

const GZIP_LEVEL = 1;
const BROTLI_QUALITY = 4;

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** gzip at level 1. */
export const fastGzip: Compression = {
  name: compressionGzip.name,
  compress: (bytes) => gzipAsync(bytes, { level: GZIP_LEVEL }).then(ownBuffer),
  decompress: compressionGzip.decompress,
};

/** brotli at quality 4. */
export const fastBrotli: Compression = {
  name: compressionBrotli.name,
  compress: (bytes) =>
    brotliAsync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } }).then(
      ownBuffer,
    ),
  decompress: compressionBrotli.decompress,
};

/** The bytes over an ArrayBuffer of their own, as Connect's Compression returns them. */
function ownBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer
    ? (bytes as Uint8Array<ArrayBuffer>)
    : new Uint8Array(bytes);
}
