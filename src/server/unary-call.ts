/**
 * One call on the daemon's own unary path (unary-path.ts): its request body read in one piece,
 * and its interceptors and implementation invoked as Connect's invokeUnaryImplementation does,
 * except that the call's AbortSignal is made only when something reads it. Most calls never
 * do; creating, linking and finally aborting three signals per call (connect-node's adapter
 * and handler context) was a tenth of a small call's CPU.
 */
import { create, type DescMessage, isMessage } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  type ContextValues,
  type HandlerContext,
  type Interceptor,
  type MethodImplSpec,
  type UnaryRequest,
  type UnaryResponse,
} from "@connectrpc/connect";
import { headerContentType } from "@connectrpc/connect/protocol-connect";
import type { NodeRequest, NodeResponse } from "./http-handler.js";

/** A unary method with its implementation. */
export type UnarySpec = Extract<MethodImplSpec, { kind: "unary" }>;

type Next = (req: UnaryRequest<DescMessage, DescMessage>) => Promise<UnaryResponse>;

/** What a finished call's signal says, if anything still listens: made once, cheaply. */
const CALL_ENDED = new ConnectError("the call has ended", Code.Canceled);
const CLIENT_GONE = "the client closed the connection before the answer";

export interface UnaryCall {
  /** Headers of the answer; the content type is set. */
  readonly responseHeader: Headers;
  /** Trailers of the answer (sent as trailer- headers), if any were set. */
  trailerIfAny(): Headers | undefined;
  /** Runs the interceptors and the implementation on `input`; returns the answer. */
  invoke(input: unknown): Promise<unknown>;
  /** Ends the call: its signal, if one was made, aborts with `reason` (default: ended). */
  end(reason?: unknown): void;
}

export interface UnaryCallInit {
  spec: UnarySpec;
  req: NodeRequest;
  res: NodeResponse;
  values: ContextValues;
  contentType: string;
  interceptors: Interceptor[];
}

export function createUnaryCall(init: UnaryCallInit): UnaryCall {
  const { spec, req, res } = init;
  let controller: AbortController | undefined;
  // Why the call's signal is aborted, once it is (the first reason wins, as for a signal).
  let reason: unknown;
  const abort = (why: unknown) => {
    reason ??= why;
    controller?.abort(reason);
  };
  res.once("close", () => {
    if (!res.writableFinished) abort(new ConnectError(CLIENT_GONE, Code.Canceled));
  });
  const signal = (): AbortSignal => {
    if (!controller) {
      controller = new AbortController();
      if (reason !== undefined) controller.abort(reason);
    }
    return controller.signal;
  };
  const responseHeader = new Headers({ [headerContentType]: init.contentType });
  let trailer: Headers | undefined;
  const responseTrailer = () => {
    trailer ??= new Headers();
    return trailer;
  };

  const implementation: Next = async (r) => {
    const ctx: HandlerContext = {
      method: spec.method,
      service: r.service,
      requestMethod: r.requestMethod,
      protocolName: "connect",
      url: r.url,
      timeoutMs: () => undefined,
      requestHeader: r.header,
      responseHeader,
      get responseTrailer() {
        return responseTrailer();
      },
      get signal() {
        return r.signal;
      },
      values: r.contextValues,
    };
    const out = await spec.impl(r.message as never, ctx);
    const output = spec.method.output;
    ownAnswer = {
      stream: false,
      service: r.service,
      method: spec.method,
      header: responseHeader,
      get trailer() {
        return responseTrailer();
      },
      message: isMessage(out, output) ? out : create(output, out as never),
    };
    return ownAnswer;
  };
  /** The answer as the implementation made it: its headers and trailers are the call's own. */
  let ownAnswer: UnaryResponse | undefined;

  return {
    responseHeader,
    trailerIfAny: () => trailer,
    async invoke(input) {
      let next = implementation;
      for (let i = init.interceptors.length - 1; i >= 0; i--)
        next = (init.interceptors[i] as Interceptor)(next as never) as Next;
      const request: UnaryRequest<DescMessage, DescMessage> = {
        stream: false,
        service: spec.method.parent,
        method: spec.method,
        requestMethod: "POST",
        url: `http://${single(req.headers.host) ?? "localhost"}${req.url}`,
        header: webHeaders(req.headers),
        contextValues: init.values,
        message: input as never,
        get signal() {
          return signal();
        },
      };
      const answer = await next(request);
      // An interceptor that answered with an object of its own brings its own headers.
      if (answer !== ownAnswer) {
        copyHeaders(answer.header, responseHeader);
        copyHeaders(answer.trailer, responseTrailer());
      }
      return answer.message;
    },
    end: (why) => abort(why ?? CALL_ENDED),
  };
}

/**
 * Reads a request body in one piece, refusing more than `max` bytes (a declared length
 * before reading) with RESOURCE_EXHAUSTED and the message connect-node gives.
 */
export function readBody(req: NodeRequest, max: number): Promise<Uint8Array> {
  const declared = Number(single(req.headers["content-length"]) ?? Number.NaN);
  if (declared > max)
    return Promise.reject(
      new ConnectError(
        `message size ${declared} is larger than configured readMaxBytes ${max}`,
        Code.ResourceExhausted,
      ),
    );
  if (req.destroyed)
    // Gone before its body was read: 'close' has fired already and would never fire again.
    return Promise.reject(
      new ConnectError("the client closed the connection mid-request", Code.Canceled),
    );
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        done();
        reject(
          new ConnectError(
            `message size is larger than configured readMaxBytes ${max}`,
            Code.ResourceExhausted,
          ),
        );
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    const onClose = () => {
      done();
      reject(new ConnectError("the client closed the connection mid-request", Code.Canceled));
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}

/** Node's request headers as web Headers, without HTTP/2 pseudo-headers. */
function webHeaders(headers: NodeRequest["headers"]): Headers {
  const out = new Headers();
  for (const name in headers) {
    if (name.startsWith(":")) continue;
    const value = headers[name];
    if (typeof value === "string") out.append(name, value);
    else if (value) for (const v of value) out.append(name, v);
  }
  return out;
}

/** Replaces `to`'s entries with `from`'s (nothing when they are the same object). */
function copyHeaders(from: Headers, to: Headers): void {
  if (from === to) return;
  for (const key of [...to.keys()]) to.delete(key);
  for (const [key, value] of from) to.set(key, value);
}

/** One header value (repeated ones joined as HTTP does). */
export function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}
