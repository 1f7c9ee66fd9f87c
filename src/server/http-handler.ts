/**
 * The daemon's HTTP handler: every RPC service through one Connect adapter (Connect,
 * gRPC and gRPC-Web), and a fallback for non-RPC paths.
 */
import type { ConnectRouter, Interceptor } from "@connectrpc/connect";
import { createContextValues } from "@connectrpc/connect";
import { type ConnectNodeAdapterOptions, connectNodeAdapter } from "@connectrpc/connect-node";
import type { AnyHandler } from "./listener.js";
import { clientAddressKey, REQUEST_ID_HEADER, requestIdFrom, requestIdKey } from "./request-id.js";

/** Largest accepted request message (bytes). */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

type Fallback = NonNullable<ConnectNodeAdapterOptions["fallback"]>;
/** A request of either HTTP server, as the Connect adapter passes it on. */
export type NodeRequest = Parameters<Fallback>[0];
/** A response of either HTTP server. */
export type NodeResponse = Parameters<Fallback>[1];

export interface HttpHandlerOptions {
  routes: (router: ConnectRouter) => void;
  interceptors: Interceptor[];
  /** Serves non-RPC paths; returns false when it has nothing for the path (then 404). */
  fallback?: (req: NodeRequest, res: NodeResponse) => boolean;
}

/** Creates the request handler shared by the HTTP/1.1 and HTTP/2 servers. */
export function createHttpHandler(opts: HttpHandlerOptions): AnyHandler {
  const adapter = connectNodeAdapter({
    routes: opts.routes,
    interceptors: opts.interceptors,
    readMaxBytes: MAX_REQUEST_BYTES,
    contextValues: (req) => {
      const values = createContextValues();
      values.set(requestIdKey, String(req.headers[REQUEST_ID_HEADER]));
      values.set(clientAddressKey, req.socket?.remoteAddress ?? "");
      return values;
    },
    fallback: (req, res) => {
      if (opts.fallback?.(req, res)) return;
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      res.end(`not found: ${req.method} ${(req.url ?? "").slice(0, 200)}\n`);
    },
  });
  return (req, res) => {
    const id = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    req.headers[REQUEST_ID_HEADER] = id;
    res.setHeader("X-Request-Id", id);
    adapter(req, res);
  };
}
