/**
 * gRPC server reflection on a real daemon, used the way grpcurl uses it: a grpc-js client with
 * no .proto files of our API (only the reflection messages) lists the services, fetches the
 * descriptors of v1.Backrest and v1.Authentication, builds a registry from them and calls
 * GetConfig and HashPassword with messages encoded from the reflected descriptors. Also: every
 * kind of symbol, errors for unknown names, dependencies sent once per stream, v1alpha, and
 * that reflection needs credentials.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import {
  create,
  createFileRegistry,
  type DescMessage,
  fromBinary,
  type Message,
  toBinary,
  toJson,
} from "@bufbuild/protobuf";
import {
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
} from "@bufbuild/protobuf/wkt";
import {
  type ServerReflectionRequest,
  ServerReflectionRequestSchema,
  type ServerReflectionResponse,
  ServerReflectionResponseSchema,
} from "../../gen/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import { hashPassword } from "../../src/auth/password.js";
import { startBackupFixture } from "../helpers/fixture.js";
import { basicAuthHeader, grpc } from "../helpers/grpc.js";

const AUTH = { authorization: basicAuthHeader("alice", "pw") };
type Init = Parameters<typeof create<typeof ServerReflectionRequestSchema>>[1];

function metadata(entries: Record<string, string>): grpc.Metadata {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(entries)) md.set(k, v);
  return md;
}

/** One reflection stream: each ask() writes a request and reads its response. */
function openStream<Req extends Message, Res extends Message>(
  client: grpc.Client,
  service: string,
  req: DescMessage,
  res: DescMessage,
  headers = AUTH,
) {
  const call = client.makeBidiStreamRequest(
    `/${service}/ServerReflectionInfo`,
    (m: Req) => Buffer.from(toBinary(req, m)),
    (b: Buffer) => fromBinary(res, b) as Res,
    metadata(headers),
  );
  const responses = call[Symbol.asyncIterator]() as AsyncIterator<Res>;
  return {
    call,
    async ask(init: Init): Promise<Res> {
      call.write(create(req, init as never) as Req);
      const next = await responses.next();
      assert.equal(next.done, false, "the stream answered");
      return next.value;
    },
    end: () => call.end(),
  };
}

function v1Stream(client: grpc.Client, headers = AUTH) {
  return openStream<ServerReflectionRequest, ServerReflectionResponse>(
    client,
    "grpc.reflection.v1.ServerReflection",
    ServerReflectionRequestSchema,
    ServerReflectionResponseSchema,
    headers,
  );
}

/** The files of a file_descriptor_response, decoded. */
function filesOf(res: ServerReflectionResponse): FileDescriptorProto[] {
  assert.equal(res.messageResponse.case, "fileDescriptorResponse", JSON.stringify(res));
  return res.messageResponse.value.fileDescriptorProto.map((b) =>
    fromBinary(FileDescriptorProtoSchema, b),
  );
}

function errorOf(res: ServerReflectionResponse): { errorCode: number; errorMessage: string } {
  assert.equal(res.messageResponse.case, "errorResponse", JSON.stringify(res));
  return res.messageResponse.value;
}

/**
 * A registry of received files, as grpcurl builds one. Reflection sends a file before its
 * imports; a FileDescriptorSet needs imports first, so the files are sorted (depth first).
 */
function registryOf(files: FileDescriptorProto[]) {
  const byName = new Map(files.map((f) => [f.name, f]));
  const sorted: FileDescriptorProto[] = [];
  const visit = (name: string) => {
    const file = byName.get(name);
    if (!file) throw new Error(`${name} was not sent`);
    if (sorted.includes(file)) return;
    for (const dep of file.dependency) visit(dep);
    sorted.push(file);
  };
  for (const f of files) visit(f.name);
  return createFileRegistry(create(FileDescriptorSetSchema, { file: sorted }));
}

