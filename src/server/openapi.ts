/**
 * GET /openapi.json: an OpenAPI 3.1 description of every unary RPC of every service the daemon
 * serves, as Connect JSON endpoints (`POST /<package.Service>/<Method>`, application/json).
 * Generated from the protobuf descriptors of the services registered on the router (see
 * service-catalog.ts) and from the permission table, so it cannot drift from either.
 * Streaming RPCs have no plain-JSON form; they are listed by name in the descriptions.
 * Served without credentials: it describes the API and holds no secrets.
 */

import { createHash } from "node:crypto";
import { type DescMethod, type DescService, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { codeToHttpStatus } from "@connectrpc/connect/protocol-connect";
import { filesOf } from "../api/reflection-index.js";
import {
  type Permission,
  type Requirement,
  ROLE_PERMISSIONS,
  ROLES,
  requirementOf,
} from "../auth/permissions.js";
import type { NodeRequest, NodeResponse } from "./http-handler.js";
import {
  createSchemaCollector,
  type JsonSchema,
  SCHEMA_REF,
  type SchemaCollector,
} from "./openapi-schema.js";
import { UPLOAD_OPENAPI_PATH, UPLOAD_TAG, uploadPathItem } from "./openapi-upload.js";
import { allowReadOnly, type PreparedBody, prepareBody, sendPrepared } from "./prepared-body.js";

export const OPENAPI_PATH = "/openapi.json";

/** Name of the component schema of Connect's error body. */
export const ERROR_SCHEMA = "connect.Error";

/** The error responses an operation may list, by HTTP status. */
const ERROR_STATUSES = {
  400: "The request is malformed or invalid, or the daemon's state does not allow it.",
  401: "No credentials, or wrong ones.",
  403: "The caller lacks the permission this RPC requires.",
  404: "Something the request names does not exist.",
  429: "Too many requests; retry later.",
} as const;
type ErrorStatus = keyof typeof ERROR_STATUSES;

/** The OpenAPI operation extension naming the requirement from src/auth/permissions.ts. */
export const PERMISSION_EXTENSION = "x-restwell-permission";

export interface OpenApiOptions {
  /** The requirement of an RPC (default: the daemon's permission table). */
  requirement?: (service: string, method: string) => Requirement | undefined;
}

/** Connect's wire name of a code, e.g. "invalid_argument". */
function codeName(code: Code): string {
  return Code[code].replace(/(?<=[a-z])(?=[A-Z])/g, "_").toLowerCase();
}

/** Every JSON type; spelled out because some tools require `type` on every schema. */
const ANY_JSON = ["null", "boolean", "number", "string", "object", "array"];

const ALL_CODES = Object.values(Code).filter((c): c is Code => typeof c === "number");

/** Builds the document for `services` (in the order given). */
export function buildOpenApiDocument(
  services: readonly DescService[],
  opts: OpenApiOptions = {},
): JsonSchema {
  const requirement = opts.requirement ?? requirementOf;
  const schemas = createSchemaCollector();
  const paths: Record<string, JsonSchema> = {};
  const tags: JsonSchema[] = [];
  const streaming: string[] = [];
  for (const service of services) {
    const streams = service.methods.filter((m) => m.methodKind !== "unary");
    streaming.push(...streams.map((m) => `- \`${service.typeName}/${m.name}\` (${kindText(m)})`));
    const unary = service.methods.filter((m) => m.methodKind === "unary");
    if (unary.length === 0) continue;
    tags.push({ name: service.typeName, description: serviceDescription(service, streams) });
    for (const method of unary) {
      const operation = operationOf(method, requirement(service.typeName, method.name), schemas);
      paths[`/${service.typeName}/${method.name}`] = { post: operation };
    }
  }
  paths[UPLOAD_OPENAPI_PATH] = uploadPathItem(
    requirementText("plans:upload"),
    "plans:upload",
    ERROR_SCHEMA,
  );
  tags.push({ name: UPLOAD_TAG, description: "Plain HTTP routes for scripts, beside the RPCs." });
  return {
    openapi: "3.1.0",
    info: {
      title: "Restwell API",
      version: apiFingerprint(services),
      description: documentDescription(streaming),
    },
    servers: [{ url: "/", description: "This daemon" }],
    security: [{ basicAuth: [] }, { bearerAuth: [] }],
    tags,
    paths,
    components: {
      schemas: { ...schemas.components(), [ERROR_SCHEMA]: errorSchema() },
      responses: Object.fromEntries(
        [...errorStatuses(), "default" as const].map((s) => [responseName(s), errorResponse(s)]),
      ),
      securitySchemes: {
        basicAuth: {
          type: "http",
          scheme: "basic",
          description: "A user of the daemon's config with their password (`curl -u me:secret`).",
        },
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          description:
            "An API key (`rw_…`, from `v1.ApiKeys/CreateApiKey`) or a session token from `v1.Authentication/Login`.",
        },
      },
    },
  };
}

