/**
 * The daemon's own path for Connect unary POSTs (src/server/unary-path.ts) against
 * connect-node's: each request is sent twice to the same daemon, once plainly (the daemon's
 * path) and once with a Connect timeout header (which leaves it to connect-node), and the two
 * answers must agree in status, headers that clients read and body. The one intended
 * difference, a binary body that does not decode, is checked on its own.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gunzipSync, gzipSync } from "node:zlib";
import { create, toBinary } from "@bufbuild/protobuf";
import { GetOperationsRequestSchema } from "../../gen/v1/service_pb.js";
import { hashPassword } from "../../src/auth/password.js";
import { startTestDaemon } from "../helpers/daemon.js";
import { type RawAnswer, rawRequest } from "../helpers/http.js";

type Answer = RawAnswer;

/** Sends one POST with Node's http client (no headers added behind our back). */
const post = (url: string, path: string, headers: Record<string, string>, body: Buffer | string) =>
  rawRequest(`${url}${path}`, { method: "POST", headers, body });

/** The body as the client reads it: unzipped, and parsed when it is JSON. */
function content(a: Answer): unknown {
  const raw = a.headers["content-encoding"] === "gzip" ? gunzipSync(a.body) : a.body;
  return String(a.headers["content-type"]).startsWith("application/json")
    ? JSON.parse(raw.toString("utf8"))
    : raw.toString("base64");
}

/** What of an answer both paths must agree on. */
function comparable(a: Answer) {
  return {
    status: a.status,
    contentType: a.headers["content-type"],
    contentEncoding: a.headers["content-encoding"],
    wwwAuthenticate: a.headers["www-authenticate"],
    requestId: a.headers["x-request-id"],
    rateLimited: a.headers["x-ratelimit-limit"] !== undefined,
    retryAfter: a.headers["retry-after"] !== undefined,
    content: content(a),
  };
}

