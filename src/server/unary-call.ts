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
import { NodeRequestHeaders } from "./request-headers.js";

/** A unary method with its implementation. */
export type UnarySpec = Extract<MethodImplSpec, { kind: "unary" }>;

type Next = (req: UnaryRequest<DescMessage, DescMessage>) => Promise<UnaryResponse>;

/** What a finished call's signal says, if anything still listens: made once, cheaply. */
const CALL_ENDED = new ConnectError("the call has ended", Code.Canceled);
const CLIENT_GONE = "the client closed the connection before the answer";
const GONE_MID_REQUEST = "the client closed the connection mid-request";

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

/**
 * Creates a call. Its request, handler context and answer are class instances with their
 * getters on the prototype: an object literal with a getter gets a hidden class of its own
 * each time it is made (the getter is a new closure), which made every call allocate in the
 * old generation and every property read on these objects megamorphic.
 */
export function createUnaryCall(init: UnaryCallInit): UnaryCall {
  return new Call(init);
}

class Call implements UnaryCall {
  readonly responseHeader: Headers;
  private controller: AbortController | undefined;
  /** Why the call's signal is aborted, once it is (the first reason wins, as for a signal). */
  private reason: unknown;
  private trailer: Headers | undefined;
  /** The answer as the implementation made it: its headers and trailers are the call's own. */
  private ownAnswer: UnaryResponse | undefined;

  constructor(private readonly init: UnaryCallInit) {
    // Headers made empty and then set: from a record, undici's constructor costs twice as much.
    this.responseHeader = new Headers();
    this.responseHeader.set(headerContentType, init.contentType);
  }

  /**
   * The call's signal, made on first use, and only then listening for the client leaving
   * (a listener on every response was a cost for the many calls that never read it).
   */
  signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      const { res } = this.init;
      const clientGone = () => {
        if (!res.writableFinished) this.abort(new ConnectError(CLIENT_GONE, Code.Canceled));
      };
      if (this.reason !== undefined) this.controller.abort(this.reason);
      else if (res.closed) clientGone();
      else res.once("close", clientGone);
    }
    return this.controller.signal;
  }

  responseTrailer(): Headers {
    this.trailer ??= new Headers();
    return this.trailer;
  }

  trailerIfAny(): Headers | undefined {
    return this.trailer;
  }

  async invoke(input: unknown): Promise<unknown> {
    const { spec, req, interceptors } = this.init;
    let next: Next = (r) => this.implementation(r);
    for (let i = interceptors.length - 1; i >= 0; i--)
      next = (interceptors[i] as Interceptor)(next as never) as Next;
    const answer = await next(
      new CallRequest(
        this,
        spec.method,
        `http://${single(req.headers.host) ?? "localhost"}${req.url}`,
        new NodeRequestHeaders(req.headers),
        this.init.values,
        input as never,
      ),
    );
    // An interceptor that answered with an object of its own brings its own headers.
    if (answer !== this.ownAnswer) {
      copyHeaders(answer.header, this.responseHeader);
      if (answer.trailer) copyHeaders(answer.trailer, this.responseTrailer());
    }
    return answer.message;
  }

  end(why?: unknown): void {
    this.abort(why ?? CALL_ENDED);
  }

  private abort(why: unknown): void {
    this.reason ??= why;
    this.controller?.abort(this.reason);
  }

  private async implementation(r: UnaryRequest<DescMessage, DescMessage>): Promise<UnaryResponse> {
    const { method, impl } = this.init.spec;
    const out = await impl(r.message as never, new CallContext(this, r));
    const output = method.output;
    const message = isMessage(out, output) ? out : create(output, out as never);
    this.ownAnswer = new CallAnswer(this, r.service, method, message as never);
    return this.ownAnswer;
  }
}

type Method = UnarySpec["method"];

/** What interceptors see of the request; its signal is made when first read. */
class CallRequest implements UnaryRequest<DescMessage, DescMessage> {
  readonly stream = false;
  readonly requestMethod = "POST";
  readonly service: Method["parent"];

  constructor(
    private readonly call: Call,
    readonly method: Method,
    readonly url: string,
    readonly header: Headers,
    readonly contextValues: ContextValues,
    readonly message: never,
  ) {
    this.service = method.parent;
  }

  get signal(): AbortSignal {
    return this.call.signal();
  }
}

/** The implementation's context. */
class CallContext implements HandlerContext {
  readonly protocolName = "connect";
  readonly method: Method;
  readonly service: Method["parent"];
  readonly requestMethod: string;
  readonly url: string;
  readonly requestHeader: Headers;
  readonly responseHeader: Headers;
  readonly values: ContextValues;

  constructor(
    private readonly call: Call,
    private readonly request: UnaryRequest<DescMessage, DescMessage>,
  ) {
    this.method = request.method as Method;
    this.service = request.service;
    this.requestMethod = request.requestMethod;
    this.url = request.url;
    this.requestHeader = request.header;
    this.responseHeader = call.responseHeader;
    this.values = request.contextValues;
  }

  timeoutMs(): undefined {
    return undefined;
  }

  get responseTrailer(): Headers {
    return this.call.responseTrailer();
  }

  get signal(): AbortSignal {
    // An interceptor may pass on a copy of the request ({ ...req }), which has no getter.
    return this.request.signal ?? this.call.signal();
  }
}

/** The implementation's answer; its trailers are made when first asked for. */
class CallAnswer implements UnaryResponse<DescMessage, DescMessage> {
  readonly stream = false;
  readonly header: Headers;

  constructor(
    private readonly call: Call,
    readonly service: Method["parent"],
    readonly method: Method,
    readonly message: never,
  ) {
    this.header = call.responseHeader;
  }

  get trailer(): Headers {
    return this.call.responseTrailer();
  }
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
    return Promise.reject(new ConnectError(GONE_MID_REQUEST, Code.Canceled));
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
      reject(new ConnectError(GONE_MID_REQUEST, Code.Canceled));
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
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