/** The Connect JSON operation of a unary method. */
function operationOf(
  method: DescMethod,
  req: Requirement | undefined,
  schemas: SchemaCollector,
): JsonSchema {
  const service = method.parent.typeName;
  return {
    operationId: `${service}.${method.name}`,
    tags: [service],
    summary: method.name,
    description: requirementText(req),
    ...(req !== undefined && { [PERMISSION_EXTENSION]: req }),
    ...(req === "public" && { security: [] }),
    ...(method.deprecated && { deprecated: true }),
    requestBody: {
      required: true,
      content: { "application/json": { schema: schemas.ref(method.input) } },
    },
    responses: {
      200: {
        description: `\`${method.output.typeName}\` in protobuf JSON.`,
        content: { "application/json": { schema: schemas.ref(method.output) } },
      },
      ...errorResponses(req, method.input.fields.length > 0),
    },
  };
}

function errorStatuses(): ErrorStatus[] {
  return Object.keys(ERROR_STATUSES).map(Number) as ErrorStatus[];
}

function responseName(status: ErrorStatus | "default"): string {
  return status === "default" ? "Error" : `Error${status}`;
}

/** The error responses an RPC can give, as `$ref`s into components.responses. */
function errorResponses(req: Requirement | undefined, namesSomething: boolean): JsonSchema {
  const statuses: ErrorStatus[] = [400];
  if (req !== "public") statuses.push(401);
  if (req !== "public" && req !== "authenticated") statuses.push(403);
  if (namesSomething) statuses.push(404);
  statuses.push(429);
  const refs: JsonSchema = {};
  for (const s of statuses) refs[s] = { $ref: `#/components/responses/${responseName(s)}` };
  refs.default = { $ref: "#/components/responses/Error" };
  return refs;
}

/** A Connect error response; per status, the codes Connect sends with it. */
function errorResponse(status: ErrorStatus | "default"): JsonSchema {
  const ref = { $ref: `${SCHEMA_REF}${ERROR_SCHEMA}` };
  if (status === "default") {
    return {
      description: "Any other error, as Connect error JSON.",
      content: { "application/json": { schema: ref } },
    };
  }
  const codes = ALL_CODES.filter((c) => codeToHttpStatus(c) === status).map(codeName);
  return {
    description: `${ERROR_STATUSES[status]} Code: ${codes.map((c) => `\`${c}\``).join(" or ")}.`,
    content: {
      "application/json": {
        schema: { allOf: [ref, { properties: { code: { enum: codes } } }] },
      },
    },
  };
}

/** Connect's error body: `{"code": "not_found", "message": "...", "details": [...]}`. */
function errorSchema(): JsonSchema {
  return {
    type: "object",
    required: ["code"],
    properties: {
      code: { type: "string", enum: ALL_CODES.map(codeName) },
      message: { type: "string", description: "What went wrong, for people." },
      details: {
        type: "array",
        items: {
          type: "object",
          required: ["type", "value"],
          properties: {
            type: { type: "string", description: "Full protobuf type name of the detail." },
            value: { type: "string", contentEncoding: "base64", description: "Binary message." },
            debug: { type: ANY_JSON, description: "The detail in protobuf JSON, if sent." },
          },
        },
      },
    },
  };
}

function requirementText(req: Requirement | undefined): string {
  switch (req) {
    case undefined:
      return "Refused: the daemon's permission table has no entry for this RPC.";
    case "public":
      return "Needs no credentials.";
    case "authenticated":
      return "Needs credentials of any user or API key.";
    case "admin-user":
      return "Needs an admin user (password or session token); API keys are refused.";
    default:
      return `Needs the \`${req}\` permission (roles: ${rolesHolding(req)}; or an API key holding it).`;
  }
}