describe("gRPC server reflection", async () => {
  const fx = await startBackupFixture({
    files: 3,
    auth: { users: [{ name: "alice", passwordBcrypt: await hashPassword("pw") }] },
  });
  const client = new grpc.Client(`127.0.0.1:${fx.daemon.port}`, grpc.credentials.createInsecure());
  after(() => client.close());

  it("lists services, reflects v1.Backrest and calls it with dynamic messages", async () => {
    const stream = v1Stream(client);
    try {
      const list = await stream.ask({ messageRequest: { case: "listServices", value: "" } });
      assert.equal(list.messageResponse.case, "listServicesResponse");
      const names = list.messageResponse.value.service.map((s) => s.name);
      for (const name of [
        "v1.Backrest",
        "v1.Authentication",
        "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection",
      ]) {
        assert.ok(names.includes(name), `${name} in ${names.join(", ")}`);
      }
      assert.equal(new Set(names).size, names.length);

      const backrest = filesOf(
        await stream.ask({
          messageRequest: { case: "fileContainingSymbol", value: "v1.Backrest" },
        }),
      );
      assert.equal(backrest[0]?.name, "v1/service.proto");
      const names1 = backrest.map((f) => f.name);
      for (const dep of ["google/protobuf/empty.proto", "types/value.proto", "v1/config.proto"]) {
        assert.ok(names1.includes(dep), `${dep} sent with v1/service.proto`);
      }
      const auth = filesOf(
        await stream.ask({
          messageRequest: { case: "fileContainingSymbol", value: "v1.Authentication" },
        }),
      );
      assert.equal(auth[0]?.name, "v1/authentication.proto");
      assert.ok(
        auth.every((f, i) => i === 0 || !names1.includes(f.name)),
        "imports already sent on this stream are not sent again",
      );

      const registry = registryOf([...backrest, ...auth]);
      const getConfig = registry
        .getService("v1.Backrest")
        ?.methods.find((m) => m.name === "GetConfig");
      assert.ok(getConfig);
      const config = await unary(
        client,
        "/v1.Backrest/GetConfig",
        getConfig.input,
        getConfig.output,
      );
      const json = toJson(getConfig.output, config, { registry }) as {
        instance?: string;
        repos?: { id: string; password: string }[];
      };
      assert.equal(json.instance, "test-host");
      assert.deepEqual(
        json.repos?.map((r) => [r.id, r.password]),
        [["local", "<redacted>"]],
      );

      const hash = registry
        .getService("v1.Authentication")
        ?.methods.find((m) => m.name === "HashPassword");
      assert.ok(hash);
      const hashed = await unary(
        client,
        "/v1.Authentication/HashPassword",
        hash.input,
        hash.output,
        {
          value: "s3cret",
        },
      );
      const value = (toJson(hash.output, hashed) as { value?: string }).value ?? "";
      assert.match(Buffer.from(value, "base64").toString("utf8"), /^\$2[aby]\$\d\d\$/);
    } finally {
      stream.end();
    }
  });

  it("finds the file of every kind of symbol, and of file names", async () => {
    const stream = v1Stream(client);
    try {
      const cases: [string, string][] = [
        ["v1.Backrest.GetConfig", "v1/service.proto"],
        ["v1.StorageUsage.Repo", "v1/service.proto"],
        ["v1.DoRepoTaskRequest.Task", "v1/service.proto"],
        ["v1.DoRepoTaskRequest.TASK_PRUNE", "v1/service.proto"],
        ["v1.GetOperationsRequest.selector", "v1/service.proto"],
        ["v1.Config", "v1/config.proto"],
        ["types.StringValue", "types/value.proto"],
        ["google.protobuf.Empty", "google/protobuf/empty.proto"],
        ["v1.Authentication.Login", "v1/authentication.proto"],
      ];
      for (const [symbol, file] of cases) {
        const res = await stream.ask({
          messageRequest: { case: "fileContainingSymbol", value: symbol },
        });
        assert.equal(filesOf(res)[0]?.name, file, symbol);
        assert.equal(res.originalRequest?.messageRequest.value, symbol, "echoes the request");
      }
      const byName = await stream.ask({
        messageRequest: { case: "fileByFilename", value: "v1/config.proto" },
      });
      assert.equal(filesOf(byName)[0]?.name, "v1/config.proto");
    } finally {
      stream.end();
    }
  });

  it("answers unknown names and extensions in-band, and the stream goes on", async () => {
    const stream = v1Stream(client);
    try {
      const unknown = errorOf(
        await stream.ask({ messageRequest: { case: "fileContainingSymbol", value: "v1.Nope" } }),
      );
      assert.equal(unknown.errorCode, grpc.status.NOT_FOUND);
      assert.match(unknown.errorMessage, /v1\.Nope/);
      const noFile = errorOf(
        await stream.ask({ messageRequest: { case: "fileByFilename", value: "nope.proto" } }),
      );
      assert.equal(noFile.errorCode, grpc.status.NOT_FOUND);
      const extension = errorOf(
        await stream.ask({
          messageRequest: {
            case: "fileContainingExtension",
            value: { containingType: "v1.Config", extensionNumber: 1000 },
          },
        }),
      );
      assert.equal(extension.errorCode, grpc.status.NOT_FOUND);
      const numbers = await stream.ask({
        messageRequest: { case: "allExtensionNumbersOfType", value: "v1.Config" },
      });
      assert.equal(numbers.messageResponse.case, "allExtensionNumbersResponse");
      assert.equal(numbers.messageResponse.value.baseTypeName, "v1.Config");
      assert.deepEqual(numbers.messageResponse.value.extensionNumber, []);
      const noType = errorOf(
        await stream.ask({ messageRequest: { case: "allExtensionNumbersOfType", value: "v1.X" } }),
      );
      assert.equal(noType.errorCode, grpc.status.NOT_FOUND);
      const empty = errorOf(await stream.ask({}));
      assert.equal(empty.errorCode, grpc.status.INVALID_ARGUMENT);
      // Still answering after the errors.
      const ok = await stream.ask({
        messageRequest: { case: "fileContainingSymbol", value: "v1.Config" },
      });
      assert.equal(filesOf(ok)[0]?.name, "v1/config.proto");
    } finally {
      stream.end();
    }
  });

  it("serves the v1alpha protocol too", async () => {
    const stream = openStream<v1alpha.ServerReflectionRequest, v1alpha.ServerReflectionResponse>(
      client,
      "grpc.reflection.v1alpha.ServerReflection",
      v1alpha.ServerReflectionRequestSchema,
      v1alpha.ServerReflectionResponseSchema,
    );
    try {
      const list = await stream.ask({ messageRequest: { case: "listServices", value: "*" } });
      assert.equal(list.messageResponse.case, "listServicesResponse");
      assert.ok(list.messageResponse.value.service.some((s) => s.name === "v1.Backrest"));
      const file = await stream.ask({
        messageRequest: { case: "fileContainingSymbol", value: "v1.Backrest.Backup" },
      });
      assert.equal(file.messageResponse.case, "fileDescriptorResponse");
      const first = file.messageResponse.value.fileDescriptorProto[0];
      assert.ok(first);
      assert.equal(fromBinary(FileDescriptorProtoSchema, first).name, "v1/service.proto");
      const missing = await stream.ask({
        messageRequest: { case: "fileContainingSymbol", value: "v1.Nope" },
      });
      assert.equal(missing.messageResponse.case, "errorResponse");
      assert.equal(missing.messageResponse.value.errorCode, grpc.status.NOT_FOUND);
    } finally {
      stream.end();
    }
  });

  it("needs credentials", async () => {
    const stream = v1Stream(client, { authorization: basicAuthHeader("alice", "wrong") });
    const failed = new Promise<grpc.ServiceError>((resolve) => stream.call.on("error", resolve));
    stream.call.write(
      create(ServerReflectionRequestSchema, {
        messageRequest: { case: "listServices", value: "" },
      }),
    );
    let answers = 0;
    stream.call.on("data", () => answers++);
    const err = await failed;
    assert.equal(err.code, grpc.status.UNAUTHENTICATED);
    assert.equal(answers, 0);
  });
});

/** A unary gRPC call with messages of reflected descriptors. */
function unary(
  client: grpc.Client,
  path: string,
  input: DescMessage,
  output: DescMessage,
  init: Record<string, unknown> = {},
): Promise<Message> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      path,
      (m: Message) => Buffer.from(toBinary(input, m)),
      (b: Buffer) => fromBinary(output, b),
      create(input, init),
      metadata(AUTH),
      {},
      (err, value) => (err || !value ? reject(err) : resolve(value)),
    );
  });
}
