/**
 * The daemon's own path for the most common RPC call: a Connect unary POST with an
 * uncompressed JSON or binary body (curl, fetch, scripts, plan hooks, the web UI).
 *
 * connect-node's adapter turns every request into web streams, Headers and linked
 * AbortSignals before Connect's protocol handler sees it, and ends each call by aborting a
 * signal (a DOMException with a stack trace); on small calls that work cost four to eight
 * times the daemon's own (BENCHMARKS.md, API throughput). This path reads the body in one
 * piece and writes the answer in one piece (unary-call.ts; answers of one event-loop turn are
 * written together, answer-writes.ts), and in between uses Connect's own
 * parts where they cost little: the method's serialization, the error JSON, the HTTP status
 * of each code, the trailer headers and the compression negotiation. The interceptors and the
 * implementation are invoked as Connect does, with the call's signal made only when used.
 * Everything else (GET, gRPC, gRPC-Web, streams, compressed requests, a timeout header,
 * another protocol version) stays with connect-node: `match` returns undefined for it.
 * test/e2e/unary-path.test.ts sends the same requests both ways and compares the answers.
 *
 * Two things differ on purpose:
 * - a binary body that is not the method's message is INVALID_ARGUMENT (HTTP 400), as a
 *   malformed JSON body already is; connect-node answers INTERNAL (HTTP 500);
 * - an answer that is frozen (src/deep-freeze.ts: the config, the dashboard), or a list of
 *   frozen messages (the operations), is shared and never changes, so its serialized and
 *   compressed bytes are kept with it and reused (answer-encodings.ts).
 */
import type { DescMessage } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  type ConnectRouter,
  type ContextValues,
  createMethodImplSpec,
  createServiceImplSpec,
  type Interceptor,
  type MethodImplSpec,
} from "@connectrpc/connect";
import {
  type Compression,
  compressionNegotiate,
  createMethodSerializationLookup,
  type MethodSerializationLookup,
  validateReadWriteMaxBytes,
} from "@connectrpc/connect/protocol";
import {
  codeToHttpStatus,
  contentTypeUnaryJson,
  contentTypeUnaryProto,
  errorToJsonBytes,
  headerContentType,
  headerProtocolVersion,
  headerTimeout,
  headerUnaryAcceptEncoding,
  headerUnaryContentLength,
  headerUnaryEncoding,
  parseContentType,
  protocolVersion,
  trailerMux,
} from "@connectrpc/connect/protocol-connect";
import { createAnswerEncodings } from "./answer-encodings.js";
import { createAnswerWrites } from "./answer-writes.js";
import type { NodeRequest, NodeResponse } from "./http-handler.js";
import { createUnaryCall, readBody, single, type UnarySpec } from "./unary-call.js";

/** Serialization of any method's input and output. */
type Lookup = MethodSerializationLookup<DescMessage, DescMessage>;

/** A request this path serves: its method and body format. */
export interface UnaryRoute {
  readonly spec: UnarySpec;
  readonly binary: boolean;
  readonly serialization: Lookup;
}

export interface UnaryPath {
  /**
   * Wraps the router that services are registered on, so this path learns their unary
   * methods; services registered with options of their own are left to connect-node.
   */
  record(router: ConnectRouter): ConnectRouter;
  /** The route of a request this path serves, or undefined for connect-node's. */
  match(req: NodeRequest): UnaryRoute | undefined;
  /** Answers a matched request; never rejects. */
  serve(
    route: UnaryRoute,
    req: NodeRequest,
    res: NodeResponse,
    values: ContextValues,
  ): Promise<void>;
}

export interface UnaryPathOptions {
  interceptors: Interceptor[];
  readMaxBytes: number;
  acceptCompression: Compression[];
}

/** Connect's header names as Node gives them (lower case). */
const NODE = {
  timeout: headerTimeout.toLowerCase(),
  protocolVersion: headerProtocolVersion.toLowerCase(),
  encoding: headerUnaryEncoding.toLowerCase(),
  contentType: headerContentType.toLowerCase(),
  acceptEncoding: headerUnaryAcceptEncoding.toLowerCase(),
  contentLength: headerUnaryContentLength.toLowerCase(),
};

