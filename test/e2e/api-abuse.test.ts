/**
 * Hostile requests the random fuzzer (api-fuzz.test.ts) cannot aim well: payloads that reach
 * restic and the file system on the fixture's real repo and snapshot, bodies over the size
 * limit on every protocol, and slow clients that must not hold up anyone else.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import http2 from "node:http2";
import net from "node:net";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ADMIN, ADMIN_AUTH, serverFault, startFuzzFixture } from "../helpers/fuzz-fixture.js";
import { callJson, type OpJson } from "../helpers/http.js";
import { allServices, rawCall } from "../helpers/rpc-wire.js";

const LIMIT = 4 * 1024 * 1024;

describe("hostile requests", { concurrency: false }, async () => {
  const fx = await startFuzzFixture();
  const url = fx.daemon.url;
  const s = fx.sentinel;
  const session = http2.connect(url);
  session.on("error", () => {});
  after(() => session.close());
  const methods = (await allServices()).flatMap((svc) => svc.methods);
  const method = (name: string) => {
    const m = methods.find((x) => `${x.parent.typeName}/${x.name}` === name);
    assert.ok(m, name);
    return m;
  };

  const call = (path: string, body: unknown) => callJson(url, path, body, ADMIN);

  /** Starts an operation, waits for it, and returns it (it may fail; the daemon may not). */
  async function started(path: string, body: unknown): Promise<OpJson> {
    const res = await call(path, body);
    assert.equal(res.status, 200, res.text);
    const id =
      (res.body as { operationId?: string; value?: string }).operationId ??
      (res.body as { value?: string }).value;
    assert.ok(id, res.text);
    const done = await call("v1.Backrest/WaitOperation", { operationId: id, timeoutSeconds: 120 });
    assert.equal(done.status, 200, done.text);
    return done.body as OpJson;
  }

  async function refused(path: string, body: unknown, code: string): Promise<string> {
    const res = await call(path, body);
    assert.equal((res.body as { code?: string }).code, code, `${path}: ${res.text.slice(0, 300)}`);
    return (res.body as { message: string }).message;
  }

  it("restic commands with shell payloads run restic, never a shell", async () => {
    for (const command of [
      `snapshots $(touch ${s})`,
      `snapshots; touch ${s}`,
      `snapshots \`touch ${s}\``,
      `snapshots | touch ${s}`,
    ]) {
      const op = await started("v1.Backrest/RunCommand", { repoId: "local", command });
      assert.notEqual(op.status, "STATUS_INPROGRESS");
    }
    const op = await started("v1.Backrest/RunCommand", {
      repoId: "local",
      args: ["snapshots", `--host=$(touch ${s})`, `$(touch ${s})`],
    });
    assert.notEqual(op.status, "STATUS_INPROGRESS");
    assert.equal(existsSync(s), false, "a shell ran a payload");
  });

  it("restores refuse traversal and occupied targets and write payload names literally", async () => {
    const snapshotId = fx.snapshotId;
    for (const target of ["../../etc", "/etc", "/", `${fx.scratch}/a/../../../etc`, "/etc/passwd"])
      await refused(
        "v1.Backrest/Restore",
        { repoId: "local", snapshotId, target },
        "invalid_argument",
      );
    for (const path of ["../../etc/passwd", "/a/../../etc", "relative/path", "/x\u0000y"])
      await refused(
        "v1.Backrest/Restore",
        { repoId: "local", snapshotId, path, target: join(fx.scratch, "r1") },
        "invalid_argument",
      );
    const target = join(fx.scratch, `restore-$(touch ${s})`);
    const op = await started("v1.Backrest/Restore", { repoId: "local", snapshotId, target });
    assert.equal(op.status, "STATUS_SUCCESS", op.displayMessage);
    assert.ok(readdirSync(target).length > 0, "restored into the literal folder name");
    assert.equal(existsSync(s), false, "a shell ran a payload");
  });

  it("browsing and download links refuse traversal", async () => {
    for (const path of ["../../etc", "/a/../../etc", "/..", "etc/passwd"]) {
      await refused(
        "v1.Backrest/ListSnapshotFiles",
        { repoId: "local", snapshotId: fx.snapshotId, path },
        "invalid_argument",
      );
      await refused(
        "v1.Backrest/GetDownloadURL",
        { opId: fx.backupOpId, filePath: path },
        "invalid_argument",
      );
    }
    const forged = await fetch(`${url}/download/..%2F..%2Fetc%2Fpasswd/passwd`);
    assert.ok(forged.status >= 400 && forged.status < 500, `forged link: ${forged.status}`);
  });

  it("forgetting a payload snapshot id fails as an operation, nothing else", async () => {
    const op = await started("v1.Backrest/Forget", {
      repoId: "local",
      snapshotId: `$(touch ${s})`,
    });
    assert.equal(op.status, "STATUS_ERROR");
    const list = await call("v1.Backrest/ListSnapshots", { repoId: "local" });
    assert.equal(list.status, 200, list.text);
    assert.equal(existsSync(s), false, "a shell ran a payload");
  });

  it("repositories with payload locations are created where they say, literally", async () => {
    const uri = join(fx.scratch, `repo-$(touch ${s})`);
    const added = await call("v1.Backrest/AddRepo", {
      repo: { id: "payload", uri, password: "pw", env: [`X=$(touch ${s})`] },
    });
    assert.equal(added.status, 200, added.text);
    assert.ok(existsSync(join(uri, "config")), "restic initialized the literal path");
    await refused(
      "v1.Backrest/AddRepo",
      { repo: { id: `a;touch ${s}`, uri: join(fx.scratch, "r2"), password: "pw" } },
      "invalid_argument",
    );
    await refused(
      "v1.Backrest/AddRepo",
      {
        repo: { id: "envbad", uri: join(fx.scratch, "r3"), password: "pw", env: [`$(touch ${s})`] },
      },
      "invalid_argument",
    );
    const removed = await call("v1.Backrest/RemoveRepo", { value: "payload" });
    assert.equal(removed.status, 200, removed.text);
    assert.equal(existsSync(s), false, "a shell ran a payload");
  });

  it("the fixture still backs up afterwards", async () => {
    const res = await call("v1.Backrest/Backup", { value: "plan1" });
    assert.equal((res.body as OpJson).status, "STATUS_SUCCESS", res.text);
  });

  it("bodies over 4 MiB are refused as resource_exhausted on every protocol", async () => {
    await fx.settle(); // the backup before indexes its snapshot
    const before = fx.state();
    const json = Buffer.from(JSON.stringify({ selector: { repoId: "x".repeat(LIMIT + 1024) } }));
    // field 1 (selector), a length of 5 MiB, then that many bytes
    const proto = Buffer.concat([
      Buffer.from([0x0a, 0x80, 0x80, 0xc0, 0x02]),
      Buffer.alloc(5 << 20, 0x41),
    ]);
    for (const name of ["v1.Backrest/GetOperations", "v1.Backrest/SetConfig"]) {
      for (const protocol of ["connect-json", "connect-proto", "grpc", "grpc-web"] as const) {
        const own = http2.connect(url);
        own.on("error", () => {});
        const outcome = await rawCall({
          baseUrl: url,
          method: method(name),
          protocol,
          body: protocol === "connect-json" ? json : proto,
          authorization: ADMIN_AUTH,
          session: own,
          timeoutMs: 60_000,
        });
        own.close();
        const what = `${name} over ${protocol}: ${JSON.stringify(outcome)}`;
        assert.equal(serverFault(outcome), undefined, what);
        assert.ok(outcome.code === "resource_exhausted" || outcome.httpStatus === 413, what);
      }
    }
    assert.deepEqual(fx.state(), before, "refused requests changed the config or the log");
  });

  it("several oversized messages at once cost only their own connection", async () => {
    // Node's HTTP/2 layer resets a connection whose refused uploads pile up beyond its memory
    // limit (ENHANCE_YOUR_CALM): that client's connection, nobody else's.
    const abuser = http2.connect(url);
    abuser.on("error", () => {});
    const proto = Buffer.concat([
      Buffer.from([0x0a, 0x80, 0x80, 0xc0, 0x02]),
      Buffer.alloc(5 << 20, 0x41),
    ]);
    const outcomes = await Promise.all(
      [1, 2, 3].map(() =>
        rawCall({
          baseUrl: url,
          method: method("v1.Backrest/SetConfig"),
          protocol: "grpc",
          body: proto,
          authorization: ADMIN_AUTH,
          session: abuser,
          timeoutMs: 60_000,
        }),
      ),
    );
    abuser.destroy();
    for (const o of outcomes) assert.notEqual(o.code, "ok", JSON.stringify(o));
    const other = await rawCall({
      baseUrl: url,
      method: method("v1.Backrest/GetConfig"),
      protocol: "grpc",
      body: Buffer.alloc(0),
      authorization: ADMIN_AUTH,
      session,
    });
    assert.equal(other.code, "ok", JSON.stringify(other));
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
  });

  it("a client sending its body a byte at a time does not hold up other clients", async () => {
    const port = Number(new URL(url).port);
    const body = JSON.stringify({ selector: {} });
    const head =
      "POST /v1.Backrest/GetOperations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
      `Authorization: ${ADMIN_AUTH}\r\nContent-Length: ${body.length + 1000}\r\n\r\n`;
    const slow: net.Socket[] = [];
    let answeredSlow = 0;
    const timers: NodeJS.Timeout[] = [];
    for (let i = 0; i < 8; i++) {
      const socket = net.connect(port, "127.0.0.1");
      socket.on("error", () => {});
      socket.on("data", () => {
        answeredSlow += 1;
      });
      slow.push(socket);
      // Half send their headers slowly too (slowloris), half their body.
      const bytes = Buffer.from(i % 2 ? head + body : head);
      let at = i % 2 ? 0 : bytes.length;
      if (at > 0) socket.write(bytes);
      timers.push(
        setInterval(() => {
          if (at < bytes.length) socket.write(bytes.subarray(at, ++at));
          else socket.write(" ");
        }, 50),
      );
    }
    // A slow HTTP/2 stream as well.
    const h2 = http2.connect(url);
    h2.on("error", () => {});
    const stream = h2.request({
      ":method": "POST",
      ":path": "/v1.Backrest/GetOperations",
      "content-type": "application/grpc+proto",
      te: "trailers",
      authorization: ADMIN_AUTH,
    });
    stream.on("error", () => {});
    stream.write(Buffer.from([0, 0, 0, 0x10, 0]));
    timers.push(setInterval(() => stream.write(Buffer.from([0x0a])), 50));
    try {
      // Meanwhile other clients get their answers, over both HTTP versions.
      for (let i = 0; i < 20; i++) {
        const res = await call("v1.Backrest/GetOperations", { lastN: 1 });
        assert.equal(res.status, 200, res.text);
        const grpc = await rawCall({
          baseUrl: url,
          method: method("v1.Backrest/GetConfig"),
          protocol: "grpc",
          body: Buffer.alloc(0),
          authorization: ADMIN_AUTH,
          session,
        });
        assert.equal(grpc.code, "ok", JSON.stringify(grpc));
      }
      assert.equal(answeredSlow, 0, "the slow clients are still sending (nothing answered yet)");
      assert.ok(
        slow.every((sock) => !sock.destroyed),
        "the slow clients are still connected",
      );
    } finally {
      for (const t of timers) clearInterval(t);
      for (const sock of slow) sock.destroy();
      stream.close();
      h2.close();
    }
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
  });

  it("login with hostile credentials is refused, not crashed", async () => {
    for (const password of ["", "\u0000", "x".repeat(100_000), `$(touch ${s})`]) {
      const res = await callJson(url, "v1.Authentication/Login", {
        username: ADMIN.user,
        password,
      });
      const code = (res.body as { code?: string }).code ?? "";
      assert.ok(["unauthenticated", "invalid_argument"].includes(code), res.text.slice(0, 200));
    }
    assert.equal(existsSync(s), false);
  });
});