function rolesHolding(permission: Permission): string {
  return ROLES.filter((role) => ROLE_PERMISSIONS[role].has(permission)).join(", ");
}

function serviceDescription(service: DescService, streams: DescService["methods"]): string {
  const lines = [
    `Protobuf service \`${service.typeName}\`, declared in \`${service.file.name}.proto\`.`,
  ];
  if (streams.length > 0) {
    const names = streams.map((m) => `\`${m.name}\` (${kindText(m)})`).join(", ");
    lines.push(
      `Streaming RPCs, not listed here (use a Connect, gRPC or gRPC-Web client): ${names}.`,
    );
  }
  return lines.join("\n\n");
}

/** "server streaming" for a server-streaming method. */
function kindText(method: DescMethod): string {
  return method.methodKind.replace("_", " ");
}

function documentDescription(streaming: string[]): string {
  return [
    "Every unary RPC of the daemon as a Connect JSON endpoint: `POST /<package.Service>/<Method>` with `Content-Type: application/json` and the request message in protobuf JSON as the body. The same port serves gRPC (with server reflection) and gRPC-Web.",
    "Schemas show the JSON the daemon writes: fields with default values are left out, 64-bit integers are decimal strings, enums are value names, bytes are base64. Requests may also use the other protobuf-JSON forms (numbers for 64-bit integers and enums, original field names).",
    "Errors are Connect error JSON with an HTTP status that matches the code.",
    `Besides the RPCs, \`POST ${UPLOAD_OPENAPI_PATH}\` uploads a file as a snapshot of a plan (tag ${UPLOAD_TAG}).`,
    ...(streaming.length > 0 ? ["Streaming RPCs (no plain-JSON form):", streaming.join("\n")] : []),
  ].join("\n\n");
}

/** A short fingerprint of the services' descriptor files: it changes whenever the API does. */
function apiFingerprint(services: readonly DescService[]): string {
  const hash = createHash("sha256");
  for (const file of filesOf(services))
    hash.update(toBinary(FileDescriptorProtoSchema, file.proto));
  return `api-${hash.digest("hex").slice(0, 12)}`;
}

/**
 * Serves GET /openapi.json for the services `services()` returns at the time of the request;
 * the document is built once per distinct list.
 */
export function createOpenApiRoute(
  services: () => readonly DescService[],
  opts: OpenApiOptions = {},
) {
  let cached: { key: string; body: PreparedBody } | undefined;
  return (req: NodeRequest, res: NodeResponse): boolean => {
    if ((req.url ?? "").split("?")[0] !== OPENAPI_PATH) return false;
    if (!allowReadOnly(req, res)) return true;
    const list = services();
    const key = list.map((s) => s.typeName).join(",");
    if (cached?.key !== key) {
      const json = JSON.stringify(buildOpenApiDocument(list, opts), null, 2);
      cached = { key, body: prepareBody(json, "application/json") };
    }
    sendPrepared(req, res, cached.body, { "cache-control": "no-cache" });
    return true;
  };
}
