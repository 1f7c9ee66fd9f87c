/**
 * The OpenAPI document built from descriptors: every unary RPC is a Connect JSON endpoint with
 * its permission, every $ref resolves, and the schemas accept exactly the JSON that
 * protobuf-es (the serializer Connect uses) writes, checked for every message of the API with
 * populated instances, and for a sample file with maps, recursion, oneofs and well-known types.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  create,
  createFileRegistry,
  type DescEnum,
  type DescField,
  type DescMessage,
  type DescService,
  type JsonObject,
  type JsonValue,
  ScalarType,
  toJson,
} from "@bufbuild/protobuf";
import { protoCamelCase, type ReflectMessage, reflect } from "@bufbuild/protobuf/reflect";
import {
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
  file_google_protobuf_empty,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
} from "@bufbuild/protobuf/wkt";
import { ServerReflection } from "../../gen/grpc/reflection/v1/reflection_pb.js";
import { ApiKeys, Audit } from "../../gen/v1/access_pb.js";
import { Authentication } from "../../gen/v1/authentication_pb.js";
import { Backrest } from "../../gen/v1/service_pb.js";
import { RPC_REQUIREMENTS } from "../../src/auth/permissions.js";
import { buildOpenApiDocument, PERMISSION_EXTENSION } from "../../src/server/openapi.js";
import { createSchemaCollector, SCHEMA_REF } from "../../src/server/openapi-schema.js";
import { UPLOAD_OPENAPI_PATH } from "../../src/server/openapi-upload.js";
import { collectRefs, resolvePointer, type Schema, validate } from "../helpers/json-schema.js";

const SERVICES: DescService[] = [Backrest, Authentication, ApiKeys, Audit, ServerReflection];

interface Doc {
  paths: Record<string, { post: Record<string, unknown> & { responses: Record<string, unknown> } }>;
  components: { schemas: Record<string, Schema> };
  info: { description: string };
  tags: { name: string; description: string }[];
}

const doc = buildOpenApiDocument(SERVICES) as unknown as Doc;
/** The paths of RPCs (every path but the plain upload route). */
const rpcPaths = Object.keys(doc.paths).filter((p) => p !== UPLOAD_OPENAPI_PATH);

/** Fills every field of a message with a non-default value (one member per oneof). */
function populate(desc: DescMessage, depth = 0): ReflectMessage {
  const r = reflect(desc);
  if (depth > 3) return r;
  if (desc.typeName === "google.protobuf.Timestamp") {
    return reflect(desc, create(desc, { seconds: 1700000000n, nanos: 5000 } as never));
  }
  const chosen = new Set(desc.oneofs.map((o) => o.fields[o.fields.length - 1]));
  for (const field of desc.fields) {
    if (field.oneof && !chosen.has(field)) continue;
    if (field.fieldKind === "list") {
      const list = r.get(field);
      list.add(element(field, depth));
      list.add(element(field, depth));
    } else if (field.fieldKind === "map") {
      const key = field.mapKey === ScalarType.STRING ? "k" : sample(field.mapKey);
      r.get(field).set(key, element(field, depth));
    } else {
      r.set(field, element(field, depth));
    }
  }
  return r;
}

function element(field: DescField, depth: number): unknown {
  if (field.message) return populate(field.message, depth + 1);
  if (field.enum) return lastValue(field.enum);
  return sample(field.scalar ?? ScalarType.STRING);
}

function lastValue(e: DescEnum): number {
  return e.values[e.values.length - 1]?.number ?? 0;
}

function sample(scalar: ScalarType): unknown {
  switch (scalar) {
    case ScalarType.DOUBLE:
      return Number.NaN;
    case ScalarType.FLOAT:
      return 0.5;
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return -9007199254740993n;
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return 18446744073709551615n;
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return 4294967295;
    case ScalarType.BOOL:
      return true;
    case ScalarType.STRING:
      return "text";
    case ScalarType.BYTES:
      return new Uint8Array([0, 255, 7]);
    default:
      return -7;
  }
}

function jsonOf(desc: DescMessage): JsonValue {
  return toJson(desc, populate(desc).message, { alwaysEmitImplicit: false });
}

