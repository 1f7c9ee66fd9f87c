/**
 * One port, every protocol: gRPC (grpc-js over h2c), gRPC-Web, Connect binary over h2c and
 * Connect JSON over HTTP/1.1 all reach the same daemon, which runs real restic backups; and
 * GetOperationEvents streams over Connect, gRPC and raw enveloped JSON frames.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { EmptySchema } from "@bufbuild/protobuf/wkt";
import { type Client, createClient, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcWebTransport,
  Http2SessionManager,
} from "@connectrpc/connect-node";
import { StringValueSchema } from "../../gen/types/value_pb.js";
import { Authentication } from "../../gen/v1/authentication_pb.js";
import { type Operation, OperationStatus } from "../../gen/v1/operations_pb.js";
import {
  Backrest,
  BackupRequestSchema,
  GetOperationsRequestSchema,
} from "../../gen/v1/service_pb.js";
import { verifyPassword } from "../../src/auth/password.js";
import { listSnapshots } from "../helpers/data.js";
import { startBackupFixture } from "../helpers/fixture.js";
import { createGrpcTestClient, grpc, grpcPath } from "../helpers/grpc.js";
import { callJson } from "../helpers/http.js";
import { envelope, readFrames, waitForKeepAlive, watchBackup } from "../helpers/op-events.js";

const STREAM_TIMEOUT = { timeout: 30_000 };

describe("one port serves gRPC, gRPC-Web and Connect", async () => {
  const fx = await startBackupFixture({ files: 10, keepAliveMs: 200 });
  const { url, port } = fx.daemon;
  const grpcClient = createGrpcTestClient(port);
  const h2Sessions = new Http2SessionManager(url);
  after(() => h2Sessions.abort());
  // connect-node defaults to the binary format; curl-style JSON must be asked for.
  const connectJsonH1 = () =>
    createConnectTransport({ baseUrl: url, httpVersion: "1.1", useBinaryFormat: false });
  const connectBinaryH2 = () =>
    createConnectTransport({
      baseUrl: url,
      httpVersion: "2",
      useBinaryFormat: true,
      sessionManager: h2Sessions,
    });

  /** Checks a finished backup operation and that its snapshot is in the restic repository. */
  async function assertBackedUp(op: Operation): Promise<void> {
    assert.equal(op.status, OperationStatus.STATUS_SUCCESS, op.displayMessage);
    assert.equal(op.planId, "plan1");
    assert.equal(op.repoId, "local");
    assert.equal(op.op.case, "operationBackup");
    assert.match(op.snapshotId, /^[0-9a-f]{8,64}$/);
    const snaps = await listSnapshots(fx.repoPath);
    assert.ok(
      snaps.some((s) => s.id.startsWith(op.snapshotId)),
      `snapshot ${op.snapshotId} exists in the repository`,
    );
  }

  /** Runs Backup, GetOperations and GetConfig through `client`; returns response content types. */
  async function exercise(client: Client<typeof Backrest>): Promise<string[]> {
    const contentTypes: string[] = [];
    const onHeader = (h: Headers) => contentTypes.push(h.get("content-type") ?? "");
    const op = await client.backup({ value: "plan1" }, { onHeader });
    await assertBackedUp(op);
    const list = await client.getOperations({ selector: { planId: "plan1" } }, { onHeader });
    assert.ok(list.operations.some((o) => o.id === op.id && o.snapshotId === op.snapshotId));
    const cfg = await client.getConfig({}, { onHeader });
    assert.deepEqual(
      cfg.plans.map((p) => p.id),
      ["plan1"],
    );
    return contentTypes;
  }

  it("gRPC (grpc-js, h2c): Backup, GetOperations, GetConfig, HashPassword", async () => {
    assert.equal(grpcPath(Backrest.method.backup), "/v1.Backrest/Backup");
    const op = await grpcClient.unary(
      Backrest.method.backup,
      create(BackupRequestSchema, { value: "plan1" }),
    );
    await assertBackedUp(op);

    const list = await grpcClient.unary(
      Backrest.method.getOperations,
      create(GetOperationsRequestSchema, { selector: { planId: "plan1" } }),
    );
    const logged = list.operations.find((o) => o.id === op.id);
    assert.ok(logged, "the backup is in the operation log");
    assert.equal(logged.status, OperationStatus.STATUS_SUCCESS);
    assert.equal(logged.snapshotId, op.snapshotId);

    const cfg = await grpcClient.unary(Backrest.method.getConfig, create(EmptySchema));
    assert.equal(cfg.instance, "test-host");
    assert.deepEqual(
      cfg.repos.map((r) => [r.id, r.password]),
      [["local", "<redacted>"]],
    );

    assert.equal(grpcPath(Authentication.method.hashPassword), "/v1.Authentication/HashPassword");
    const hash = await grpcClient.unary(
      Authentication.method.hashPassword,
      create(StringValueSchema, { value: "s3cret" }),
    );
    assert.match(Buffer.from(hash.value, "base64").toString("utf8"), /^\$2[aby]\$\d\d\$/);
    assert.equal(await verifyPassword("s3cret", hash.value), true);
    assert.equal(await verifyPassword("other", hash.value), false);
  });

  it("gRPC reports errors as gRPC status codes", async () => {
    await assert.rejects(
      grpcClient.unary(Backrest.method.backup, create(BackupRequestSchema, { value: "nope" })),
      (err: grpc.ServiceError) => {
        assert.equal(err.code, grpc.status.NOT_FOUND);
        assert.match(err.details, /plan "nope" does not exist/);
        return true;
      },
    );
  });

  it("gRPC-Web over HTTP/1.1", async () => {
    const transport = createGrpcWebTransport({ baseUrl: url, httpVersion: "1.1" });
    const types = await exercise(createClient(Backrest, transport));
    assert.ok(
      types.every((t) => t.startsWith("application/grpc-web")),
      types.join(),
    );
  });

  it("Connect binary over h2c", async () => {
    const transport = connectBinaryH2();
    const types = await exercise(createClient(Backrest, transport));
    assert.deepEqual(new Set(types), new Set(["application/proto"]));
    const hash = await createClient(Authentication, transport).hashPassword({ value: "pw" });
    assert.equal(await verifyPassword("pw", hash.value), true);
  });

  it("Connect JSON over HTTP/1.1", async () => {
    const transport = connectJsonH1();
    const types = await exercise(createClient(Backrest, transport));
    assert.deepEqual(new Set(types), new Set(["application/json"]));
  });

  describe("GetOperationEvents", () => {
    /** Subscribes through `transport`, runs a backup and checks the events it streamed. */
    async function streamsBackup(transport: Transport, contentType: string): Promise<void> {
      const client = createClient(Backrest, transport);
      const abort = new AbortController();
      let responseType: string | null = null;
      const events = client
        .getOperationEvents(
          {},
          { signal: abort.signal, onHeader: (h) => (responseType = h.get("content-type")) },
        )
        [Symbol.asyncIterator]();
      try {
        await waitForKeepAlive(events);
        assert.equal(responseType, contentType);
        const backup = client.backup({ value: "plan1" });
        const seen = await watchBackup(events, "plan1");
        const op = await backup;
        assert.equal(seen.created.id, op.id);
        assert.notEqual(seen.created.status, OperationStatus.STATUS_SUCCESS);
        assert.ok(seen.updates.length >= 1);
        assert.equal(seen.updates.at(-1)?.status, OperationStatus.STATUS_SUCCESS);
        assert.equal(seen.updates.at(-1)?.snapshotId, op.snapshotId);
      } finally {
        abort.abort();
      }
    }

    it("Connect JSON over HTTP/1.1 streams created and updated operations", STREAM_TIMEOUT, () =>
      streamsBackup(connectJsonH1(), "application/connect+json"),
    );

    it("Connect binary over h2c streams created and updated operations", STREAM_TIMEOUT, () =>
      streamsBackup(connectBinaryH2(), "application/connect+proto"),
    );

    it("sends keep-alives while idle", STREAM_TIMEOUT, async () => {
      const client = createClient(Backrest, connectJsonH1());
      const abort = new AbortController();
      let keepAlives = 0;
      try {
        for await (const ev of client.getOperationEvents({}, { signal: abort.signal })) {
          if (ev.event.case === "keepAlive") keepAlives++;
          if (keepAlives === 3) break;
        }
      } finally {
        abort.abort();
      }
      assert.equal(keepAlives, 3);
    });

    it("gRPC (grpc-js) streams the same events", STREAM_TIMEOUT, async () => {
      const call = grpcClient.serverStream(Backrest.method.getOperationEvents, create(EmptySchema));
      const events = call[Symbol.asyncIterator]();
      try {
        await waitForKeepAlive(events);
        const backup = grpcClient.unary(
          Backrest.method.backup,
          create(BackupRequestSchema, { value: "plan1" }),
        );
        const seen = await watchBackup(events, "plan1");
        const op = await backup;
        assert.equal(seen.created.id, op.id);
        assert.equal(seen.updates.at(-1)?.status, OperationStatus.STATUS_SUCCESS);
      } finally {
        call.on("error", () => {}); // the CANCELLED status of our own cancel
        call.cancel();
      }
    });

    it(
      "raw Connect streaming: enveloped JSON frames, as curl sends them",
      STREAM_TIMEOUT,
      async () => {
        const abort = new AbortController();
        try {
          const res = await fetch(`${url}/v1.Backrest/GetOperationEvents`, {
            method: "POST",
            headers: { "content-type": "application/connect+json" },
            body: envelope(0, "{}"),
            signal: abort.signal,
          });
          assert.equal(res.status, 200);
          assert.equal(res.headers.get("content-type"), "application/connect+json");
          assert.ok(res.body);
          const frames = readFrames(res.body);
          // Skip events still arriving from earlier tests' follow-ups (indexing) until a keep-alive.
          for (;;) {
            const frame = await frames.next();
            assert.equal(frame.done, false);
            assert.equal(frame.value?.flags, 0);
            const ev = JSON.parse(frame.value?.data.toString("utf8") ?? "") as object;
            if ("keepAlive" in ev) {
              assert.deepEqual(ev, { keepAlive: {} });
              break;
            }
          }

          const backup = callJson(url, "v1.Backrest/Backup", { value: "plan1" });
          let createdId: string | undefined;
          let finalStatus: string | undefined;
          for await (const frame of frames) {
            assert.equal(frame.flags, 0, `unexpected end frame: ${frame.data.toString()}`);
            const ev = JSON.parse(frame.data.toString("utf8")) as {
              createdOperations?: {
                operations: { id: string; planId: string; operationBackup?: object }[];
              };
              updatedOperations?: { operations: { id: string; status: string }[] };
            };
            createdId ??= ev.createdOperations?.operations.find(
              (o) => o.planId === "plan1" && o.operationBackup,
            )?.id;
            const update = ev.updatedOperations?.operations.find((o) => o.id === createdId);
            if (update && !["STATUS_PENDING", "STATUS_INPROGRESS"].includes(update.status)) {
              finalStatus = update.status;
              break;
            }
          }
          const op = (await backup).body as { id: string; status: string };
          assert.equal(createdId, op.id);
          assert.equal(finalStatus, "STATUS_SUCCESS");
        } finally {
          abort.abort();
        }
      },
    );

    it("plain application/json to the streaming method is 415", async () => {
      const res = await callJson(url, "v1.Backrest/GetOperationEvents", {});
      assert.equal(res.status, 415, res.text);
    });
  });
});
