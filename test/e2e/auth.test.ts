/**
 * HTTP basic authentication against config users, over Connect JSON, gRPC and curl; secrets
 * redacted in GetConfig; users and passwords changed through SetConfig take effect at once.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { EmptySchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { execa } from "execa";
import { Authentication } from "../../gen/v1/authentication_pb.js";
import { UserSchema } from "../../gen/v1/config_pb.js";
import { OperationStatus } from "../../gen/v1/operations_pb.js";
import { Backrest, BackupRequestSchema } from "../../gen/v1/service_pb.js";
import { hashPassword } from "../../src/auth/password.js";
import { startTestDaemon } from "../helpers/daemon.js";
import { TEST_PASSWORD } from "../helpers/data.js";
import { startBackupFixture } from "../helpers/fixture.js";
import { basicAuthHeader, createGrpcTestClient, grpc } from "../helpers/grpc.js";
import { callJson, type RpcResponse } from "../helpers/http.js";

const REDACTED = "<redacted>";

/** Asserts a Connect JSON response is 401 UNAUTHENTICATED with a Basic challenge. */
function assertUnauthenticated(res: RpcResponse): void {
  assert.equal(res.status, 401, res.text);
  assert.match(res.headers.get("www-authenticate") ?? "", /^Basic realm="[^"]+"/);
  assert.equal((res.body as { code?: string }).code, "unauthenticated");
}

function basicAuth(user: string, password: string): Interceptor {
  return (next) => (req) => {
    req.header.set("authorization", basicAuthHeader(user, password));
    return next(req);
  };
}

