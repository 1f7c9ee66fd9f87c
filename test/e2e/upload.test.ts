/**
 * Uploads (POST /v1/upload/<planId>) against a real daemon and the real restic: raw bodies,
 * multipart forms and curl become snapshots holding exactly the bytes sent; bodies over the
 * limit, cut off or with two files leave no snapshot and no lock; permissions, bad requests and
 * the audit log; and a queued upload holds its client without reading its body.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import { execa } from "execa";
import { hashPassword } from "../../src/auth/password.js";
import { startTestDaemon } from "../helpers/daemon.js";
import { initRepo, listSnapshots, TEST_PASSWORD } from "../helpers/data.js";
import { callJson, type OpJson, waitFor, waitForOperation } from "../helpers/http.js";
import { tempDir } from "../helpers/temp.js";

const MiB = 1024 * 1024;
const LIMIT = 6 * MiB;

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Record<string, string | number | undefined>;
  text: string;
}

interface UploadOp extends OpJson {
  operationBackup?: { stdinSource?: { kind?: string; filename?: string } };
}

const basic = (user: string, pass: string) =>
  `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;

describe("uploads", async () => {
  const dir = tempDir();
  const repoPath = join(dir, "repo");
  await initRepo(repoPath);
  const go = join(dir, "go");
  mkdirSync(join(dir, "nothing"));
  const users = {
    adm: { user: "adm", password: "adm-pw" },
    ops: { user: "ops", password: "ops-pw" },
    val: { user: "val", password: "val-pw" },
  };
  const daemon = await startTestDaemon({
    instance: "upload-host",
    repos: [{ id: "local", uri: repoPath, password: TEST_PASSWORD }],
    plans: [
      { id: "plan1", repo: "local", paths: [dir] },
      // Keeps one snapshot per source: the paths' and the uploads' are grouped apart.
      {
        id: "kept",
        repo: "local",
        paths: [join(dir, "nothing")],
        retention: { policyKeepLastN: 1 },
      },
      {
        id: "held",
        repo: "local",
        paths: [join(dir, "nothing")],
        // Holds the repo's queue until the test creates the file.
        hooks: [
          {
            conditions: ["CONDITION_SNAPSHOT_START"],
            actionCommand: { command: `while [ ! -e '${go}' ]; do sleep 0.05; done` },
          },
        ],
      },
    ],
    auth: {
      users: [
        { name: "adm", passwordBcrypt: await hashPassword(users.adm.password) },
        { name: "ops", role: "operator", passwordBcrypt: await hashPassword(users.ops.password) },
        { name: "val", role: "viewer", passwordBcrypt: await hashPassword(users.val.password) },
      ],
    },
    settings: { uploadMaxBytes: String(LIMIT) },
  });
  const { url, port } = daemon;
  const admin = basic(users.adm.user, users.adm.password);
  const operator = basic(users.ops.user, users.ops.password);

  /** POSTs (or `method`s) to `path`: a Buffer with its Content-Length, a stream chunked. */
  function send(
    path: string,
    opts: {
      body?: Buffer | Readable;
      headers?: Record<string, string>;
      method?: string;
      /** Sends the head only and waits for the answer (the body is never sent). */
      headOnly?: boolean;
    } = {},
  ): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = http.request(`${url}${path}`, {
        method: opts.method ?? "POST",
        headers: { authorization: admin, ...opts.headers },
        agent: false,
      });
      let answered = false;
      req.on("error", (err) => {
        if (!answered) reject(err);
      });
      req.on("response", (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body = {};
          try {
            body = JSON.parse(text) as Reply["body"];
          } catch {}
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text });
          req.destroy();
        });
      });
      if (opts.headOnly) req.flushHeaders();
      else if (opts.body instanceof Readable) {
        opts.body.on("error", () => {});
        opts.body.pipe(req);
      } else req.end(opts.body);
    });
  }

  async function operations(): Promise<UploadOp[]> {
    const res = await callJson(url, "v1.Backrest/GetOperations", { selector: {} }, users.adm);
    return (res.body as { operations?: UploadOp[] }).operations ?? [];
  }
  const uploadOp = async (filename: string) =>
    (await operations()).find((o) => o.operationBackup?.stdinSource?.filename === filename);

  async function dump(snapshotId: string, file: string): Promise<Buffer> {
    const r = await execa("restic", ["-r", repoPath, "dump", snapshotId, `/${file}`], {
      env: { RESTIC_PASSWORD: TEST_PASSWORD, RESTIC_CACHE_DIR: join(dir, ".restic-cache") },
      encoding: "buffer",
      stripFinalNewline: false,
    });
    return Buffer.from(r.stdout);
  }
  const snapshotsOf = async (file: string) =>
    (await listSnapshots(repoPath)).filter((s) => s.paths.includes(`/${file}`));
  const locks = () => readdirSync(join(repoPath, "locks"));

  /** Checks a 201 answer, the snapshot restic has and what it holds. */
  async function assertStored(reply: Reply, file: string, content: Buffer): Promise<string> {
    assert.equal(reply.status, 201, reply.text);
    assert.equal(reply.body.filename, file);
    assert.equal(reply.body.bytes, content.length);
    const snapshotId = String(reply.body.snapshotId);
    const [snapshot, ...more] = await snapshotsOf(file);
    assert.equal(more.length, 0);
    // restic 0.14 reports the short id of the snapshot it wrote.
    assert.ok(snapshot?.id.startsWith(snapshotId), `${snapshot?.id} is ${snapshotId}`);
    assert.ok(snapshot?.tags?.includes("restwell:source:upload"), String(snapshot?.tags));
    assert.ok(snapshot?.tags?.includes("plan:plan1"), String(snapshot?.tags));
    assert.ok((await dump(snapshotId, file)).equals(content), "the snapshot's file differs");
    return snapshotId;
  }

  it("applies the plan's retention to its uploads apart from its paths' snapshots", async () => {
    const backup = await callJson(url, "v1.Backrest/Backup", { value: "kept" }, users.adm);
    assert.equal((backup.body as OpJson).status, "STATUS_SUCCESS", backup.text);
    for (const content of [randomBytes(1000), randomBytes(1000)]) {
      const reply = await send("/v1/upload/kept?filename=kept.bin", { body: content });
      assert.equal(reply.status, 201, reply.text);
    }
    const ofPlan = async () =>
      (await listSnapshots(repoPath)).filter((s) => s.tags?.includes("plan:kept"));
    // The forget that follows each upload leaves the newest upload and the paths' snapshot.
    const kept = await waitFor(
      async () => {
        const snaps = await ofPlan();
        const uploads = snaps.filter((s) => s.tags?.includes("restwell:source:upload"));
        return uploads.length === 1 ? snaps : undefined;
      },
      60_000,
      "the plan's retention to forget the older upload",
    );
    assert.deepEqual(
      kept.map((s) => s.paths.join(",")).sort(),
      [join(dir, "nothing"), "/kept.bin"].sort(),
    );
  });

  it("stores a streamed raw body named by ?filename= as a snapshot of the plan, byte for byte", async () => {
    const content = randomBytes(3 * MiB + 123);
    const chunks = Array.from({ length: Math.ceil(content.length / (64 * 1024)) }, (_, i) =>
      content.subarray(i * 64 * 1024, (i + 1) * 64 * 1024),
    );
    const reply = await send("/v1/upload/plan1?filename=db.dump", {
      body: Readable.from(chunks),
      headers: { "content-type": "application/octet-stream" },
    });
    const snapshotId = await assertStored(reply, "db.dump", content);
    assert.ok(reply.headers["x-request-id"]);
    assert.ok(reply.headers["x-ratelimit-limit"]);

    const op = await waitForOperation(url, String(reply.body.operationId), users.adm);
    const upload = op as UploadOp;
    assert.equal(op.status, "STATUS_SUCCESS");
    assert.equal(op.planId, "plan1");
    assert.equal(op.snapshotId, snapshotId);
    assert.ok(snapshotId.length >= 8);
    assert.deepEqual(upload.operationBackup?.stdinSource, {
      kind: "KIND_UPLOAD",
      filename: "db.dump",
    });
    const listed = await callJson(
      url,
      "v1.Backrest/ListSnapshots",
      { repoId: "local", planId: "plan1" },
      users.adm,
    );
    const ids = (listed.body as { snapshots?: { id: string }[] }).snapshots?.map((s) => s.id);
    assert.ok(
      ids?.some((id) => id.startsWith(snapshotId)),
      listed.text,
    );
  });

  it("takes the file name from Content-Disposition when the URL has none", async () => {
    const content = randomBytes(200_000);
    const reply = await send("/v1/upload/plan1", {
      body: content,
      headers: { "content-disposition": `attachment; filename*=UTF-8''na%C3%AFve%20dump.sql` },
    });
    await assertStored(reply, "naïve dump.sql", content);
  });

  it("stores the one file of a multipart form", async () => {
    const content = randomBytes(MiB + 7);
    const form = new FormData();
    form.append("note", "a text field is skipped");
    form.append("file", new Blob([content]), "form.bin");
    const res = await fetch(`${url}/v1/upload/plan1`, {
      method: "POST",
      body: form,
      headers: { authorization: operator },
    });
    const text = await res.text();
    const reply = { status: res.status, headers: {}, body: JSON.parse(text), text };
    await assertStored(reply, "form.bin", content);
  });

  it("works with curl, raw (--data-binary) and as a form (-F)", async (t) => {
    const curl = await execa("curl", ["--version"], { reject: false }).catch(() => undefined);
    if (curl?.exitCode !== 0) {
      t.skip("curl is not installed");
      return;
    }
    const file = join(dir, "curl-form.bin");
    const content = randomBytes(2 * MiB);
    writeFileSync(file, content);
    const run = async (args: string[]) => {
      const r = await execa("curl", ["-sS", "-u", "ops:ops-pw", "-w", "\n%{http_code}", ...args]);
      const [text = "", status = ""] = r.stdout.split(/\n(?=\d+$)/);
      return { status: Number(status), headers: {}, body: JSON.parse(text), text };
    };
    const raw = await run([
      "--data-binary",
      `@${file}`,
      `${url}/v1/upload/plan1?filename=curl-raw.bin`,
    ]);
    await assertStored(raw, "curl-raw.bin", content);
    const form = await run(["-F", `file=@${file}`, `${url}/v1/upload/plan1`]);
    await assertStored(form, "curl-form.bin", content);
  });

  it("refuses a Content-Length over the limit with 413 before reading the body", async () => {
    const reply = await send("/v1/upload/plan1?filename=too-big-declared.bin", {
      headOnly: true,
      headers: { "content-length": String(LIMIT + 1) },
    });
    assert.equal(reply.status, 413, reply.text);
    assert.equal(reply.body.code, "resource_exhausted");
    assert.match(String(reply.body.message), /larger than the limit of 6291456 bytes \(6 MiB\)/);
    assert.equal(reply.body.operationId, undefined);
    assert.equal(await uploadOp("too-big-declared.bin"), undefined, "nothing was queued");
  });

  it("cuts a streamed body at the limit: 413, a failed operation, no snapshot and no lock", async () => {
    const chunk = randomBytes(256 * 1024);
    const body = Readable.from(Array.from({ length: (LIMIT + MiB) / chunk.length }, () => chunk));
    const reply = await send("/v1/upload/plan1?filename=too-big-streamed.bin", { body });
    assert.equal(reply.status, 413, reply.text);
    assert.equal(reply.body.code, "resource_exhausted");
    assert.match(String(reply.body.message), /larger than the limit/);
    const op = await waitForOperation(url, String(reply.body.operationId), users.adm);
    assert.equal(op.status, "STATUS_ERROR");
    assert.match(op.displayMessage ?? "", /larger than the limit of 6291456 bytes/);
    assert.deepEqual(await snapshotsOf("too-big-streamed.bin"), []);
    assert.deepEqual(locks(), []);
  });

  /** Sends the head and `sent` bytes of a body declared `declared` bytes long over a raw socket. */
  async function partialUpload(file: string, sent: number, declared: number) {
    const socket = net.connect(port, "127.0.0.1");
    socket.on("error", () => {});
    socket.write(
      `POST /v1/upload/plan1?filename=${file} HTTP/1.1\r\nHost: x\r\nAuthorization: ${admin}\r\nContent-Length: ${declared}\r\n\r\n`,
    );
    socket.write(randomBytes(sent));
    const op = await waitFor(
      async () => {
        const found = await uploadOp(file);
        return found?.status === "STATUS_INPROGRESS" ? found : undefined;
      },
      60_000,
      `the upload of ${file} to start`,
    );
    return { socket, op };
  }

  it("an upload cut off midway leaves no snapshot or lock and fails as interrupted; the next one works", async () => {
    const { socket, op } = await partialUpload("half.bin", 2 * MiB, 4 * MiB);
    socket.destroy();
    const failed = await waitForOperation(url, op.id, users.adm);
    assert.equal(failed.status, "STATUS_ERROR");
    const message = failed.displayMessage ?? "";
    assert.match(message, /^the upload was interrupted after \d+ bytes .*no snapshot was made/);
    // Bytes still in the socket when the client went away may never reach the daemon.
    const received = Number(/after (\d+) bytes/.exec(message)?.[1]);
    assert.ok(received > 0 && received <= 2 * MiB, message);
    assert.deepEqual(await snapshotsOf("half.bin"), []);
    assert.deepEqual(locks(), []);
    const content = randomBytes(100_000);
    await assertStored(
      await send("/v1/upload/plan1?filename=after-half.bin", { body: content }),
      "after-half.bin",
      content,
    );
  });

  it("a connection reset midway leaves no snapshot or lock either", async () => {
    const { socket, op } = await partialUpload("reset.bin", MiB, 3 * MiB);
    socket.resetAndDestroy();
    const failed = await waitForOperation(url, op.id, users.adm);
    assert.equal(failed.status, "STATUS_ERROR");
    assert.match(failed.displayMessage ?? "", /^the upload was interrupted after \d+ bytes/);
    assert.deepEqual(await snapshotsOf("reset.bin"), []);
    assert.deepEqual(locks(), []);
  });

  it("refuses a form with two files: 400 and no snapshot of either", async () => {
    const form = new FormData();
    form.append("a", new Blob([randomBytes(300_000)]), "first.bin");
    form.append("b", new Blob([randomBytes(1000)]), "second.bin");
    const res = await fetch(`${url}/v1/upload/plan1`, {
      method: "POST",
      body: form,
      headers: { authorization: admin },
    });
    const body = (await res.json()) as { code: string; message: string; operationId: string };
    assert.equal(res.status, 400);
    assert.equal(body.code, "invalid_argument");
    assert.match(body.message, /more than one file; send one file per upload/);
    const op = await waitForOperation(url, body.operationId, users.adm);
    assert.equal(op.status, "STATUS_ERROR");
    assert.deepEqual(await snapshotsOf("first.bin"), []);
    assert.deepEqual(await snapshotsOf("second.bin"), []);
    assert.deepEqual(locks(), []);
  });

  it("needs credentials and the plans:upload permission", async () => {
    const small = Buffer.from("small upload\n");
    const none = await send("/v1/upload/plan1?filename=anon.txt", {
      body: small,
      headers: { authorization: "" },
    });
    assert.equal(none.status, 401, none.text);
    assert.equal(none.body.code, "unauthenticated");
    assert.match(String(none.headers["www-authenticate"]), /^Basic/);
    const wrong = await send("/v1/upload/plan1?filename=wrong.txt", {
      body: small,
      headers: { authorization: basic("ops", "not-the-password") },
    });
    assert.equal(wrong.status, 401, wrong.text);
    const viewer = await send("/v1/upload/plan1?filename=viewer.txt", {
      body: small,
      headers: { authorization: basic(users.val.user, users.val.password) },
    });
    assert.equal(viewer.status, 403, viewer.text);
    assert.equal(viewer.body.code, "permission_denied");
    assert.match(String(viewer.body.message), /"plans:upload"/);

    const key = async (permissions: string[]) => {
      const res = await callJson(
        url,
        "v1.ApiKeys/CreateApiKey",
        { name: `upload ${permissions.join(" ")}`, permissions },
        users.adm,
      );
      assert.equal(res.status, 200, res.text);
      return `Bearer ${(res.body as { token: string }).token}`;
    };
    const withUpload = await send("/v1/upload/plan1?filename=by-key.txt", {
      body: small,
      headers: { authorization: await key(["plans:upload"]) },
    });
    await assertStored(withUpload, "by-key.txt", small);
    const without = await send("/v1/upload/plan1?filename=by-other-key.txt", {
      body: small,
      headers: { authorization: await key(["plans:run", "plans:read"]) },
    });
    assert.equal(without.status, 403, without.text);
    for (const file of ["anon.txt", "wrong.txt", "viewer.txt", "by-other-key.txt"]) {
      assert.deepEqual(await snapshotsOf(file), [], file);
      assert.equal(await uploadOp(file), undefined, file);
    }
  });

  it("answers 404 for an unknown plan, 400 for a missing or bad file name, 405 for other methods", async () => {
    const small = Buffer.from("x");
    const unknown = await send("/v1/upload/nope?filename=x.txt", { body: small });
    assert.equal(unknown.status, 404, unknown.text);
    assert.equal(unknown.body.code, "not_found");
    assert.match(String(unknown.body.message), /plan "nope" does not exist; check the plan id/);

    const missing = await send("/v1/upload/plan1", { body: small });
    assert.equal(missing.status, 400, missing.text);
    assert.equal(missing.body.code, "invalid_argument");
    assert.match(String(missing.body.message), /add \?filename=<name> to the URL/);
    assert.match(String(missing.body.message), /Content-Disposition: attachment; filename=<name>/);

    const cases: [string, RegExp][] = [
      ["../etc", /contains "\/"; give a bare file name such as db.sql/],
      ["a%0Ab", /contains a control character/],
      ["..", /is not a file name/],
      [`${"x".repeat(256)}`, /is 256 bytes long; use at most 255 bytes/],
    ];
    for (const [name, message] of cases) {
      const bad = await send(`/v1/upload/plan1?filename=${name}`, { body: small });
      assert.equal(bad.status, 400, `${name}: ${bad.text}`);
      assert.match(String(bad.body.message), message, name);
    }
    const get = await send("/v1/upload/plan1?filename=x.txt", { method: "GET" });
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, "POST");
  });

  it("works over HTTP/2 (h2c); an early refusal resets only its own stream", async () => {
    const session = http2.connect(url);
    session.on("error", () => {});
    const post = (path: string, body: Buffer) =>
      new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
        const stream = session.request({
          ":method": "POST",
          ":path": path,
          authorization: operator,
        });
        let status = 0;
        let text = "";
        stream.on("response", (headers) => {
          status = Number(headers[":status"]);
        });
        stream.on("data", (c: Buffer) => {
          text += c.toString();
        });
        stream.on("close", () => resolve({ status, json: text ? JSON.parse(text) : {} }));
        stream.on("error", (err) => (status ? undefined : reject(err)));
        stream.end(body);
      });
    try {
      const refused = await post("/v1/upload/nope?filename=h2.bin", randomBytes(3 * MiB));
      assert.equal(refused.status, 404);
      assert.equal(refused.json.code, "not_found");
      const content = randomBytes(300_000);
      const reply = await post("/v1/upload/plan1?filename=h2.bin", content);
      await assertStored(
        { status: reply.status, headers: {}, body: reply.json as Reply["body"], text: "" },
        "h2.bin",
        content,
      );
    } finally {
      session.close();
    }
  });

  it("audits uploads with actor, plan, file name, size and outcome", async () => {
    const res = await callJson(
      url,
      "v1.Audit/ListAuditEvents",
      { pageSize: 1000, actionPrefix: "upload" },
      users.adm,
    );
    const events = (res.body as { events?: Record<string, string>[] }).events ?? [];
    const find = (file: string) => events.find((e) => e.detail?.includes(`"${file}"`));
    const curl = find("curl-raw.bin");
    if (existsSync(join(dir, "curl-form.bin"))) {
      assert.equal(curl?.actor, "user:ops");
      assert.equal(curl?.target, "plan1");
      assert.equal(curl?.outcome, "ok");
      assert.match(curl?.detail ?? "", /"curl-raw.bin", 2097152 bytes, operation \d+/);
    }
    assert.equal(find("too-big-declared.bin")?.outcome, "resource_exhausted");
    assert.equal(find("too-big-streamed.bin")?.outcome, "resource_exhausted");
    assert.equal(find("viewer.txt")?.outcome, "permission_denied");
    assert.equal(find("viewer.txt")?.actor, "user:val");
    assert.equal(find("x.txt")?.outcome, "not_found");
    const failedSignIns = await callJson(
      url,
      "v1.Audit/ListAuditEvents",
      { pageSize: 1000, actionPrefix: "auth.failed" },
      users.adm,
    );
    assert.match(failedSignIns.text, /basic credentials for POST \/v1\/upload\/plan1/);
  });

  it("queues an upload behind the repo's running operation and reads its body only on its turn", async () => {
    // No limit, so a body far larger than what socket buffers hold can be sent.
    const cfg = (await callJson(url, "v1.Backrest/GetConfig", {}, users.adm)).body as {
      settings?: Record<string, unknown>;
    };
    cfg.settings = { ...cfg.settings, uploadMaxBytes: "-1" };
    const saved = await callJson(url, "v1.Backrest/SetConfig", cfg, users.adm);
    assert.equal(saved.status, 200, saved.text);

    const started = await callJson(url, "v1.Backrest/StartBackup", { value: "held" }, users.adm);
    const heldId = (started.body as { operationId: string }).operationId;
    await waitFor(
      async () => (await operations()).find((o) => o.id === heldId)?.status === "STATUS_INPROGRESS",
      60_000,
      "the held backup to start",
    );

    // Far more than the kernel's socket buffers take in (up to 32 MiB received on loopback here).
    const total = 96 * MiB;
    const chunk = Buffer.alloc(64 * 1024, 0x5a);
    let pulled = 0;
    const body = new Readable({
      read() {
        if (pulled >= total) {
          this.push(null);
          return;
        }
        pulled += chunk.length;
        this.push(chunk);
      },
    });
    const reply = send("/v1/upload/plan1?filename=queued.bin", { body });
    const queued = await waitFor(
      async () => (await uploadOp("queued.bin")) ?? false,
      60_000,
      "the upload to be queued",
    );
    assert.equal(queued.status, "STATUS_PENDING");
    // Wait until the client can send no more (its reads stopped), then look.
    let last = -1;
    await waitFor(
      async () => {
        const stalled = pulled === last;
        last = pulled;
        await new Promise((r) => setTimeout(r, 300));
        return stalled && pulled === last;
      },
      60_000,
      "the client to be held by backpressure",
    );
    assert.ok(pulled < total, `the client could send ${pulled} of ${total} bytes while queued`);
    assert.equal((await uploadOp("queued.bin"))?.status, "STATUS_PENDING");

    writeFileSync(go, "");
    const done = await reply;
    assert.equal(done.status, 201, done.text);
    assert.equal(done.body.bytes, total);
    const held = await waitForOperation(url, heldId, users.adm);
    assert.equal(held.status, "STATUS_SUCCESS", held.displayMessage);
    assert.ok(BigInt(held.unixTimeStartMs ?? 0) > 0n);
    assert.equal((await snapshotsOf("queued.bin")).length, 1);
  });
});
