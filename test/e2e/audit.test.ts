/**
 * The audit log against a real daemon and the real restic: config changes, a backup, a
 * cancel, a failed sign-in, a refused call, a download link and the download itself are
 * recorded with who, from where, with which user agent and request id, and how they ended;
 * read-only calls are not; secrets never are. Read back through v1.Audit/ListAuditEvents.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { hashPassword } from "../../src/auth/password.js";
import { TEST_PASSWORD } from "../helpers/data.js";
import { startBackupFixture } from "../helpers/fixture.js";
import { callJson, type OpJson, waitFor } from "../helpers/http.js";
import { tempDir } from "../helpers/temp.js";

interface AuditEventJson {
  id: string;
  timeMs: string;
  actor?: string;
  address?: string;
  userAgent?: string;
  action: string;
  target?: string;
  outcome: string;
  requestId?: string;
  detail?: string;
}

interface AuditPage {
  events?: AuditEventJson[];
  nextPageToken?: string;
}

const USER_AGENT = "restwell-audit-test/1.0";

describe("audit log", async () => {
  const alice = { user: "alice", password: "alice-pass" };
  const viewer = { user: "val", password: "val-pass" };
  const carolHash = await hashPassword("carol-pass");
  const fx = await startBackupFixture({
    files: 3,
    auth: {
      users: [
        { name: "alice", passwordBcrypt: await hashPassword(alice.password) },
        { name: "val", passwordBcrypt: await hashPassword(viewer.password), role: "viewer" },
      ],
    },
  });
  const { url } = fx.daemon;
  const as = (auth: { user: string; password: string }, requestId: string) => ({
    ...auth,
    headers: { "user-agent": USER_AGENT, "x-request-id": requestId },
  });
  const list = async (query: object = {}): Promise<AuditPage> => {
    const res = await callJson(url, "v1.Audit/ListAuditEvents", query, alice);
    assert.equal(res.status, 200, res.text);
    return res.body as AuditPage;
  };
  const all = async (query: object = {}) => (await list({ pageSize: 1000, ...query })).events ?? [];
  const byRequest = async (requestId: string) => {
    const events = (await all()).filter((e) => e.requestId === requestId);
    assert.equal(events.length, 1, `one event for ${requestId}: ${JSON.stringify(events)}`);
    return events[0] as AuditEventJson;
  };

  // The actions under test, in order.
  const cfg = (await callJson(url, "v1.Backrest/GetConfig", {}, as(alice, "req-get"))).body as {
    repos: object[];
    auth: { users: object[] };
  };
  cfg.repos.push({ id: "r2", uri: join(tempDir(), "r2"), password: "super-secret-repo-pw" });
  cfg.auth.users.push({ name: "carol", passwordBcrypt: carolHash, role: "operator" });
  const setConfig = await callJson(url, "v1.Backrest/SetConfig", cfg, as(alice, "req-set"));
  assert.equal(setConfig.status, 200, setConfig.text);
  const backup = await callJson(url, "v1.Backrest/Backup", { value: "plan1" }, as(alice, "req-bk"));
  assert.equal(backup.status, 200, backup.text);
  const backupOp = backup.body as OpJson;
  const cancel = await callJson(
    url,
    "v1.Backrest/Cancel",
    { value: "999999" },
    as(alice, "req-cancel"),
  );
  assert.equal(cancel.status, 404, cancel.text);
  const failed = await callJson(
    url,
    "v1.Backrest/GetConfig",
    {},
    as({ user: "alice", password: "wrong-pw-xyz" }, "req-fail"),
  );
  assert.equal(failed.status, 401, failed.text);
  const loginFailed = await callJson(
    url,
    "v1.Authentication/Login",
    { username: "alice", password: "wrong-login-pw" },
    { headers: { "user-agent": USER_AGENT, "x-request-id": "req-login-fail" } },
  );
  assert.equal(loginFailed.status, 401, loginFailed.text);
  const login = await callJson(
    url,
    "v1.Authentication/Login",
    { username: "alice", password: alice.password },
    { headers: { "x-request-id": "req-login" } },
  );
  assert.equal(login.status, 200, login.text);
  const anonymous = await callJson(url, "v1.Backrest/SetConfig", cfg, {
    headers: { "x-request-id": "req-anonymous" },
  });
  assert.equal(anonymous.status, 401, anonymous.text);
  const denied = await callJson(url, "v1.Backrest/SetConfig", cfg, as(viewer, "req-denied"));
  assert.equal(denied.status, 403, denied.text);
  // The link names the snapshot through its index operation (full snapshot id): with restic
  // 0.14 a backup operation has the short id, whose tree the indexing that follows a backup
  // may drop while a download reads it.
  const indexOp = await waitFor(async () => {
    const res = await callJson(url, "v1.Backrest/GetOperations", {}, alice);
    const ops = (res.body as { operations?: OpJson[] }).operations ?? [];
    return ops.find((o) => o.operationIndexSnapshot && o.status === "STATUS_SUCCESS");
  });
  const link = await callJson(
    url,
    "v1.Backrest/GetDownloadURL",
    { opId: indexOp.id, filePath: join(fx.sourceDir, "file-0.txt") },
    as(alice, "req-link"),
  );
  assert.equal(link.status, 200, link.text);
  const download = await fetch(`${url}${(link.body as { value: string }).value}`, {
    headers: { "user-agent": USER_AGENT, "x-request-id": "req-download" },
  });
  assert.equal(download.status, 200);
  assert.equal(await download.text(), "content of file 0\n");

  it("records a config change with who, where, user agent, request id and what changed", async () => {
    const e = await byRequest("req-set");
    assert.equal(e.action, "config.set");
    assert.equal(e.actor, "user:alice");
    assert.equal(e.address, "127.0.0.1");
    assert.equal(e.userAgent, USER_AGENT);
    assert.equal(e.outcome, "ok");
    assert.match(e.detail ?? "", /repos: \+r2/);
    assert.match(e.detail ?? "", /users: \+carol/);
    assert.ok(Number(e.timeMs) > Date.now() - 10 * 60_000);
  });

  it("never records a secret", async () => {
    const text = JSON.stringify(await all());
    const rawHash = Buffer.from(carolHash, "base64").toString("utf8");
    for (const secret of [
      "super-secret-repo-pw",
      TEST_PASSWORD,
      carolHash,
      rawHash,
      "wrong-pw-xyz",
      "alice-pass",
    ]) {
      assert.ok(!text.includes(secret), `the audit log contains ${secret}`);
    }
  });

  it("records a backup with its plan and operation", async () => {
    const e = await byRequest("req-bk");
    assert.deepEqual(
      [e.action, e.target, e.actor, e.outcome],
      ["backup.start", "plan1", "user:alice", "ok"],
    );
    assert.equal(e.detail, `operation ${backupOp.id}`);
  });

  it("records a cancel of an unknown operation as not_found", async () => {
    const e = await byRequest("req-cancel");
    assert.deepEqual([e.action, e.target, e.outcome], ["operation.cancel", "999999", "not_found"]);
  });

  it("records a failed sign-in with the user name tried, without an actor", async () => {
    const e = await byRequest("req-fail");
    assert.equal(e.action, "auth.failed");
    assert.equal(e.actor ?? "", "");
    assert.equal(e.target, "alice");
    assert.equal(e.outcome, "unauthenticated");
    assert.equal(e.userAgent, USER_AGENT);
    assert.equal(e.address, "127.0.0.1");
  });

  it("records Login: a failure with the user name tried, a success as the user", async () => {
    const failure = await byRequest("req-login-fail");
    assert.deepEqual(
      [failure.action, failure.actor ?? "", failure.target, failure.outcome],
      ["auth.failed", "", "alice", "unauthenticated"],
    );
    const success = await byRequest("req-login");
    assert.deepEqual(
      [success.action, success.actor, success.outcome],
      ["auth.login", "user:alice", "ok"],
    );
    const text = JSON.stringify(await all());
    assert.ok(!text.includes("wrong-login-pw"));
    assert.ok(!text.includes((login.body as { token: string }).token), "no session token");
  });

  it("does not record a call made without credentials", async () => {
    assert.ok((await all()).every((e) => e.requestId !== "req-anonymous"));
  });

  it("records a refused change with the caller and permission_denied", async () => {
    const e = await byRequest("req-denied");
    assert.deepEqual(
      [e.action, e.actor, e.outcome],
      ["config.set", "user:val", "permission_denied"],
    );
    assert.equal(e.detail ?? "", "", "nothing changed");
  });

  it("records the download link and the download", async () => {
    const linkEvent = await byRequest("req-link");
    assert.equal(linkEvent.action, "download.link");
    assert.equal(linkEvent.target, `operation ${indexOp.id}`);
    assert.equal(linkEvent.detail, join(fx.sourceDir, "file-0.txt"));
    const dl = await waitFor(
      async () => (await all({ actionPrefix: "download" })).find((e) => e.action === "download"),
      10_000,
      "the download event",
    );
    assert.deepEqual(
      [dl.actor, dl.target, dl.outcome, dl.requestId, dl.userAgent, dl.address],
      ["link", "file-0.txt", "ok", "req-download", USER_AGENT, "127.0.0.1"],
    );
  });

  it("does not record read-only calls", async () => {
    const requestIds = (await all()).map((e) => e.requestId);
    assert.ok(!requestIds.includes("req-get"));
    assert.ok((await all()).every((e) => e.action !== "config.get"));
  });

  it("pages newest first without gaps or duplicates", async () => {
    const everything = await all();
    assert.ok(everything.length >= 7, JSON.stringify(everything));
    const ids = everything.map((e) => Number(e.id));
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
      "newest first",
    );
    const paged: string[] = [];
    let pageToken = "";
    for (let i = 0; i < 20; i++) {
      const page = await list({ pageSize: 2, pageToken });
      assert.ok((page.events ?? []).length <= 2);
      paged.push(...(page.events ?? []).map((e) => e.id));
      pageToken = page.nextPageToken ?? "";
      if (!pageToken) break;
    }
    assert.deepEqual(paged, everything.map((e) => e.id).slice(0, paged.length));
    assert.ok(paged.length >= everything.length, "every event was reached");
  });

  it("filters by action prefix, actor and time", async () => {
    const configEvents = await all({ actionPrefix: "config." });
    assert.ok(configEvents.length >= 2);
    assert.ok(configEvents.every((e) => e.action.startsWith("config.")));
    const vals = await all({ actor: "user:val" });
    assert.deepEqual(
      vals.map((e) => e.requestId),
      ["req-denied"],
    );
    const future = await all({ sinceMs: String(Date.now() + 60 * 60_000) });
    assert.deepEqual(future, []);
  });

  it("refuses a page token it did not issue, and a viewer", async () => {
    const bad = await callJson(url, "v1.Audit/ListAuditEvents", { pageToken: "bm9wZQ" }, alice);
    assert.equal(bad.status, 400, bad.text);
    assert.match(bad.text, /page_token/);
    const viewerList = await callJson(url, "v1.Audit/ListAuditEvents", {}, viewer);
    assert.equal(viewerList.status, 403, viewerList.text);
  });
});
