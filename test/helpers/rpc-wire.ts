/**
 * Raw RPC calls for fuzzing: any bytes as the body of any method, over the Connect protocol
 * (JSON and binary, unary and streaming, HTTP/1.1), gRPC (HTTP/2) and gRPC-Web (HTTP/1.1).
 * Every call is bounded in time and reduced to one Outcome (rpc-typed.ts does the same for
 * well-formed messages through the connect-node transports).
 */
import { readdirSync } from "node:fs";
import http2 from "node:http2";
import { join } from "node:path";
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";

const GEN = join(import.meta.dirname, "..", "..", "gen");

/** Every service in gen/, found by walking its files (a new one cannot be missed). */
export async function allServices(): Promise<DescService[]> {
  const files = readdirSync(GEN, { recursive: true, encoding: "utf8" }).filter((f) =>
    f.endsWith("_pb.ts"),
  );
  const services: DescService[] = [];
  for (const file of files) {
    const mod = (await import(join(GEN, file))) as Record<string, unknown>;
    for (const value of Object.values(mod)) {
      if (value && typeof value === "object" && (value as { kind?: string }).kind === "service")
        services.push(value as DescService);
    }
  }
  return services;
}

export type WireProtocol = "connect-json" | "connect-proto" | "grpc" | "grpc-web";

/** How long an answered server stream is read before the call stops it (it may never end). */
const STREAM_READ_MS = 500;

/** How a call ended, in the terms of its protocol. */
export interface Outcome {
  protocol: WireProtocol | "client-connect" | "client-grpc";
  /** HTTP status (gRPC: of the HTTP/2 response; 0 when none arrived). */
  httpStatus: number;
  /** The RPC code in Connect's lower snake case ("ok" for success, "timeout" when we gave up). */
  code: string;
  message: string;
  /** True when the stream was still open (no error) when we stopped reading it. */
  streamOpen?: boolean;
}

/** gRPC status numbers to Connect's code names (gRPC's 0 is OK, which Code has no member for). */
const GRPC_CODES: Record<string, string> = {
  "0": "ok",
  ...Object.fromEntries(
    Object.entries(Code)
      .filter(([, v]) => typeof v === "number")
      .map(([k, v]) => [String(v), snake(k)]),
  ),
};

/** "InvalidArgument" -> "invalid_argument" (Connect's names of codes). */
export function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c, i: number) => (i === 0 ? "" : "_") + c.toLowerCase());
}

/** A length-prefixed message frame (Connect streaming, gRPC, gRPC-Web). */
export function envelope(payload: Buffer, flags = 0): Buffer {
  const head = Buffer.alloc(5);
  head[0] = flags;
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

export interface RawCall {
  baseUrl: string;
  method: DescMethod;
  protocol: WireProtocol;
  /** The message bytes (JSON text or protobuf); enveloped here where the protocol needs it. */
  body: Buffer;
  /** A ready envelope to send instead (malformed frames). */
  rawFrame?: Buffer;
  authorization?: string;
  /** Give up after this long (default 10 s); an open server stream then counts as fine. */
  timeoutMs?: number;
  /** For gRPC: the HTTP/2 session to use. */
  session?: http2.ClientHttp2Session;
}

function pathOf(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}

/** Sends one raw call and reduces the answer to an Outcome. */
export async function rawCall(call: RawCall): Promise<Outcome> {
  if (call.protocol === "grpc") return grpcCall(call);
  const streaming = call.method.methodKind !== "unary";
  const json = call.protocol === "connect-json";
  const contentType =
    call.protocol === "grpc-web"
      ? "application/grpc-web+proto"
      : `application/${streaming ? "connect+" : ""}${json ? "json" : "proto"}`;
  const enveloped = call.protocol === "grpc-web" || streaming;
  const body = call.rawFrame ?? (enveloped ? envelope(call.body) : call.body);
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(), call.timeoutMs ?? 10_000);
  const headers: Record<string, string> = { "content-type": contentType };
  if (call.authorization !== undefined) headers.authorization = call.authorization;
  if (call.protocol === "grpc-web") headers["x-grpc-web"] = "1";
  else if (!streaming) headers["connect-protocol-version"] = "1";
  const protocol = call.protocol;
  try {
    const res = await fetchRetryingStaleSocket(`${call.baseUrl}${pathOf(call.method)}`, {
      method: "POST",
      headers,
      body,
      signal: controller.signal,
    });
    // An answered server stream may stay open (events): read it briefly, then stop.
    if (streaming) {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(), STREAM_READ_MS);
    }
    const data = await readBounded(res, controller.signal);
    if (protocol === "grpc-web") return grpcWebOutcome(res, data.bytes, data.open);
    if (!streaming || res.status !== 200)
      return connectUnaryOutcome(protocol, res.status, data.bytes);
    return connectStreamOutcome(protocol, data.bytes, data.open);
  } catch (err) {
    if (controller.signal.aborted) return { protocol, httpStatus: 0, code: "timeout", message: "" };
    const cause = (err as { cause?: unknown }).cause;
    return { protocol, httpStatus: 0, code: "transport", message: `${err} (${cause})` };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * fetch, tried once more when a pooled keep-alive connection turns out closed by the server
 * (its idle timeout raced the request): a client-side race, not an answer. A daemon that is
 * gone fails the second try too.
 */
async function fetchRetryingStaleSocket(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code;
    if (init.signal?.aborted || !["UND_ERR_SOCKET", "ECONNRESET", "EPIPE"].includes(code ?? ""))
      throw err;
    return fetch(url, init);
  }
}

