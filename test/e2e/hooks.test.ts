/** Hooks around real backups: chaining plans with curl, signed webhooks, and onError policies. */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import { startBackupFixture } from "../helpers/fixture.js";
import { callJson, type OpJson, waitFor } from "../helpers/http.js";

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A local HTTP server standing in for a webhook receiver. */
async function receiver(status = 200) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      res.writeHead(status).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  after(() => server.close());
  return { received, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe("hooks", async () => {
  const fx = await startBackupFixture({
    files: 3,
    extraPlans: [{ id: "plan2", repo: "local", paths: ["/etc/hostname"] }],
  });
  const url = fx.daemon.url;
  const hook = await receiver();
  const failing = await receiver(500);
  const secret = "test-signing-secret";

  const cfg = (await callJson(url, "v1.Backrest/GetConfig", {})).body as {
    plans: { id: string; hooks?: object[] }[];
  };
  const plan1 = cfg.plans.find((p) => p.id === "plan1") as { hooks?: object[] };
  plan1.hooks = [
    {
      conditions: ["CONDITION_SNAPSHOT_END"],
      actionCommand: {
        command: `curl -s -X POST ${url}/v1.Backrest/Backup -H 'Content-Type: application/json' --data '{"value":"plan2"}' -m 1 || exit 0`,
      },
    },
    {
      conditions: ["CONDITION_SNAPSHOT_START", "CONDITION_SNAPSHOT_SUCCESS"],
      signingSecret: secret,
      actionWebhook: { webhookUrl: `${hook.url}/hook`, method: "POST" },
    },
  ];
  const plan2 = cfg.plans.find((p) => p.id === "plan2") as { hooks?: object[] };
  plan2.hooks = [
    {
      conditions: ["CONDITION_SNAPSHOT_START"],
      onError: "ON_ERROR_FATAL",
      actionWebhook: { webhookUrl: `${failing.url}/x` },
    },
  ];
  const set = await callJson(url, "v1.Backrest/SetConfig", cfg);
  assert.equal(set.status, 200, set.text);

  it("a SNAPSHOT_END command hook chains the next plan with curl, and it runs", async () => {
    const first = await callJson(url, "v1.Backrest/Backup", { value: "plan1" });
    assert.equal((first.body as OpJson).status, "STATUS_SUCCESS", first.text);
    const flow = (first.body as OpJson).flowId;
    const hookOps = async () =>
      (
        (await callJson(url, "v1.Backrest/GetOperations", { selector: { flowId: flow } })).body as {
          operations: OpJson[];
        }
      ).operations.filter((o) => o.operationRunHook);
    const ran = await waitFor(
      async () => {
        const ops = await hookOps();
        return ops.length >= 3 && ops.every((o) => o.status !== "STATUS_INPROGRESS")
          ? ops
          : undefined;
      },
      30_000,
      "the hooks of plan1",
    );
    assert.ok(
      ran.every((o) => o.status === "STATUS_SUCCESS"),
      JSON.stringify(ran),
    );
    // plan2 was started by the curl in the hook; its FATAL start hook fails against the 500 receiver.
    const plan2Op = await waitFor(
      async () => {
        const ops =
          (
            (await callJson(url, "v1.Backrest/GetOperations", { selector: { planId: "plan2" } }))
              .body as { operations?: OpJson[] }
          ).operations ?? [];
        return ops.find(
          (o) => o.operationBackup && !["STATUS_PENDING", "STATUS_INPROGRESS"].includes(o.status),
        );
      },
      60_000,
      "plan2's backup started by the hook",
    );
    assert.equal(plan2Op.status, "STATUS_ERROR");
    assert.match(plan2Op.displayMessage ?? "", /a hook failed: .*500/);
  });

  it("webhooks are signed with HMAC-SHA256 of the body and carry the event", async () => {
    const posts = hook.received.filter((r) => r.url === "/hook");
    assert.equal(posts.length, 2, "start and success");
    for (const post of posts) {
      const expected = createHmac("sha256", secret).update(post.body).digest("hex");
      assert.equal(post.headers["x-restwell-signature"], `sha256=${expected}`);
      assert.match(String(post.headers["x-restwell-timestamp"]), /^\d+$/);
    }
    const events = posts.map((p) => (JSON.parse(p.body.toString()) as { event: string }).event);
    assert.deepEqual(events, ["backup.started", "backup.completed"]);
  });

  it("GetConfig never shows a hook's signing secret", async () => {
    const res = await callJson(url, "v1.Backrest/GetConfig", {});
    assert.ok(!res.text.includes(secret));
  });
});
