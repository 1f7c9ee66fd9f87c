/**
 * Well-formed calls through the connect-node transports (Connect binary over HTTP/1.1, gRPC
 * over HTTP/2), reduced to the same Outcome as the raw calls of rpc-wire.ts.
 */
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createClient,
  type Interceptor,
  type Transport,
} from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { type Outcome, snake } from "./rpc-wire.js";

/** Sets a fixed Authorization header on every call of a transport. */
function withAuthorization(value: string | undefined): Interceptor {
  return (next) => (req) => {
    if (value !== undefined) req.header.set("authorization", value);
    return next(req);
  };
}

/** The connect-node transports: Connect binary over HTTP/1.1 and gRPC over HTTP/2. */
export function typedTransports(
  baseUrl: string,
  authorization: string | undefined,
): Record<"client-connect" | "client-grpc", Transport> {
  const interceptors = [withAuthorization(authorization)];
  return {
    "client-connect": createConnectTransport({
      baseUrl,
      httpVersion: "1.1",
      useBinaryFormat: true,
      interceptors,
    }),
    "client-grpc": createGrpcTransport({ baseUrl, interceptors }),
  };
}

/** Calls `method` with `input` through a typed transport; server streams are read for at most timeoutMs. */
export async function typedCall(
  transport: Transport,
  protocol: "client-connect" | "client-grpc",
  service: DescService,
  method: DescMethod,
  input: unknown,
  timeoutMs = 10_000,
): Promise<Outcome> {
  const client = createClient(service, transport) as unknown as Record<
    string,
    (input: unknown, opts?: unknown) => unknown
  >;
  const fn = client[method.localName];
  if (!fn) throw new Error(`${method.name} is not callable`);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    if (method.methodKind === "unary") {
      await fn(input, { signal: controller.signal });
    } else if (method.methodKind === "server_streaming") {
      for await (const _ of fn(input, { signal: controller.signal }) as AsyncIterable<unknown>) {
        // read until the time is up
      }
    } else {
      const messages = (async function* () {
        yield input;
      })();
      for await (const _ of fn(messages, { signal: controller.signal }) as AsyncIterable<unknown>) {
        // read until the time is up
      }
    }
    return { protocol, httpStatus: 200, code: "ok", message: "" };
  } catch (err) {
    const e = ConnectError.from(err);
    if (controller.signal.aborted && method.methodKind !== "unary")
      return { protocol, httpStatus: 200, code: "ok", message: "", streamOpen: true };
    if (controller.signal.aborted) return { protocol, httpStatus: 0, code: "timeout", message: "" };
    return {
      protocol,
      httpStatus: 0,
      code: snake(Code[e.code] ?? "unknown"),
      message: e.rawMessage,
    };
  } finally {
    clearTimeout(timer);
  }
}
