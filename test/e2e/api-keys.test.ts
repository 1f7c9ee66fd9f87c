/**
 * Roles, API keys and sessions against the real daemon, the way scripts use them: Connect
 * JSON over plain HTTP with `Authorization: Bearer`, plus asynchronous backup runs.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hashPassword } from "../../src/auth/password.js";
import { startBackupFixture } from "../helpers/fixture.js";
import { callJson } from "../helpers/http.js";

describe("roles, API keys and sessions", async () => {
  const fx = await startBackupFixture({
    auth: {
      users: [
        { name: "admin", passwordBcrypt: await hashPassword("admin-pw") },
        { name: "op", role: "operator", passwordBcrypt: await hashPassword("op-pw") },
        { name: "view", role: "viewer", passwordBcrypt: await hashPassword("view-pw") },
      ],
    },
  });
  const url = fx.daemon.url;
  const as = (user: string, password: string) => ({ user, password });
  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
  const admin = as("admin", "admin-pw");

  async function createKey(permissions: string[], name = "script") {
    const res = await callJson(url, "v1.ApiKeys/CreateApiKey", { name, permissions }, admin);
    assert.equal(res.status, 200, res.text);
    const body = res.body as { token: string; key: { id: string; tokenPrefix: string } };
    return { token: body.token, id: body.key.id, prefix: body.key.tokenPrefix };
  }

  it("runs a backup with a key holding plans:run, and refuses what the key lacks", async () => {
    const key = await createKey(["plans:run", "operations:read"]);
    assert.match(key.token, /^rw_/);
    const backup = await callJson(url, "v1.Backrest/Backup", { value: "plan1" }, bearer(key.token));
    assert.equal(backup.status, 200, backup.text);
    assert.equal((backup.body as { status: string }).status, "STATUS_SUCCESS");

    const config = await callJson(url, "v1.Backrest/GetConfig", {}, bearer(key.token));
    assert.equal(config.status, 403, config.text);
    assert.equal((config.body as { code: string }).code, "permission_denied");
    assert.match((config.body as { message: string }).message, /"config:read" permission/);
    // The request id of the X-Request-Id header is in the error's details too.
    const details = (
      config.body as { details?: { type: string; debug?: { requestId?: string } }[] }
    ).details;
    const info = details?.find((d) => d.type === "v1.RequestInfo");
    assert.ok(config.headers.get("x-request-id"));
    assert.equal(info?.debug?.requestId, config.headers.get("x-request-id"));

    const list = await callJson(url, "v1.ApiKeys/ListApiKeys", {}, admin);
    const listed = (list.body as { keys: { id: string; lastUsedAtMs?: string }[] }).keys;
    const mine = listed.find((k) => k.id === key.id);
    assert.ok(Number(mine?.lastUsedAtMs ?? 0) > 0, "last use recorded");
    assert.ok(!list.text.includes(key.token.slice(key.prefix.length)), "tokens are never listed");
  });

  it("stops a disabled or deleted key at once", async () => {
    const key = await createKey(["plans:read"]);
    const call = () => callJson(url, "v1.Backrest/GetSummaryDashboard", {}, bearer(key.token));
    assert.equal((await call()).status, 200);
    await callJson(url, "v1.ApiKeys/UpdateApiKey", { id: key.id, disabled: true }, admin);
    const disabled = await call();
    assert.equal(disabled.status, 401);
    assert.match((disabled.body as { message: string }).message, /disabled/);
    await callJson(url, "v1.ApiKeys/UpdateApiKey", { id: key.id, disabled: false }, admin);
    assert.equal((await call()).status, 200);
    const del = await callJson(url, "v1.ApiKeys/DeleteApiKey", { id: key.id }, admin);
    assert.equal(del.status, 200, del.text);
    assert.equal((await call()).status, 401);
    const again = await callJson(url, "v1.ApiKeys/DeleteApiKey", { id: key.id }, admin);
    assert.equal(again.status, 404);
  });

  it("lets a key with keys:manage manage keys but not grant more than it holds", async () => {
    const manager = await createKey(["keys:manage", "plans:read"], "manager");
    const ok = await callJson(
      url,
      "v1.ApiKeys/CreateApiKey",
      { name: "child", permissions: ["plans:read"] },
      bearer(manager.token),
    );
    assert.equal(ok.status, 200, ok.text);
    const escalate = await callJson(
      url,
      "v1.ApiKeys/CreateApiKey",
      { name: "child", permissions: ["config:write"] },
      bearer(manager.token),
    );
    assert.equal(escalate.status, 403, escalate.text);
    const bad = await callJson(
      url,
      "v1.ApiKeys/CreateApiKey",
      { name: "x", permissions: ["nope"] },
      admin,
    );
    assert.equal(bad.status, 400);
    assert.match((bad.body as { message: string }).message, /"nope" is not a permission/);
  });

  it("gives operators runs and restores but no config changes, viewers only reads", async () => {
    const op = as("op", "op-pw");
    const view = as("view", "view-pw");
    const started = await callJson(url, "v1.Backrest/StartBackup", { value: "plan1" }, op);
    assert.equal(started.status, 200, started.text);
    const id = (started.body as { operationId: string }).operationId;
    assert.ok(Number(id) > 0);
    const waited = await callJson(
      url,
      "v1.Backrest/WaitOperation",
      { operationId: id, timeoutSeconds: 120 },
      view,
    );
    assert.equal((waited.body as { status: string }).status, "STATUS_SUCCESS", waited.text);
    const polled = await callJson(
      url,
      "v1.Backrest/GetOperations",
      { selector: { ids: [id] } },
      view,
    );
    assert.equal((polled.body as { operations: { id: string }[] }).operations[0]?.id, id);

    const config = await callJson(url, "v1.Backrest/GetConfig", {}, op);
    assert.equal(config.status, 200);
    const set = await callJson(url, "v1.Backrest/SetConfig", config.body, op);
    assert.equal(set.status, 403);
    assert.match((set.body as { message: string }).message, /user "op" \(operator\)/);
    assert.equal((await callJson(url, "v1.Backrest/Backup", { value: "plan1" }, view)).status, 403);
    assert.equal((await callJson(url, "v1.Backrest/GetConfig", {}, view)).status, 200);
  });

  it("signs in with Login and uses the session token; WhoAmI describes the caller", async () => {
    const wrong = await callJson(url, "v1.Authentication/Login", {
      username: "admin",
      password: "x",
    });
    assert.equal(wrong.status, 401);
    const login = await callJson(url, "v1.Authentication/Login", {
      username: "op",
      password: "op-pw",
    });
    assert.equal(login.status, 200, login.text);
    const token = (login.body as { token: string }).token;
    const who = await callJson(url, "v1.Authentication/WhoAmI", {}, bearer(token));
    const body = who.body as { kind: string; name: string; role: string; permissions: string[] };
    assert.deepEqual([body.kind, body.name, body.role], ["user", "op", "operator"]);
    assert.ok(body.permissions.includes("plans:run") && !body.permissions.includes("config:write"));
    const key = await createKey(["metrics:read"], "prometheus");
    const keyWho = await callJson(url, "v1.Authentication/WhoAmI", {}, bearer(key.token));
    assert.deepEqual((keyWho.body as { permissions: string[] }).permissions, ["metrics:read"]);
    assert.equal(
      (await callJson(url, "v1.Backrest/GetConfig", {}, bearer("rws_forged.x"))).status,
      401,
    );
  });

  it("serves /metrics to a metrics-scoped key and refuses other keys", async () => {
    const metricsKey = await createKey(["metrics:read"], "scraper");
    const otherKey = await createKey(["plans:read"], "other");
    const get = (token: string) =>
      fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    const ok = await get(metricsKey.token);
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /restwell_/);
    assert.equal((await get(otherKey.token)).status, 403);
  });
});
