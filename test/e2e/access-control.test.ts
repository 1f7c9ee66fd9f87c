/**
 * The permission table walked over every RPC of every service in gen/: each one has a rule;
 * unauthenticated calls, keys without the permission and viewers calling anything beyond
 * reading are all refused - over gRPC, for unary and streaming methods alike.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createClient,
  type Interceptor,
  type Transport,
} from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { ApiKeys } from "../../gen/v1/access_pb.js";
import { hashPassword } from "../../src/auth/password.js";
import {
  PERMISSIONS,
  type Permission,
  ROLE_PERMISSIONS,
  RPC_REQUIREMENTS,
  requirementOf,
} from "../../src/auth/permissions.js";
import { startTestDaemon, type TestDaemon } from "../helpers/daemon.js";

const GEN = join(import.meta.dirname, "..", "..", "gen");

/** Every service defined in gen/, found by walking its files (a new one cannot be missed). */
async function allServices(): Promise<DescService[]> {
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
  assert.ok(services.length >= 4, `found services in ${relative(process.cwd(), GEN)}`);
  return services;
}

function withAuth(value: string | undefined): Interceptor {
  return (next) => (req) => {
    if (value) req.header.set("authorization", value);
    return next(req);
  };
}

const basic = (user: string, pass: string) =>
  `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;

/** Calls any method with an empty request and returns the error code (undefined: it succeeded). */
async function codeOf(transport: Transport, service: DescService, method: DescMethod) {
  const client = createClient(service, transport) as unknown as Record<
    string,
    (input: unknown, opts?: unknown) => unknown
  >;
  const call = client[method.localName];
  assert.ok(call, `${service.typeName}/${method.name} is callable`);
  const signal = AbortSignal.timeout(20_000);
  try {
    if (method.methodKind === "unary" || method.methodKind === "client_streaming") {
      const input =
        method.methodKind === "unary"
          ? {}
          : (async function* () {
              yield {};
            })();
      await call(input, { signal });
    } else {
      const input =
        method.methodKind === "server_streaming"
          ? {}
          : (async function* () {
              yield {};
            })();
      const stream = call(input, { signal }) as AsyncIterable<unknown>;
      for await (const _ of stream) break;
    }
    return undefined;
  } catch (err) {
    return ConnectError.from(err).code;
  }
}

describe("permission table", async () => {
  const services = await allServices();
  const methods = services.flatMap((s) => s.methods.map((m) => ({ service: s, method: m })));
  const daemon: TestDaemon = await startTestDaemon({
    instance: "access",
    auth: {
      users: [
        { name: "admin", passwordBcrypt: await hashPassword("admin-pw") },
        { name: "viewer", role: "viewer", passwordBcrypt: await hashPassword("viewer-pw") },
      ],
    },
  });
  const transport = (authorization?: string) =>
    createGrpcTransport({ baseUrl: daemon.url, interceptors: [withAuth(authorization)] });

  it("has exactly one rule per RPC of every service", () => {
    const defined = new Set(
      methods.map(({ service, method }) => `${service.typeName}/${method.name}`),
    );
    for (const name of defined) assert.ok(name in RPC_REQUIREMENTS, `${name} has no rule`);
    for (const name of Object.keys(RPC_REQUIREMENTS))
      assert.ok(defined.has(name), `rule for ${name}, which no service defines`);
  });

  it("refuses every non-public RPC without credentials", async () => {
    for (const { service, method } of methods) {
      const requirement = requirementOf(service.typeName, method.name);
      if (requirement === "public") continue;
      const code = await codeOf(transport(), service, method);
      assert.equal(code, Code.Unauthenticated, `${service.typeName}/${method.name}`);
    }
  });

  it("refuses every RPC to a key that lacks its permission", async () => {
    const admin = createClient(ApiKeys, transport(basic("admin", "admin-pw")));
    const tokens = new Map<Permission, string>();
    for (const missing of PERMISSIONS) {
      const res = await admin.createApiKey({
        name: `all but ${missing}`,
        permissions: PERMISSIONS.filter((p) => p !== missing),
      });
      tokens.set(missing, `Bearer ${res.token}`);
    }
    const anyKey = tokens.get("audit:read");
    for (const { service, method } of methods) {
      const requirement = requirementOf(service.typeName, method.name);
      if (requirement === "public" || requirement === "authenticated") continue;
      const token = requirement === "admin-user" ? anyKey : tokens.get(requirement as Permission);
      const code = await codeOf(transport(token), service, method);
      assert.equal(
        code,
        Code.PermissionDenied,
        `${service.typeName}/${method.name} (${requirement})`,
      );
    }
  });

  it("lets a viewer read and refuses everything else", async () => {
    const viewer = transport(basic("viewer", "viewer-pw"));
    const viewerHolds = ROLE_PERMISSIONS.viewer;
    for (const { service, method } of methods) {
      const requirement = requirementOf(service.typeName, method.name);
      if (requirement === "public" || requirement === "authenticated") continue;
      const allowed = requirement !== "admin-user" && viewerHolds.has(requirement as Permission);
      if (allowed) {
        // What a viewer may call must read, never change anything.
        assert.match(
          method.name,
          /^(Get|List|Wait|Preview|Diff|ServerReflectionInfo)/,
          `${method.name} is read-only`,
        );
        continue;
      }
      const code = await codeOf(viewer, service, method);
      assert.equal(code, Code.PermissionDenied, `${service.typeName}/${method.name} for a viewer`);
    }
  });
});
