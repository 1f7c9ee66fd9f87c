/**
 * gRPC server reflection (grpc.reflection.v1 and the older v1alpha), so that grpcurl and
 * similar tools can list and call the daemon's services without .proto files. Each stream
 * answers its requests in order; the answers come from reflection-index.ts.
 *
 * The two protocol versions have the same messages under different package names, so v1alpha
 * messages are converted to v1 through their (identical) binary encoding.
 */
import { type DescService, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { ConnectRouter } from "@connectrpc/connect";
import {
  ServerReflectionRequestSchema as RequestV1,
  ServerReflectionResponseSchema as ResponseV1,
  type ServerReflectionRequest,
  type ServerReflectionResponse,
  ServerReflection as ServerReflectionV1,
} from "../../gen/grpc/reflection/v1/reflection_pb.js";
import {
  ServerReflectionRequestSchema as RequestV1Alpha,
  ServerReflectionResponseSchema as ResponseV1Alpha,
  ServerReflection as ServerReflectionV1Alpha,
} from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import {
  answerReflection,
  createReflectionIndex,
  type ReflectionIndex,
} from "./reflection-index.js";

/**
 * Registers both reflection services on `router`. They describe the services `services()`
 * returns when a stream starts (the reflection services themselves included, as in grpc-go).
 */
export function registerServerReflection(
  router: ConnectRouter,
  services: () => readonly DescService[],
): void {
  const indexOf = cachedIndex(services);
  router.service(ServerReflectionV1, {
    serverReflectionInfo: (requests) => answerStream(indexOf(), requests),
  });
  router.service(ServerReflectionV1Alpha, {
    async *serverReflectionInfo(requests) {
      const asV1 = mapStream(requests, (r) => fromBinary(RequestV1, toBinary(RequestV1Alpha, r)));
      for await (const response of answerStream(indexOf(), asV1)) {
        yield fromBinary(ResponseV1Alpha, toBinary(ResponseV1, response));
      }
    },
  });
}

/** The index of the current services, rebuilt only when the list changes. */
function cachedIndex(services: () => readonly DescService[]): () => ReflectionIndex {
  let cached: { key: string; index: ReflectionIndex } | undefined;
  return () => {
    const list = services();
    const key = list.map((s) => s.typeName).join(",");
    if (cached?.key !== key) cached = { key, index: createReflectionIndex(list) };
    return cached.index;
  };
}

async function* answerStream(
  index: ReflectionIndex,
  requests: AsyncIterable<ServerReflectionRequest>,
): AsyncGenerator<ServerReflectionResponse> {
  const sent = new Set<string>();
  for await (const request of requests) yield answerReflection(index, request, sent);
}

async function* mapStream<A, B>(source: AsyncIterable<A>, fn: (a: A) => B): AsyncGenerator<B> {
  for await (const item of source) yield fn(item);
}
