/**
 * The daemon's HTTP handler: every RPC service through one Connect adapter (Connect,
 * gRPC and gRPC-Web), Connect's unary POSTs through the daemon's own faster path to the same
 * services (unary-path.ts), and a fallback for non-RPC paths.
 */
import type { ConnectRouter, Interceptor } from "@connectrpc/connect";
import { createContextKey, createContextValues } from "@connectrpc/connect";
import { type ConnectNodeAdapterOptions, connectNodeAdapter } from "@connectrpc/connect-node";
import { fastBrotli, fastGzip } from "./compression.js";
import type { AnyHandler } from "./listener.js";
import { type RateDecision, rateLimitHeaders } from "./rate-limit.js";
import { clientAddressKey, REQUEST_ID_HEADER, requestIdFrom, requestIdKey } from "./request-id.js";
import { createUnaryPath } from "./unary-path.js";

/** Largest accepted request message (bytes). */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

type Fallback = NonNullable<ConnectNodeAdapterOptions["fallback"]>;
/** A request of either HTTP server, as the Connect adapter passes it on. */
export type NodeRequest = Parameters<Fallback>[0];
/** A response of either HTTP server. */
export type NodeResponse = Parameters<Fallback>[1];

/**
 * Context key of a function that sets headers in the HTTP head of an RPC's response. Unlike
 * response headers or error metadata, these reach the HTTP head with every protocol (gRPC and
 * gRPC-Web put error metadata into trailers) and with errors too. Call it before the first
 * response message; later calls are ignored.
 */
export const httpHeadersKey = createContextKey<(headers: Record<string, string>) => void>(
  () => {},
  { description: "sets headers of the HTTP response" },
);

export interface HttpHandlerOptions {
  routes: (router: ConnectRouter) => void;
  interceptors: Interceptor[];
  /** Serves non-RPC paths; returns false when it has nothing for the path (then 404). */
  fallback?: (req: NodeRequest, res: NodeResponse) => boolean;
  /**
   * The request limit of a client address, counting a request when `count` is true; undefined
   * when limits are off. Every non-RPC request counts (429 with Retry-After when over); every
   * response reports it in X-RateLimit-* unless an RPC interceptor reports another bucket.
   */
  addressLimit?: (address: string, count: boolean) => RateDecision | undefined;
}

/** Creates the request handler shared by the HTTP/1.1 and HTTP/2 servers. */
export function createHttpHandler(opts: HttpHandlerOptions): AnyHandler {
  const responses = new WeakMap<NodeRequest, NodeResponse>();
  const contextValues = (req: NodeRequest, res: NodeResponse | undefined) => {
    const values = createContextValues();
    values.set(requestIdKey, String(req.headers[REQUEST_ID_HEADER]));
    values.set(clientAddressKey, clientAddress(req));
    if (res) values.set(httpHeadersKey, (headers) => setHeaders(res, headers));
    return values;
  };
  const acceptCompression = [fastGzip, fastBrotli];
  const unary = createUnaryPath({
    interceptors: opts.interceptors,
    readMaxBytes: MAX_REQUEST_BYTES,
    acceptCompression,
  });
  const adapter = connectNodeAdapter({
    routes: (router) => opts.routes(unary.record(router)),
    interceptors: opts.interceptors,
    readMaxBytes: MAX_REQUEST_BYTES,
    acceptCompression,
    contextValues: (req) => contextValues(req, responses.get(req)),
    fallback: (req, res) => {
      const limit = opts.addressLimit?.(clientAddress(req), true);
      if (limit) setHeaders(res, rateLimitHeaders(limit));
      if (limit && !limit.allowed) {
        res.writeHead(429, { "content-type": "text/plain; charset=utf-8" });
        res.end(`too many requests; retry in ${res.getHeader("retry-after")} s\n`);
        return;
      }
      if (opts.fallback?.(req, res)) return;
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      res.end(`not found: ${req.method} ${(req.url ?? "").slice(0, 200)}\n`);
    },
  });
  return (req, res) => {
    const id = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    req.headers[REQUEST_ID_HEADER] = id;
    res.setHeader("X-Request-Id", id);
    // A default for responses no interceptor reaches (e.g. a malformed RPC request); it refuses
    // nothing, so it carries no Retry-After.
    const limit = opts.addressLimit?.(clientAddress(req), false);
    if (limit) setHeaders(res, rateLimitHeaders({ ...limit, allowed: true }));
    const route = unary.match(req);
    if (route) void unary.serve(route, req, res, contextValues(req, res));
    else {
      responses.set(req, res);
      adapter(req, res);
    }
  };
}

/** The TCP peer's address. */
export function clientAddress(req: NodeRequest): string {
  return req.socket?.remoteAddress ?? "";
}

function setHeaders(res: NodeResponse, headers: Record<string, string>): void {
  if (res.headersSent) return;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
}