const basic = (user: string, pass: string) =>
  `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;

describe("Connect unary POSTs on the daemon's own path", async () => {
  const daemon = await startTestDaemon({
    instance: "unary-path",
    repos: [{ id: "local", uri: "/nonexistent/restwell-repo", password: "repo secret" }],
    // Enough plans for a config answer above Connect's 1 KiB compression threshold.
    plans: Array.from({ length: 12 }, (_, i) => ({
      id: `plan${i + 1}`,
      repo: "local",
      paths: ["/tmp"],
      schedule: { disabled: true },
    })),
    auth: {
      users: [
        { name: "admin", passwordBcrypt: await hashPassword("admin-pw") },
        { name: "viewer", role: "viewer", passwordBcrypt: await hashPassword("viewer-pw") },
      ],
    },
  });
  const admin = basic("admin", "admin-pw");
  const json = { "content-type": "application/json" };
  let n = 0;

  /** Sends the request both ways with the same request id and returns both answers. */
  async function both(path: string, headers: Record<string, string>, body: Buffer | string) {
    const id = `unary-path-${++n}`;
    const own = await post(daemon.url, path, { ...headers, "x-request-id": id }, body);
    const connect = await post(
      daemon.url,
      path,
      { ...headers, "x-request-id": id, "connect-timeout-ms": "600000" },
      body,
    );
    return { own, connect };
  }

  const cases: { name: string; path: string; headers: Record<string, string>; body: string }[] = [
    {
      name: "GetConfig",
      path: "/v1.Backrest/GetConfig",
      headers: { ...json, authorization: admin },
      body: "{}",
    },
    {
      name: "GetConfig with a charset and protocol version",
      path: "/v1.Backrest/GetConfig",
      headers: {
        "content-type": "application/json; charset=utf-8",
        "connect-protocol-version": "1",
        authorization: admin,
      },
      body: "{}",
    },
    {
      name: "GetConfig, gzip accepted",
      path: "/v1.Backrest/GetConfig",
      headers: { ...json, authorization: admin, "accept-encoding": "gzip" },
      body: "{}",
    },
    { name: "no credentials", path: "/v1.Backrest/GetConfig", headers: json, body: "{}" },
    {
      name: "wrong password",
      path: "/v1.Backrest/GetConfig",
      headers: { ...json, authorization: basic("admin", "nope") },
      body: "{}",
    },
    {
      name: "a viewer calling a write",
      path: "/v1.Backrest/Backup",
      headers: { ...json, authorization: basic("viewer", "viewer-pw") },
      body: '{"value":"plan1"}',
    },
    {
      name: "an unknown plan",
      path: "/v1.Backrest/Backup",
      headers: { ...json, authorization: admin },
      body: '{"value":"no-such-plan"}',
    },
    {
      name: "GetOperations of a plan",
      path: "/v1.Backrest/GetOperations",
      headers: { ...json, authorization: admin },
      body: '{"selector":{"planId":"plan1"},"lastN":5}',
    },
    {
      name: "a refused selector (validation details)",
      path: "/v1.Backrest/GetOperations",
      headers: { ...json, authorization: admin },
      body: '{"selector":{"beforeId":"0"}}',
    },
    {
      name: "malformed JSON",
      path: "/v1.Backrest/GetOperations",
      headers: { ...json, authorization: admin },
      body: '{"selector":',
    },
    {
      name: "a wrong type",
      path: "/v1.Backrest/GetOperations",
      headers: { ...json, authorization: admin },
      body: '{"lastN":"many"}',
    },
    {
      name: "an unknown field",
      path: "/v1.Backrest/GetOperations",
      headers: { ...json, authorization: admin },
      body: '{"noSuchField":1,"lastN":1}',
    },
    {
      name: "a public method without credentials",
      path: "/v1.Authentication/Login",
      headers: json,
      body: '{"username":"admin","password":"wrong"}',
    },
    {
      name: "a request larger than the limit",
      path: "/v1.Backrest/GetOperations",
      headers: { ...json, authorization: admin },
      body: `{"selector":{"planId":"${"x".repeat(5 * 1024 * 1024)}"}}`,
    },
  ];
  for (const c of cases) {
    it(`answers the same both ways: ${c.name}`, async () => {
      const { own, connect } = await both(c.path, c.headers, c.body);
      assert.deepEqual(comparable(own), comparable(connect));
    });
  }

  it("compresses a large shared answer, and a changed config is a new answer", async () => {
    const headers = { ...json, authorization: admin, "accept-encoding": "gzip" };
    const first = await post(daemon.url, "/v1.Backrest/GetConfig", headers, "{}");
    const second = await post(daemon.url, "/v1.Backrest/GetConfig", headers, "{}");
    assert.equal(first.headers["content-encoding"], "gzip");
    assert.deepEqual(second.body, first.body);
    assert.equal(Number(first.headers["content-length"]), first.body.length);
    // A change to the config is a new answer, not the kept one.
    const cfg = content(first) as { modno: number };
    const set = await post(
      daemon.url,
      "/v1.Backrest/SetConfig",
      { ...json, authorization: admin },
      JSON.stringify({ ...cfg, instance: "renamed" }),
    );
    assert.equal(set.status, 200, set.body.toString());
    const third = await post(daemon.url, "/v1.Backrest/GetConfig", headers, "{}");
    assert.equal((content(third) as { instance: string }).instance, "renamed");
  });

  it("answers lists of operations byte for byte as connect-node does, JSON and binary", async () => {
    // Backups of a plan whose repository does not exist fail, each leaving operations behind.
    for (const plan of ["plan1", "plan2", "plan1"]) {
      const started = await post(
        daemon.url,
        "/v1.Backrest/Backup",
        { ...json, authorization: admin },
        JSON.stringify({ value: plan }),
      );
      assert.notEqual(started.status, 200, "a backup to a missing repository fails");
    }
    for (let round = 0; round < 2; round++) {
      const listed = await both(
        "/v1.Backrest/GetOperations",
        { ...json, authorization: admin },
        '{"selector":{},"lastN":50}',
      );
      assert.equal(listed.own.status, 200);
      assert.ok((content(listed.own) as { operations: unknown[] }).operations.length >= 3);
      assert.equal(listed.own.body.toString(), listed.connect.body.toString());
      const binary = await both(
        "/v1.Backrest/GetOperations",
        { "content-type": "application/proto", authorization: admin },
        Buffer.from(
          toBinary(
            GetOperationsRequestSchema,
            create(GetOperationsRequestSchema, { selector: {}, lastN: 50n }),
          ),
        ),
      );
      assert.equal(binary.own.status, 200);
      assert.deepEqual(binary.own.body, binary.connect.body);
    }
  });

  it("answers binary requests the same both ways", async () => {
    const body = Buffer.from(
      toBinary(
        GetOperationsRequestSchema,
        create(GetOperationsRequestSchema, { selector: { planId: "plan1" }, lastN: 3n }),
      ),
    );
    const headers = { "content-type": "application/proto", authorization: admin };
    const { own, connect } = await both("/v1.Backrest/GetOperations", headers, body);
    assert.equal(own.status, 200);
    assert.deepEqual(comparable(own), comparable(connect));
  });

  it("answers a binary body that does not decode with INVALID_ARGUMENT, where connect-node says INTERNAL", async () => {
    const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]);
    const headers = { "content-type": "application/proto", authorization: admin };
    const { own, connect } = await both("/v1.Backrest/GetOperations", headers, garbage);
    const error = content(own) as { code: string; message: string };
    assert.equal(own.status, 400);
    assert.equal(error.code, "invalid_argument");
    assert.match(
      error.message,
      /not a v1\.GetOperationsRequest message in the protobuf binary format/,
    );
    assert.equal(connect.status, 500, "connect-node's answer (the path the timeout header takes)");
  });

  it("leaves GET, streams and compressed requests to connect-node, which serves them", async () => {
    const get = await fetch(
      `${daemon.url}/v1.Backrest/GetConfig?connect=v1&encoding=json&message=%7B%7D`,
      { headers: { authorization: admin } },
    );
    // GetConfig is not marked free of side effects, so Connect allows only POST.
    assert.equal(get.status, 405);
    const gz = await post(
      daemon.url,
      "/v1.Backrest/GetConfig",
      { ...json, authorization: admin, "content-encoding": "gzip" },
      gzipSync("{}"),
    );
    assert.equal(gz.status, 200, gz.body.toString());
  });
});