function errorsFor(value: unknown, typeName: string, document: unknown = doc): string[] {
  return validate(value, { $ref: `${SCHEMA_REF}${typeName}` }, document);
}

describe("OpenAPI document", () => {
  it("has every unary RPC as POST /<service>/<Method> and no streaming RPC", () => {
    const expected = SERVICES.flatMap((s) =>
      s.methods.filter((m) => m.methodKind === "unary").map((m) => `/${s.typeName}/${m.name}`),
    );
    assert.ok(expected.includes("/v1.Backrest/GetConfig"));
    assert.ok(expected.includes("/v1.Audit/ListAuditEvents"));
    assert.deepEqual(rpcPaths.sort(), expected.sort());
    for (const path of ["/v1.Backrest/GetOperationEvents", "/v1.Backrest/GetLogs"]) {
      assert.equal(doc.paths[path], undefined);
      assert.ok(doc.info.description.includes(path.slice(1)), `${path} named as streaming`);
    }
    assert.ok(doc.info.description.includes("grpc.reflection.v1.ServerReflection/"));
    assert.deepEqual(
      doc.tags.map((t) => t.name),
      ["v1.Backrest", "v1.Authentication", "v1.ApiKeys", "v1.Audit", "Uploads"],
    );
  });

  it("resolves every $ref", () => {
    const refs = collectRefs(doc);
    assert.ok(refs.length > 100);
    const broken = refs.filter(({ ref }) => resolvePointer(doc, ref) === undefined);
    assert.deepEqual(broken, []);
  });

  it("names each operation's requirement from the permission table, with matching errors", () => {
    for (const path of rpcPaths) {
      const post = doc.paths[path]?.post;
      assert.ok(post, path);
      const requirement = RPC_REQUIREMENTS[path.slice(1)];
      assert.ok(requirement, `${path} has a permission entry`);
      assert.equal(post[PERMISSION_EXTENSION], requirement, path);
      assert.ok(
        String(post.description).includes(requirement === "public" ? "no credentials" : ""),
      );
      const statuses = Object.keys(post.responses);
      assert.equal(statuses.includes("401"), requirement !== "public", path);
      assert.equal(
        statuses.includes("403"),
        !["public", "authenticated"].includes(requirement),
        path,
      );
      assert.ok(
        statuses.includes("400") && statuses.includes("429") && statuses.includes("default"),
      );
    }
    const login = doc.paths["/v1.Authentication/Login"]?.post;
    assert.deepEqual(login?.security, []);
    assert.equal(doc.paths["/v1.Backrest/GetConfig"]?.post.security, undefined);
    assert.match(String(doc.paths["/v1.Backrest/GetConfig"]?.post.description), /`config:read`/);
  });

  it("documents the upload route with its permission, parameters and answers", () => {
    const post = doc.paths["/v1/upload/{planId}"]?.post as unknown as {
      [PERMISSION_EXTENSION]: string;
      description: string;
      parameters: { name: string; in: string }[];
      requestBody: { content: Record<string, unknown> };
      responses: Record<string, unknown>;
    };
    assert.ok(post, "POST /v1/upload/{planId} is documented");
    assert.equal(post[PERMISSION_EXTENSION], "plans:upload");
    assert.match(post.description, /`plans:upload` permission \(roles: admin, operator/);
    assert.deepEqual(
      post.parameters.map((p) => `${p.in} ${p.name}`),
      ["path planId", "query filename", "header Content-Disposition"],
    );
    assert.deepEqual(Object.keys(post.requestBody.content).sort(), [
      "application/octet-stream",
      "multipart/form-data",
    ]);
    assert.deepEqual(Object.keys(post.responses).sort(), [
      "201",
      "400",
      "401",
      "403",
      "404",
      "413",
      "429",
      "default",
    ]);
    assert.ok(doc.info.description.includes("POST /v1/upload/{planId}"));
  });

  it("maps request and response messages by full type name", () => {
    const op = doc.paths["/v1.Backrest/RemoveRepo"]?.post as unknown as {
      requestBody: { content: Record<string, { schema: unknown }> };
      responses: { 200: { content: Record<string, { schema: unknown }> } };
    };
    assert.deepEqual(op.requestBody.content["application/json"]?.schema, {
      $ref: `${SCHEMA_REF}types.StringValue`,
    });
    assert.deepEqual(op.responses[200].content["application/json"]?.schema, {
      $ref: `${SCHEMA_REF}v1.Config`,
    });
    // types.StringValue is our own message: {"value": "..."}, unlike google.protobuf.StringValue.
    assert.deepEqual(errorsFor({ value: "repo1" }, "types.StringValue"), []);
    assert.notDeepEqual(errorsFor("repo1", "types.StringValue"), []);
    assert.deepEqual(errorsFor({}, "google.protobuf.Empty"), []);
    assert.notDeepEqual(errorsFor({ x: 1 }, "google.protobuf.Empty"), []);
  });

  it("accepts the JSON of a populated instance of every message of the API", () => {
    const unary = SERVICES.flatMap((s) => s.methods.filter((m) => m.methodKind === "unary"));
    const messages = unary.flatMap((m) => [m.input, m.output]);
    const seen = new Set<string>();
    const queue = [...messages];
    let checked = 0;
    for (let m = queue.shift(); m; m = queue.shift()) {
      if (seen.has(m.typeName)) continue;
      seen.add(m.typeName);
      for (const f of m.fields) if (f.message) queue.push(f.message);
      const json = jsonOf(m);
      assert.deepEqual(errorsFor(json, m.typeName), [], `${m.typeName}: ${JSON.stringify(json)}`);
      checked++;
    }
    assert.ok(checked > 50, `checked ${checked} messages`);
  });

  it("rejects JSON that protobuf JSON never has", () => {
    const op = jsonOf(Backrest.method.backup.output) as JsonObject;
    assert.equal(typeof op.id, "string");
    assert.notDeepEqual(errorsFor({ ...op, id: 5 }, "v1.Operation"), [], "int64 as a number");
    assert.notDeepEqual(errorsFor({ ...op, status: 2 }, "v1.Operation"), [], "enum as a number");
    assert.notDeepEqual(errorsFor({ ...op, plan_id: "p" }, "v1.Operation"), [], "proto name");
    const both = { ...op, operationBackup: {}, operationForget: {} };
    assert.notDeepEqual(errorsFor(both, "v1.Operation"), [], "two members of a oneof");
  });
});

/** Sets json_name where it is missing, as protoc does in the descriptors it hands out. */
function withJsonNames(file: FileDescriptorProto): FileDescriptorProto {
  const visit = (messages: FileDescriptorProto["messageType"]) => {
    for (const m of messages) {
      for (const f of m.field) f.jsonName ||= protoCamelCase(f.name);
      visit(m.nestedType);
    }
  };
  visit(file.messageType);
  return file;
}

describe("schemas of a sample file", () => {
  const registry = createFileRegistry(
    withJsonNames(
      create(FileDescriptorProtoSchema, {
        name: "sample/sample.proto",
        package: "sample",
        syntax: "proto3",
        dependency: [
          "google/protobuf/empty.proto",
          "google/protobuf/wrappers.proto",
          "google/protobuf/timestamp.proto",
        ],
        messageType: [
          {
            name: "Sample",
            field: [
              { name: "big", number: 1, type: Type.UINT64, label: Label.OPTIONAL },
              { name: "ratio", number: 2, type: Type.DOUBLE, label: Label.OPTIONAL },
              { name: "blob", number: 3, type: Type.BYTES, label: Label.OPTIONAL },
              { name: "color", number: 4, type: Type.ENUM, typeName: ".sample.Color" },
              { name: "tree", number: 5, type: Type.MESSAGE, typeName: ".sample.Node" },
              {
                name: "by_name",
                number: 6,
                type: Type.MESSAGE,
                label: Label.REPEATED,
                typeName: ".sample.Sample.ByNameEntry",
              },
              {
                name: "by_id",
                number: 7,
                type: Type.MESSAGE,
                label: Label.REPEATED,
                typeName: ".sample.Sample.ByIdEntry",
              },
              { name: "text", number: 8, type: Type.STRING, oneofIndex: 0 },
              { name: "count", number: 9, type: Type.INT32, oneofIndex: 0 },
              { name: "renamed_field", number: 10, type: Type.STRING, jsonName: "custom" },
              {
                name: "nothing",
                number: 11,
                type: Type.MESSAGE,
                typeName: ".google.protobuf.Empty",
              },
              {
                name: "maybe",
                number: 12,
                type: Type.MESSAGE,
                typeName: ".google.protobuf.StringValue",
              },
              {
                name: "at",
                number: 13,
                type: Type.MESSAGE,
                typeName: ".google.protobuf.Timestamp",
              },
            ],
            nestedType: [
              {
                name: "ByNameEntry",
                options: { mapEntry: true },
                field: [
                  { name: "key", number: 1, type: Type.STRING },
                  { name: "value", number: 2, type: Type.MESSAGE, typeName: ".sample.Node" },
                ],
              },
              {
                name: "ByIdEntry",
                options: { mapEntry: true },
                field: [
                  { name: "key", number: 1, type: Type.INT64 },
                  { name: "value", number: 2, type: Type.ENUM, typeName: ".sample.Color" },
                ],
              },
            ],
            oneofDecl: [{ name: "choice" }],
          },
          {
            name: "Node",
            field: [
              { name: "name", number: 1, type: Type.STRING },
              {
                name: "children",
                number: 2,
                type: Type.MESSAGE,
                label: Label.REPEATED,
                typeName: ".sample.Node",
              },
            ],
          },
        ],
        enumType: [
          {
            name: "Color",
            value: [
              { name: "COLOR_UNSPECIFIED", number: 0 },
              { name: "COLOR_RED", number: 1 },
            ],
          },
        ],
      }),
    ),
    (name) =>
      [
        file_google_protobuf_empty,
        file_google_protobuf_wrappers,
        file_google_protobuf_timestamp,
      ].find((f) => f.proto.name === name),
  );
  const sampleDesc = registry.getMessage("sample.Sample");
  assert.ok(sampleDesc);
  const collector = createSchemaCollector();
  const root = { components: { schemas: {} as Record<string, unknown> } };
  collector.ref(sampleDesc);
  root.components.schemas = collector.components();
  const schemas = root.components.schemas as Record<string, { properties?: object }>;
  const check = (json: unknown) => errorsFor(json, "sample.Sample", root);

  it("maps scalars, enums, maps, recursion, json_name and well-known types", () => {
    assert.deepEqual(Object.keys(schemas), [
      "google.protobuf.Empty",
      "google.protobuf.StringValue",
      "google.protobuf.Timestamp",
      "sample.Color",
      "sample.Node",
      "sample.Sample",
    ]);
    assert.deepEqual(schemas["sample.Node"]?.properties, {
      name: { type: "string" },
      children: { type: "array", items: { $ref: `${SCHEMA_REF}sample.Node` } },
    });
    assert.deepEqual(schemas["sample.Color"], {
      type: "string",
      enum: ["COLOR_UNSPECIFIED", "COLOR_RED"],
    });
    assert.deepEqual(schemas["google.protobuf.StringValue"], { type: "string" });
    assert.ok(Object.keys(schemas["sample.Sample"]?.properties ?? {}).includes("custom"));
  });

  it("accepts what protobuf-es writes, and not what it never writes", () => {
    const json = jsonOf(sampleDesc) as JsonObject;
    assert.equal(json.big, "18446744073709551615");
    assert.equal(json.ratio, "NaN");
    assert.equal(json.custom, "text");
    assert.deepEqual(json.byId, { "-9007199254740993": "COLOR_RED" });
    assert.deepEqual(check(json), []);
    assert.deepEqual(check({ ...json, ratio: 0.25, maybe: "", nothing: {} }), []);
    assert.deepEqual(check({ tree: { children: [{ children: [{ name: "deep" }] }] } }), []);

    assert.notDeepEqual(check({ big: 5 }), []);
    assert.notDeepEqual(check({ ratio: "lots" }), []);
    assert.notDeepEqual(check({ byId: { one: "COLOR_RED" } }), []);
    assert.notDeepEqual(check({ byName: { a: { name: 1 } } }), []);
    assert.notDeepEqual(check({ text: "a", count: 1 }), []);
    assert.notDeepEqual(check({ renamedField: "x" }), []);
    assert.notDeepEqual(check({ maybe: { value: "x" } }), []);
    assert.notDeepEqual(check({ tree: { children: [{ children: [{ name: 2 }] }] } }), []);
  });
});