describe("HTTP basic authentication", async () => {
  const aliceHash = await hashPassword("pass");
  const fx = await startBackupFixture({
    files: 5,
    auth: { users: [{ name: "alice", passwordBcrypt: aliceHash }] },
    // These tests send wrong credentials on purpose; the sign-in block has its own tests.
    settings: { authFailuresPerMinute: 1000 },
  });
  const { url, port } = fx.daemon;
  const grpcClient = createGrpcTestClient(port);
  const as = (user: string, password: string) => {
    const transport = createConnectTransport({
      baseUrl: url,
      httpVersion: "1.1",
      interceptors: [basicAuth(user, password)],
    });
    return {
      backrest: createClient(Backrest, transport),
      auth: createClient(Authentication, transport),
    };
  };
  const getConfigAs = (user: string, password: string) =>
    callJson(url, "v1.Backrest/GetConfig", {}, { user, password });

  it("rejects calls without credentials with 401 and a Basic challenge, running nothing", async () => {
    assertUnauthenticated(await callJson(url, "v1.Backrest/GetConfig", {}));
    assertUnauthenticated(await callJson(url, "v1.Backrest/Backup", { value: "plan1" }));
    assertUnauthenticated(await callJson(url, "v1.Authentication/HashPassword", { value: "x" }));
    const ops = await callJson(
      url,
      "v1.Backrest/GetOperations",
      {},
      {
        user: "alice",
        password: "pass",
      },
    );
    assert.equal(ops.status, 200, ops.text);
    assert.deepEqual(ops.body, {}, "the unauthenticated Backup started no operation");
  });

  it("rejects a wrong password, an unknown user and a non-Basic scheme", async () => {
    assertUnauthenticated(await getConfigAs("alice", "wrong"));
    assertUnauthenticated(await getConfigAs("alice", ""));
    assertUnauthenticated(await getConfigAs("mallory", "pass"));
    assertUnauthenticated(
      await callJson(url, "v1.Backrest/GetConfig", {}, { headers: { authorization: "Bearer x" } }),
    );
  });

  it("rejects an unauthenticated event stream", async () => {
    const client = createClient(
      Backrest,
      createConnectTransport({ baseUrl: url, httpVersion: "1.1" }),
    );
    await assert.rejects(
      async () => {
        for await (const _ of client.getOperationEvents({})) break;
      },
      (err) => ConnectError.from(err).code === Code.Unauthenticated,
    );
  });

  it("accepts the right credentials for GetConfig and Backup", async () => {
    const cfg = await getConfigAs("alice", "pass");
    assert.equal(cfg.status, 200, cfg.text);
    const backup = await callJson(
      url,
      "v1.Backrest/Backup",
      { value: "plan1" },
      {
        user: "alice",
        password: "pass",
      },
    );
    assert.equal(backup.status, 200, backup.text);
    assert.equal((backup.body as { status: string }).status, "STATUS_SUCCESS");
  });

  it("gRPC: UNAUTHENTICATED without authorization metadata, works with it", async () => {
    for (const metadata of [undefined, { authorization: basicAuthHeader("alice", "nope") }]) {
      await assert.rejects(
        grpcClient.unary(Backrest.method.getConfig, create(EmptySchema), metadata),
        (err: grpc.ServiceError) => err.code === grpc.status.UNAUTHENTICATED && err.code === 16,
      );
    }
    const authorization = basicAuthHeader("alice", "pass");
    const cfg = await grpcClient.unary(Backrest.method.getConfig, create(EmptySchema), {
      authorization,
    });
    assert.deepEqual(
      cfg.auth?.users.map((u) => [u.name, u.password.value]),
      [["alice", REDACTED]],
    );
    const op = await grpcClient.unary(
      Backrest.method.backup,
      create(BackupRequestSchema, { value: "plan1" }),
      { authorization },
    );
    assert.equal(op.status, OperationStatus.STATUS_SUCCESS);
  });

  it("GetConfig never reveals the repo password or the bcrypt hashes", async () => {
    const res = await getConfigAs("alice", "pass");
    assert.equal(res.status, 200, res.text);
    const rawHash = Buffer.from(aliceHash, "base64").toString("utf8");
    for (const secret of [TEST_PASSWORD, aliceHash, rawHash]) {
      assert.ok(!res.text.includes(secret), `response contains ${secret}`);
    }
    const cfg = res.body as {
      repos: { id: string; password: string }[];
      auth: { users: { name: string; passwordBcrypt: string }[] };
    };
    assert.deepEqual(cfg.repos[0]?.password, REDACTED);
    assert.deepEqual(cfg.auth.users, [{ name: "alice", passwordBcrypt: REDACTED }]);
  });

  it("Backrest's documented curl call works verbatim", async () => {
    const r = await execa(
      "curl",
      [
        "-u",
        "alice:pass",
        "-X",
        "POST",
        `${url}/v1.Backrest/Backup`,
        "-H",
        "Content-Type: application/json",
        "--data",
        '{"value":"plan1"}',
      ],
      { reject: false },
    );
    assert.equal(r.exitCode, 0, r.stderr);
    const op = JSON.parse(r.stdout) as { status: string; planId: string; snapshotId: string };
    assert.equal(op.status, "STATUS_SUCCESS", r.stdout);
    assert.equal(op.planId, "plan1");
    assert.match(op.snapshotId, /^[0-9a-f]{8,64}$/);
  });

  it("a HashPassword result added with SetConfig lets the new user in", async () => {
    const alice = as("alice", "pass");
    const bobHash = (await alice.auth.hashPassword({ value: "bob-pass" })).value;
    assert.match(Buffer.from(bobHash, "base64").toString("utf8"), /^\$2[aby]\$/);
    assertUnauthenticated(await getConfigAs("bob", "bob-pass"));

    const cfg = await alice.backrest.getConfig({});
    assert.ok(cfg.auth);
    cfg.auth.users.push(
      create(UserSchema, { name: "bob", password: { case: "passwordBcrypt", value: bobHash } }),
    );
    const saved = await alice.backrest.setConfig(cfg);
    assert.notEqual(saved.modno, cfg.modno);
    assert.deepEqual(
      saved.auth?.users.map((u) => [u.name, u.password.value]),
      [
        ["alice", REDACTED],
        ["bob", REDACTED],
      ],
    );
    // The markers sent back kept the stored secrets.
    const onDisk = readFileSync(fx.daemon.configPath, "utf8");
    assert.ok(!onDisk.includes(REDACTED), "no redaction marker was saved");
    assert.ok(onDisk.includes(aliceHash) && onDisk.includes(bobHash));
    assert.ok(onDisk.includes(TEST_PASSWORD));

    assert.equal((await getConfigAs("bob", "bob-pass")).status, 200);
    assertUnauthenticated(await getConfigAs("bob", "pass"));
    assert.equal((await getConfigAs("alice", "pass")).status, 200);
    const op = await as("bob", "bob-pass").backrest.backup({ value: "plan1" });
    assert.equal(op.status, OperationStatus.STATUS_SUCCESS, "the repo password was kept");
  });

  it("a changed password or removed user fails at once, despite the verification cache", async () => {
    // Both logins were just verified successfully, so both sit in the cache.
    assert.equal((await getConfigAs("alice", "pass")).status, 200);
    assert.equal((await getConfigAs("bob", "bob-pass")).status, 200);
    const alice = as("alice", "pass");
    const newHash = (await alice.auth.hashPassword({ value: "new-pass" })).value;
    const cfg = await alice.backrest.getConfig({});
    assert.ok(cfg.auth);
    cfg.auth.users = cfg.auth.users
      .filter((u) => u.name !== "bob")
      .map((u) =>
        u.name === "alice"
          ? create(UserSchema, {
              name: "alice",
              password: { case: "passwordBcrypt", value: newHash },
            })
          : u,
      );
    await alice.backrest.setConfig(cfg);

    assertUnauthenticated(await getConfigAs("alice", "pass"));
    assertUnauthenticated(await getConfigAs("bob", "bob-pass"));
    assert.equal((await getConfigAs("alice", "new-pass")).status, 200);
  });
});

describe("auth.disabled", async () => {
  const daemon = await startTestDaemon({
    version: 4,
    instance: "open-host",
    auth: {
      disabled: true,
      users: [{ name: "alice", passwordBcrypt: await hashPassword("pass") }],
    },
  });

  it("lets calls through without credentials", async () => {
    const res = await callJson(daemon.url, "v1.Backrest/GetConfig", {});
    assert.equal(res.status, 200, res.text);
    assert.equal((res.body as { instance: string }).instance, "open-host");
    const cfg = await createGrpcTestClient(daemon.port).unary(
      Backrest.method.getConfig,
      create(EmptySchema),
    );
    assert.equal(cfg.auth?.disabled, true);
  });
});
