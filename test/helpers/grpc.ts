/**
 * A plain gRPC client (@grpc/grpc-js over h2c) built from the generated descriptors, the way
 * a third-party gRPC tool would call the daemon: path `/<package.Service>/<Method>`, binary
 * protobuf bodies, insecure credentials.
 */

import { after } from "node:test";
import {
  type DescMessage,
  type DescMethodServerStreaming,
  type DescMethodUnary,
  fromBinary,
  type MessageShape,
  toBinary,
} from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";

export { grpc };

/** `/v1.Backrest/Backup` for Backrest.method.backup. */
export function grpcPath(method: { parent: { typeName: string }; name: string }): string {
  return `/${method.parent.typeName}/${method.name}`;
}

export interface GrpcTestClient {
  /** Calls a unary method; rejects with a grpc.ServiceError (has `code`) on failure. */
  unary<I extends DescMessage, O extends DescMessage>(
    method: DescMethodUnary<I, O>,
    input: MessageShape<I>,
    metadata?: Record<string, string>,
  ): Promise<MessageShape<O>>;
  /** Starts a server-streaming call; cancel it with `call.cancel()`. */
  serverStream<I extends DescMessage, O extends DescMessage>(
    method: DescMethodServerStreaming<I, O>,
    input: MessageShape<I>,
    metadata?: Record<string, string>,
  ): grpc.ClientReadableStream<MessageShape<O>>;
  close(): void;
}

function toMetadata(entries: Record<string, string> = {}): grpc.Metadata {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(entries)) md.set(k, v);
  return md;
}

/** Connects to `127.0.0.1:<port>` without TLS; closed when the test file ends. */
export function createGrpcTestClient(port: number): GrpcTestClient {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  after(() => client.close());
  return {
    unary(method, input, metadata) {
      return new Promise((resolve, reject) => {
        client.makeUnaryRequest(
          grpcPath(method),
          (m: MessageShape<typeof method.input>) => Buffer.from(toBinary(method.input, m)),
          (b: Buffer) => fromBinary(method.output, b),
          input,
          toMetadata(metadata),
          {},
          (err, value) => (err || value === undefined ? reject(err) : resolve(value)),
        );
      });
    },
    serverStream(method, input, metadata) {
      return client.makeServerStreamRequest(
        grpcPath(method),
        (m: MessageShape<typeof method.input>) => Buffer.from(toBinary(method.input, m)),
        (b: Buffer) => fromBinary(method.output, b),
        input,
        toMetadata(metadata),
        {},
      );
    },
    close: () => client.close(),
  };
}

/** Basic credentials as an Authorization header value. */
export function basicAuthHeader(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}
