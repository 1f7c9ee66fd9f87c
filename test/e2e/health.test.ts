/** The health routes answer without credentials, even when authentication is on. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hashPassword } from "../../src/auth/password.js";
import { startTestDaemon } from "../helpers/daemon.js";

describe("health routes", async () => {
  const daemon = await startTestDaemon({
    instance: "health",
    auth: { users: [{ name: "alice", passwordBcrypt: await hashPassword("pw") }] },
  });

  it("GET /healthz reports a writable operation log and restic's version, without credentials", async () => {
    const res = await fetch(`${daemon.url}/healthz`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, string>;
    assert.equal(body.status, "ok");
    assert.equal(body.database, "writable");
    assert.match(body.restic ?? "", /^\d+\.\d+\.\d+/);
  });

  it("GET /readyz is 200 once the daemon serves; other methods are refused; RPCs still need credentials", async () => {
    const ready = await fetch(`${daemon.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: "ready" });
    assert.equal((await fetch(`${daemon.url}/healthz`, { method: "POST" })).status, 405);
    const rpc = await fetch(`${daemon.url}/v1.Backrest/GetConfig`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(rpc.status, 401);
  });
});
