/**
 * Fixed response bodies (the OpenAPI document, the docs page and its script): prepared once,
 * with an ETag and a gzip form made on first use, and sent with conditional-request and
 * content-encoding negotiation.
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { NodeRequest, NodeResponse } from "./http-handler.js";

/** Bodies smaller than this are sent uncompressed. */
const MIN_GZIP_BYTES = 1024;

/** A response body with its type and validator; the gzip form is made on first use. */
export interface PreparedBody {
  readonly contentType: string;
  /** A strong ETag of the uncompressed bytes (quoted). */
  readonly etag: string;
  readonly bytes: Buffer;
  gzipped(): Buffer | undefined;
}

/** Prepares a body; `bytes` must not change afterwards. */
export function prepareBody(bytes: Buffer | string, contentType: string): PreparedBody {
  const raw = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes;
  const etag = `"${createHash("sha256").update(raw).digest("base64url").slice(0, 27)}"`;
  let gzip: Buffer | undefined;
  return {
    contentType,
    etag,
    bytes: raw,
    gzipped() {
      if (raw.length < MIN_GZIP_BYTES) return undefined;
      gzip ??= gzipSync(raw);
      return gzip;
    },
  };
}

/** True when the request's Accept-Encoding allows gzip (and does not refuse it with q=0). */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(",") : (header ?? "");
  return value.split(",").some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    if (coding !== "gzip" && coding !== "*") return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** True for GET and HEAD; otherwise answers 405 and returns false. */
export function allowReadOnly(req: NodeRequest, res: NodeResponse): boolean {
  if (req.method === "GET" || req.method === "HEAD") return true;
  res.writeHead(405, { allow: "GET, HEAD" });
  res.end();
  return false;
}

/**
 * Sends a prepared body: 304 when If-None-Match matches, gzip when the client accepts it,
 * no body for HEAD. `headers` are added (e.g. cache-control).
 */
export function sendPrepared(
  req: NodeRequest,
  res: NodeResponse,
  body: PreparedBody,
  headers: Record<string, string>,
): void {
  const common = { ...headers, etag: body.etag, vary: "Accept-Encoding" };
  const match = req.headers["if-none-match"];
  if (match?.split(",").some((tag) => tag.trim() === body.etag)) {
    res.writeHead(304, common);
    res.end();
    return;
  }
  const gzip = acceptsGzip(req.headers["accept-encoding"]) ? body.gzipped() : undefined;
  const payload = gzip ?? body.bytes;
  res.writeHead(200, {
    ...common,
    "content-type": body.contentType,
    "content-length": String(payload.length),
    ...(gzip && { "content-encoding": "gzip" }),
  });
  if (req.method === "HEAD") res.end();
  else res.end(payload);
}
