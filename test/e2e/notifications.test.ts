/** Events that are not an operation's start or end: storage.threshold and security.alert. */
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import { hashPassword } from "../../src/auth/password.js";
import { startBackupFixture } from "../helpers/fixture.js";
import { callJson, waitFor } from "../helpers/http.js";

async function receiver() {
  const events: { event: string; error?: string; repo?: { id: string } }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      events.push(JSON.parse(Buffer.concat(chunks).toString()));
      res.end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  after(() => server.close());
  return { events, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify` };
}

describe("notifications", async () => {
  const hook = await receiver();
  const auth = { user: "alice", password: "s3cret-pass" };
  const fx = await startBackupFixture({
    files: 2,
    auth: { users: [{ name: "alice", passwordBcrypt: await hashPassword(auth.password) }] },
  });
  const url = fx.daemon.url;
  const cfg = (await callJson(url, "v1.Backrest/GetConfig", {}, auth)).body as Record<
    string,
    unknown
  > & {
    repos: Record<string, unknown>[];
  };
  cfg.settings = {
    hooks: [
      {
        conditions: ["CONDITION_SECURITY_ALERT", "CONDITION_STORAGE_THRESHOLD"],
        actionWebhook: { webhookUrl: hook.url, method: "POST" },
      },
    ],
  };
  (cfg.repos[0] as Record<string, unknown>).storageAlertBytes = "1";
  const set = await callJson(url, "v1.Backrest/SetConfig", cfg, auth);
  assert.equal(set.status, 200, set.text);

  it("a stats run over the repo's storageAlertBytes raises storage.threshold", async () => {
    await callJson(url, "v1.Backrest/Backup", { value: "plan1" }, auth);
    const res = await callJson(
      url,
      "v1.Backrest/DoRepoTask",
      { repoId: "local", task: "TASK_STATS" },
      auth,
    );
    assert.equal(res.status, 200, res.text);
    const event = await waitFor(
      async () => hook.events.find((e) => e.event === "storage.threshold"),
      60_000,
      "storage.threshold",
    );
    assert.equal(event.repo?.id, "local");
    assert.match(event.error ?? "", /more than its storageAlertBytes \(1\)/);
    // Once when crossed: a second stats run above the limit raises nothing new.
    const again = await callJson(
      url,
      "v1.Backrest/DoRepoTask",
      { repoId: "local", task: "TASK_STATS" },
      auth,
    );
    const id = (again.body as { operationId: string }).operationId;
    await waitFor(
      async () => {
        const res = await callJson(
          url,
          "v1.Backrest/GetOperations",
          { selector: { ids: [id] } },
          auth,
        );
        const op = (res.body as { operations?: { status: string }[] }).operations?.[0];
        return op && op.status !== "STATUS_PENDING" && op.status !== "STATUS_INPROGRESS";
      },
      60_000,
      "the second stats run",
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(hook.events.filter((e) => e.event === "storage.threshold").length, 1);
  });

  it("five failed sign-ins from one address within a minute raise one security.alert", async () => {
    for (let i = 0; i < 6; i++) {
      const res = await callJson(
        url,
        "v1.Backrest/GetConfig",
        {},
        { user: "alice", password: `wrong-${i}` },
      );
      // The sixth attempt is refused before its credentials are even checked.
      assert.equal(res.status, i < 5 ? 401 : 429);
    }
    const alert = await waitFor(
      async () => hook.events.find((e) => e.event === "security.alert"),
      30_000,
      "security.alert",
    );
    assert.match(alert.error ?? "", /5 failed sign-ins from .*127\.0\.0\.1 within a minute/);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(hook.events.filter((e) => e.event === "security.alert").length, 1);
  });
});
