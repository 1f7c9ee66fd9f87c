/**
 * The reflection index and its answers, on a sample file with a nested enum, a top-level enum
 * and an extension (the API itself declares no extensions), plus the real v1.Backrest files.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import {
  FileDescriptorProtoSchema,
  file_google_protobuf_empty,
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
} from "@bufbuild/protobuf/wkt";
import {
  type ServerReflectionRequest,
  ServerReflectionRequestSchema,
  type ServerReflectionResponse,
} from "../../gen/grpc/reflection/v1/reflection_pb.js";
import { Backrest } from "../../gen/v1/service_pb.js";
import {
  answerReflection,
  createReflectionIndex,
  filesOf,
} from "../../src/api/reflection-index.js";

const registry = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: "sample/sample.proto",
    package: "sample.pkg",
    syntax: "proto2",
    dependency: ["google/protobuf/empty.proto"],
    messageType: [
      {
        name: "Thing",
        field: [
          { name: "id", number: 1, type: Type.STRING, label: Label.OPTIONAL, jsonName: "id" },
        ],
        extensionRange: [{ start: 100, end: 200 }],
        enumType: [{ name: "Kind", value: [{ name: "KIND_A", number: 0 }] }],
      },
    ],
    enumType: [{ name: "Level", value: [{ name: "LEVEL_LOW", number: 0 }] }],
    extension: [
      {
        name: "note",
        number: 150,
        type: Type.STRING,
        label: Label.OPTIONAL,
        extendee: ".sample.pkg.Thing",
        jsonName: "note",
      },
    ],
    service: [
      {
        name: "Things",
        method: [
          {
            name: "Get",
            inputType: ".google.protobuf.Empty",
            outputType: ".sample.pkg.Thing",
          },
        ],
      },
    ],
  }),
  (name) =>
    name === file_google_protobuf_empty.proto.name ? file_google_protobuf_empty : undefined,
);
const things = registry.getService("sample.pkg.Things");
assert.ok(things);
const index = createReflectionIndex([things]);

function ask(
  init: Parameters<typeof create<typeof ServerReflectionRequestSchema>>[1],
  sent = new Set<string>(),
) {
  return answerReflection(
    index,
    create(ServerReflectionRequestSchema, init) as ServerReflectionRequest,
    sent,
  );
}

function fileNames(res: ServerReflectionResponse): string[] {
  assert.equal(res.messageResponse.case, "fileDescriptorResponse");
  return res.messageResponse.value.fileDescriptorProto.map(
    (b) => fromBinary(FileDescriptorProtoSchema, b).name,
  );
}

describe("reflection index", () => {
  it("finds symbols with protobuf's scoping", () => {
    for (const symbol of [
      "sample.pkg.Things",
      "sample.pkg.Things.Get",
      "sample.pkg.Thing",
      "sample.pkg.Thing.id",
      "sample.pkg.Thing.Kind",
      "sample.pkg.Thing.KIND_A", // a nested enum's values live beside the enum
      "sample.pkg.Level",
      "sample.pkg.LEVEL_LOW",
      "sample.pkg.note",
      "google.protobuf.Empty",
    ]) {
      assert.equal(
        index.fileBySymbol(symbol)?.proto.name,
        symbol.startsWith("google") ? "google/protobuf/empty.proto" : "sample/sample.proto",
        symbol,
      );
    }
    for (const symbol of [
      "sample.pkg.Thing.Kind.KIND_A",
      "sample.pkg.Level.LEVEL_LOW",
      "Thing",
      "sample.pkg.Thing:150",
    ]) {
      assert.equal(index.fileBySymbol(symbol), undefined, symbol);
    }
  });

  it("answers extension questions", () => {
    assert.equal(index.fileByExtension("sample.pkg.Thing", 150)?.proto.name, "sample/sample.proto");
    assert.equal(index.fileByExtension("sample.pkg.Thing", 151), undefined);
    assert.deepEqual(index.extensionNumbers("sample.pkg.Thing"), [150]);
    assert.deepEqual(index.extensionNumbers("google.protobuf.Empty"), []);
    assert.equal(index.extensionNumbers("sample.pkg.Nope"), undefined);
    const res = ask({
      messageRequest: {
        case: "fileContainingExtension",
        value: { containingType: "sample.pkg.Thing", extensionNumber: 150 },
      },
    });
    assert.deepEqual(fileNames(res), ["sample/sample.proto", "google/protobuf/empty.proto"]);
  });

  it("sends a file's imports once per stream, the requested file always", () => {
    const sent = new Set<string>();
    const byName = (value: string) =>
      ask({ messageRequest: { case: "fileByFilename", value } }, sent);
    assert.deepEqual(fileNames(byName("sample/sample.proto")), [
      "sample/sample.proto",
      "google/protobuf/empty.proto",
    ]);
    assert.deepEqual(fileNames(byName("sample/sample.proto")), ["sample/sample.proto"]);
    assert.deepEqual(fileNames(byName("google/protobuf/empty.proto")), [
      "google/protobuf/empty.proto",
    ]);
  });

  it("lists files imports first, each once, for the real API", () => {
    const names = filesOf([Backrest]).map((f) => f.proto.name);
    assert.equal(new Set(names).size, names.length);
    assert.equal(names.at(-1), "v1/service.proto");
    assert.ok(names.indexOf("types/value.proto") < names.indexOf("v1/operations.proto"));
    const res = answerReflection(
      createReflectionIndex([Backrest]),
      create(ServerReflectionRequestSchema, {
        messageRequest: { case: "fileContainingSymbol", value: "v1.Backrest" },
      }),
      new Set(),
    );
    assert.deepEqual(new Set(fileNames(res)), new Set(names));
  });

  it("lists the services and reports unknown names and empty requests", () => {
    const list = ask({ messageRequest: { case: "listServices", value: "" } });
    assert.equal(list.messageResponse.case, "listServicesResponse");
    assert.deepEqual(
      list.messageResponse.value.service.map((s) => s.name),
      ["sample.pkg.Things"],
    );
    const missing = ask({
      host: "h",
      messageRequest: { case: "fileContainingSymbol", value: "x.Y" },
    });
    assert.equal(missing.validHost, "h");
    assert.equal(missing.messageResponse.case, "errorResponse");
    assert.equal(missing.messageResponse.value.errorCode, 5);
    const empty = ask({});
    assert.equal(empty.messageResponse.case, "errorResponse");
    assert.equal(empty.messageResponse.value.errorCode, 3);
  });
});