export function createUnaryPath(opts: UnaryPathOptions): UnaryPath {
  const limits = validateReadWriteMaxBytes(opts.readMaxBytes, undefined, undefined);
  // Each method's route for a JSON body and for a binary one, made once.
  const routes = new Map<string, { jsonBody: UnaryRoute; binaryBody: UnaryRoute }>();
  const encodings = createAnswerEncodings();
  const writes = createAnswerWrites();

  const add = (spec: MethodImplSpec) => {
    if (spec.kind !== "unary") return;
    const route = {
      spec: spec as UnarySpec,
      serialization: createMethodSerializationLookup(spec.method, undefined, undefined, limits),
    };
    routes.set(`/${spec.method.parent.typeName}/${spec.method.name}`, {
      jsonBody: { ...route, binary: false },
      binaryBody: { ...route, binary: true },
    });
  };

  return {
    record(router) {
      const recording: ConnectRouter = {
        get handlers() {
          return router.handlers;
        },
        service(service, impl, options) {
          if (!options)
            for (const spec of Object.values(createServiceImplSpec(service, impl).methods))
              add(spec);
          router.service(service, impl, options);
          return recording;
        },
        rpc(method, impl, options) {
          if (!options) add(createMethodImplSpec(method, impl));
          router.rpc(method, impl, options);
          return recording;
        },
      };
      return recording;
    },

    match(req) {
      if (req.method !== "POST") return undefined;
      const found = routes.get(req.url ?? "");
      if (!found) return undefined;
      const h = req.headers;
      if (h[NODE.timeout] !== undefined) return undefined;
      const version = h[NODE.protocolVersion];
      if (version !== undefined && version !== protocolVersion) return undefined;
      const encoding = h[NODE.encoding];
      if (encoding !== undefined && encoding !== "identity") return undefined;
      const binary = unaryBinary(single(h[NODE.contentType]));
      if (binary === undefined) return undefined;
      return binary ? found.binaryBody : found.jsonBody;
    },

    async serve(route, req, res, values) {
      try {
        await answer(route, req, res, values);
      } catch {
        // Writing failed (the client is gone); nothing is left to tell anyone.
        res.destroy();
      }
    },
  };

  async function answer(
    route: UnaryRoute,
    req: NodeRequest,
    res: NodeResponse,
    values: ContextValues,
  ) {
    const { spec, binary, serialization } = route;
    const call = createUnaryCall({
      spec,
      req,
      res,
      values,
      contentType: binary ? contentTypeUnaryProto : contentTypeUnaryJson,
      interceptors: opts.interceptors,
    });
    const compression = compressionNegotiate(
      opts.acceptCompression,
      null,
      single(req.headers[NODE.acceptEncoding]) ?? null,
      headerUnaryAcceptEncoding,
    ).response;
    let status = 200;
    let body: Uint8Array;
    let output: object | undefined;
    try {
      const input = parse(serialization, binary, await readBody(req, limits.readMaxBytes), spec);
      const answer = (await call.invoke(input)) as object;
      output = answer;
      body = encodings.serialized(spec.method.output, answer, binary, () =>
        serialization.getO(binary).serialize(answer as never),
      );
    } catch (e) {
      call.end(e);
      output = undefined;
      const error =
        e instanceof ConnectError
          ? e
          : new ConnectError("internal error", Code.Internal, undefined, undefined, e);
      status = codeToHttpStatus(error.code);
      call.responseHeader.set(headerContentType, contentTypeUnaryJson);
      for (const [key, value] of error.metadata) call.responseHeader.set(key, value);
      body = errorToJsonBytes(error, undefined);
    } finally {
      call.end();
    }
    if (compression && body.byteLength >= limits.compressMinBytes) {
      const plain = body;
      body = await encodings.compressed(output, binary, compression, () =>
        compression.compress(plain),
      );
      call.responseHeader.set(headerUnaryEncoding, compression.name);
    }
    const trailer = call.trailerIfAny();
    const header = trailer ? trailerMux(call.responseHeader, trailer) : call.responseHeader;
    const head: Record<string, string> = {};
    for (const [key, value] of header) head[key] = value;
    head[NODE.contentLength] = String(body.byteLength);
    const bytes = body;
    writes.push(
      () => {
        res.writeHead(status, head);
        res.end(bytes);
      },
      // Writing failed (the client is gone); nothing is left to tell anyone.
      () => res.destroy(),
    );
  }
}

/**
 * Whether a unary call's content type is binary; undefined for a stream or for a type that is
 * not Connect's. The two exact types clients send skip connect's pattern.
 */
function unaryBinary(contentType: string | undefined): boolean | undefined {
  if (contentType === contentTypeUnaryJson) return false;
  if (contentType === contentTypeUnaryProto) return true;
  const type = parseContentType(contentType ?? null);
  return type && !type.stream ? type.binary : undefined;
}

/** The request message; a binary body that does not parse is the client's mistake. */
function parse(serialization: Lookup, binary: boolean, bytes: Uint8Array, spec: UnarySpec) {
  try {
    return serialization.getI(binary).parse(bytes);
  } catch (e) {
    if (!binary || !(e instanceof ConnectError) || e.code !== Code.Internal) throw e;
    throw new ConnectError(
      `the request body is not a ${spec.method.input.typeName} message in the protobuf binary format (${e.rawMessage}): send the message encoded with the API's proto files`,
      Code.InvalidArgument,
    );
  }
}
