/**
 * The typed Restwell client: the generated service definitions behind @connectrpc/connect,
 * with credentials attached to every call. It runs in browsers and in Node (18+): it uses
 * nothing but `fetch` unless a transport is passed in (e.g. gRPC from @connectrpc/connect-node,
 * see ./node.ts).
 */
import {
  type Client,
  createClient as createConnectClient,
  type Transport,
} from "@connectrpc/connect";
import { ApiKeys, Audit } from "../../gen/v1/access_pb.js";
import { Authentication } from "../../gen/v1/authentication_pb.js";
import { Backrest } from "../../gen/v1/service_pb.js";
import { authorizationHeader, type RestwellAuth } from "./auth.js";
import { createFetchTransport } from "./fetch-transport.js";
import { type FollowOptions, waitForOperation } from "./wait.js";

export type { Operation, OperationEvent } from "../../gen/v1/operations_pb.js";
export { OperationStatus } from "../../gen/v1/operations_pb.js";
export { authorizationHeader, type RestwellAuth } from "./auth.js";
export {
  backupProgress,
  type FollowOptions,
  isFinished,
  waitForOperation,
} from "./wait.js";
export { ApiKeys, Audit, Authentication, Backrest };

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** The transport to use instead of Connect JSON over `fetch` (its baseUrl wins over `url`). */
  transport?: Transport;
  /** The fetch implementation (default globalThis.fetch). */
  fetch?: typeof fetch;
  /** Extra headers sent with every call. */
  headers?: Record<string, string>;
}

/** A client of every Restwell service, plus helpers for long-running operations. */
export interface RestwellClient {
  /** Backups, operations, snapshots, config (the Backrest-compatible service). */
  backrest: Client<typeof Backrest>;
  /** HashPassword, Login, WhoAmI. */
  authentication: Client<typeof Authentication>;
  apiKeys: Client<typeof ApiKeys>;
  audit: Client<typeof Audit>;
  /**
   * Waits until operation `id` has finished and returns it. With `onUpdate`, every change
   * of the operation (e.g. a backup's progress) is passed on while it runs.
   */
  wait(id: bigint, opts?: FollowOptions): ReturnType<typeof waitForOperation>;
}

/**
 * Creates a client of the daemon at `url` (e.g. "http://127.0.0.1:9898"), authenticated with
 * `auth`: `{ token }` (an API key `rw_…` or a session token) or `{ user, password }`; none
 * when the daemon has authentication disabled.
 */
export function createClient(
  url: string,
  auth?: RestwellAuth,
  opts: ClientOptions = {},
): RestwellClient {
  const transport = opts.transport ?? createFetchTransport(url, opts.fetch ?? globalThis.fetch);
  const headers: Record<string, string> = { ...opts.headers };
  const authorization = authorizationHeader(auth);
  if (authorization) headers.authorization = authorization;
  const withAuth: Transport = {
    unary: (method, signal, timeoutMs, header, input, contextValues) =>
      transport.unary(method, signal, timeoutMs, merge(header, headers), input, contextValues),
    stream: (method, signal, timeoutMs, header, input, contextValues) =>
      transport.stream(method, signal, timeoutMs, merge(header, headers), input, contextValues),
  };
  const backrest = createConnectClient(Backrest, withAuth);
  return {
    backrest,
    authentication: createConnectClient(Authentication, withAuth),
    apiKeys: createConnectClient(ApiKeys, withAuth),
    audit: createConnectClient(Audit, withAuth),
    wait: (id, follow) => waitForOperation(backrest, id, follow),
  };
}

function merge(
  header: ConstructorParameters<typeof Headers>[0],
  extra: Record<string, string>,
): Headers {
  const out = new Headers(header);
  for (const [k, v] of Object.entries(extra)) if (!out.has(k)) out.set(k, v);
  return out;
}
