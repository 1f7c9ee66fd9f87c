/**
 * The Restwell client for Node over @connectrpc/connect-node: Connect JSON over HTTP/1.1
 * (default) or gRPC over HTTP/2. The browser-safe client is ./index.ts.
 */
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import {
  type ClientOptions,
  createClient,
  type RestwellAuth,
  type RestwellClient,
} from "./index.js";

export * from "./index.js";

/** Options of {@link createNodeClient}. */
export interface NodeClientOptions extends Omit<ClientOptions, "transport" | "fetch"> {
  /** "connect" (HTTP/1.1, the default) or "grpc" (HTTP/2 without TLS for http: URLs). */
  protocol?: "connect" | "grpc";
}

/** Creates a client of the daemon at `url` using Node's own HTTP stack. */
export function createNodeClient(
  url: string,
  auth?: RestwellAuth,
  opts: NodeClientOptions = {},
): RestwellClient {
  const baseUrl = url.replace(/\/+$/, "");
  const transport =
    opts.protocol === "grpc"
      ? createGrpcTransport({ baseUrl })
      : createConnectTransport({ baseUrl, httpVersion: "1.1" });
  return createClient(baseUrl, auth, { ...opts, transport });
}