/** Reads at most 1 MiB of a response; stops (open: true) when the call's time is up. */
async function readBounded(
  res: Response,
  signal: AbortSignal,
): Promise<{ bytes: Buffer; open: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  if (!res.body) return { bytes: Buffer.alloc(0), open: false };
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      if (size < 1024 * 1024) chunks.push(Buffer.from(chunk));
      size += chunk.length;
    }
    return { bytes: Buffer.concat(chunks), open: false };
  } catch (err) {
    if (signal.aborted) return { bytes: Buffer.concat(chunks), open: true };
    throw err;
  }
}

function connectUnaryOutcome(protocol: WireProtocol, status: number, body: Buffer): Outcome {
  if (status === 200) return { protocol, httpStatus: status, code: "ok", message: "" };
  try {
    const err = JSON.parse(body.toString("utf8")) as { code?: string; message?: string };
    return { protocol, httpStatus: status, code: err.code ?? "none", message: err.message ?? "" };
  } catch {
    return { protocol, httpStatus: status, code: "none", message: body.toString("utf8", 0, 200) };
  }
}

function connectStreamOutcome(protocol: WireProtocol, body: Buffer, open: boolean): Outcome {
  for (const frame of frames(body)) {
    if (!(frame.flags & 2)) continue;
    const end = JSON.parse(frame.payload.toString("utf8")) as {
      error?: { code?: string; message?: string };
    };
    if (end.error)
      return {
        protocol,
        httpStatus: 200,
        code: end.error.code ?? "none",
        message: end.error.message ?? "",
      };
    return { protocol, httpStatus: 200, code: "ok", message: "" };
  }
  return {
    protocol,
    httpStatus: 200,
    code: open ? "ok" : "no-end-frame",
    message: "",
    streamOpen: open,
  };
}

function grpcWebOutcome(res: Response, body: Buffer, open: boolean): Outcome {
  const header = res.headers.get("grpc-status");
  let status = header ?? undefined;
  let message = res.headers.get("grpc-message") ?? "";
  for (const frame of frames(body)) {
    if (!(frame.flags & 0x80)) continue;
    for (const line of frame.payload.toString("utf8").split("\r\n")) {
      const [k, ...v] = line.split(":");
      if (k?.trim().toLowerCase() === "grpc-status") status = v.join(":").trim();
      if (k?.trim().toLowerCase() === "grpc-message") message = v.join(":").trim();
    }
  }
  if (status === undefined) {
    return {
      protocol: "grpc-web",
      httpStatus: res.status,
      code: open ? "ok" : res.status === 200 ? "no-status" : `http-${res.status}`,
      message: "",
      streamOpen: open,
    };
  }
  return {
    protocol: "grpc-web",
    httpStatus: res.status,
    code: GRPC_CODES[status] ?? `grpc-${status}`,
    message: decodeURIComponent(message),
  };
}

function* frames(data: Buffer): Generator<{ flags: number; payload: Buffer }> {
  for (let i = 0; i + 5 <= data.length; ) {
    const len = data.readUInt32BE(i + 1);
    yield { flags: data[i] as number, payload: data.subarray(i + 5, i + 5 + len) };
    i += 5 + len;
  }
}

function grpcCall(call: RawCall): Promise<Outcome> {
  const session = call.session;
  if (!session) throw new Error("a gRPC call needs an HTTP/2 session");
  return new Promise<Outcome>((resolve) => {
    const headers: http2.OutgoingHttpHeaders = {
      ":method": "POST",
      ":path": pathOf(call.method),
      "content-type": "application/grpc+proto",
      te: "trailers",
    };
    if (call.authorization !== undefined) headers.authorization = call.authorization;
    let httpStatus = 0;
    let grpcStatus: string | undefined;
    let message = "";
    let done = false;
    const finish = (outcome: Outcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const req = session.request(headers);
    const stop = () => {
      req.close(http2.constants.NGHTTP2_CANCEL);
      const open = httpStatus === 200 && grpcStatus === undefined;
      finish({
        protocol: "grpc",
        httpStatus,
        code: open ? "ok" : "timeout",
        message,
        streamOpen: open,
      });
    };
    let timer = setTimeout(stop, call.timeoutMs ?? 10_000);
    const take = (h: http2.IncomingHttpHeaders) => {
      const s = h["grpc-status"];
      if (s !== undefined) grpcStatus = String(s);
      const m = h["grpc-message"];
      if (m !== undefined) message = decodeURIComponent(String(m));
    };
    const settled = () => {
      // Done once the status is in; the server may not read the rest of a body it refused.
      if (grpcStatus === undefined) return;
      req.close(http2.constants.NGHTTP2_NO_ERROR);
      finish({
        protocol: "grpc",
        httpStatus,
        code: GRPC_CODES[grpcStatus] ?? `grpc-${grpcStatus}`,
        message,
      });
    };
    req.on("response", (h) => {
      httpStatus = Number(h[":status"] ?? 0);
      take(h);
      settled();
      // An answered server stream may stay open (events): read it briefly, then stop.
      if (!done && call.method.methodKind !== "unary") {
        clearTimeout(timer);
        timer = setTimeout(stop, STREAM_READ_MS);
      }
    });
    req.on("trailers", (h) => {
      take(h);
      settled();
    });
    req.on("data", () => {});
    req.on("error", (err) =>
      finish({ protocol: "grpc", httpStatus, code: "transport", message: String(err) }),
    );
    req.on("close", () => {
      if (grpcStatus === undefined)
        finish({ protocol: "grpc", httpStatus, code: `reset-${req.rstCode}`, message });
      else settled();
    });
    req.end(call.rawFrame ?? envelope(call.body));
  });
}
