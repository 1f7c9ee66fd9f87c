import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { Hook_Condition, Hook_Webhook_Method } from "../../gen/v1/config_pb.js";
import { HookError, runHook, verifySignature } from "../../src/hooks/index.js";
import {
  failedEvent,
  hook,
  type Receiver,
  rejection,
  sampleEvent,
  startReceiver,
} from "./helpers.js";

const SECRET = "daemon-signing-key";

describe("HTTP actions against a loopback receiver", () => {
  let rx: Receiver;
  before(async () => {
    rx = await startReceiver();
  });
  after(() => rx.close());
  beforeEach(() => {
    rx.requests.length = 0;
    rx.reply = { status: 200, body: "ok" };
  });

  /** The only request received, after checking its signature headers. */
  function received(secret = SECRET) {
    assert.equal(rx.requests.length, 1);
    const req = rx.requests[0];
    assert.ok(req);
    const signature = req.headers["x-restwell-signature"];
    assert.equal(typeof signature, "string");
    assert.ok(
      verifySignature(secret, req.body, signature as string),
      "signature verifies over the received body",
    );
    assert.match(String(req.headers["x-restwell-timestamp"]), /^\d{10}$/);
    return req;
  }

  test("webhook without template POSTs the event as JSON", async () => {
    const lines: string[] = [];
    const h = hook({
      action: { case: "actionWebhook", value: { webhookUrl: `${rx.base}/hooks/in` } },
    });
    await runHook(h, sampleEvent(), { defaultSecret: SECRET, onOutput: (l) => lines.push(l) });
    const req = received();
    assert.equal(req.method, "POST");
    assert.equal(req.url, "/hooks/in");
    assert.equal(req.headers["content-type"], "application/json");
    const body = JSON.parse(req.body.toString("utf8"));
    assert.equal(body.event, "backup.completed");
    assert.deepEqual(body.plan, { id: "daily" });
    assert.deepEqual(body.repo, {
      id: "offsite",
      uri: "rest:https://alice:***@backup.example:8000/alice",
    });
    assert.equal(body.snapshotId, "1a2b3c4d");
    assert.equal(body.error, null);
    assert.equal(body.durationMs, 5200);
    assert.equal(body.summary.filesNew, 12);
    assert.equal(body.time, "2024-05-01T10:00:00.000Z");
    assert.equal(body.instance, "nas-box");
    assert.equal(body.operationId, "42");
    assert.equal(body.flowId, "41");
    assert.deepEqual(lines, [`POST ${rx.base}/hooks/in -> 200`]);
  });

  test("webhook with a template sends it as text/plain unless it is JSON; the hook's own secret signs", async () => {
    const withTemplate = (template: string) =>
      hook({
        signingSecret: "hook-own-key",
        action: {
          case: "actionWebhook",
          value: { webhookUrl: `${rx.base}/t`, method: Hook_Webhook_Method.POST, template },
        },
      });
    await runHook(withTemplate("done {{ .Plan.Id }}"), sampleEvent(), { defaultSecret: SECRET });
    const req = received("hook-own-key");
    assert.equal(req.body.toString(), "done daily");
    assert.match(String(req.headers["content-type"]), /^text\/plain/);
    rx.requests.length = 0;
    await runHook(withTemplate('{"plan":"{{ .Plan.Id }}"}'), sampleEvent(), {
      defaultSecret: SECRET,
    });
    const json = received("hook-own-key");
    assert.equal(json.headers["content-type"], "application/json");
    assert.deepEqual(JSON.parse(json.body.toString()), { plan: "daily" });
  });

  test("webhook GET sends no body and signs the empty body", async () => {
    const h = hook({
      action: {
        case: "actionWebhook",
        value: { webhookUrl: `${rx.base}/ping?x=1`, method: Hook_Webhook_Method.GET },
      },
    });
    await runHook(h, sampleEvent(), { defaultSecret: SECRET });
    const req = received();
    assert.equal(req.method, "GET");
    assert.equal(req.url, "/ping?x=1");
    assert.equal(req.body.length, 0);
  });

  test("discord posts {content}, cut to 2000 characters", async () => {
    const h = hook({
      action: {
        case: "actionDiscord",
        value: { webhookUrl: `${rx.base}/api/webhooks/1/tok`, template: "{{ .Plan.Id }}" },
      },
    });
    await runHook(h, sampleEvent(), { defaultSecret: SECRET });
    let req = received();
    assert.equal(req.url, "/api/webhooks/1/tok");
    assert.deepEqual(JSON.parse(req.body.toString()), { content: "daily" });
    rx.requests.length = 0;
    const long = hook({
      action: {
        case: "actionDiscord",
        value: { webhookUrl: `${rx.base}/d`, template: `{{ printf "%3000s" "x" }}` },
      },
    });
    await runHook(long, sampleEvent(), { defaultSecret: SECRET });
    req = received();
    assert.equal(Array.from(JSON.parse(req.body.toString()).content as string).length, 2000);
  });

  test("discord without template sends the default message", async () => {
    const h = hook({ action: { case: "actionDiscord", value: { webhookUrl: `${rx.base}/d` } } });
    await runHook(h, failedEvent(), { defaultSecret: SECRET });
    assert.deepEqual(JSON.parse(received().body.toString()), {
      content: "Restwell backup of plan daily to repo offsite failed: repository is locked",
    });
  });

  test("slack posts {text}", async () => {
    const h = hook({
      action: {
        case: "actionSlack",
        value: { webhookUrl: `${rx.base}/services/T/B/x`, template: "hi {{ .Repo.Id }}" },
      },
    });
    await runHook(h, sampleEvent(), { defaultSecret: SECRET });
    const req = received();
    assert.equal(req.url, "/services/T/B/x");
    assert.equal(req.headers["content-type"], "application/json");
    assert.deepEqual(JSON.parse(req.body.toString()), { text: "hi offsite" });
  });

  test("gotify posts {title, message, priority} to /message with the key in a header", async () => {
    const h = hook({
      action: {
        case: "actionGotify",
        value: {
          baseUrl: `${rx.base}/gotify/`,
          token: "AppTok3n",
          template: "m {{ .Plan.Id }}",
          titleTemplate: "t {{ .EventType }}",
          priority: 7,
        },
      },
    });
    await runHook(h, sampleEvent(), { defaultSecret: SECRET });
    const req = received();
    assert.equal(req.url, "/gotify/message");
    assert.equal(req.headers["x-gotify-key"], "AppTok3n");
    assert.deepEqual(JSON.parse(req.body.toString()), {
      title: "t backup.completed",
      message: "m daily",
      priority: 7,
    });
  });

  test("healthchecks pings /start, /fail or the base URL", async () => {
    const h = hook({
      action: { case: "actionHealthchecks", value: { webhookUrl: `${rx.base}/ping/uuid` } },
    });
    const start = sampleEvent({
      event: "backup.started",
      condition: Hook_Condition.SNAPSHOT_START,
    });
    for (const [event, path] of [
      [start, "/ping/uuid/start"],
      [failedEvent(), "/ping/uuid/fail"],
      [sampleEvent(), "/ping/uuid"],
    ] as const) {
      rx.requests.length = 0;
      await runHook(h, event, { defaultSecret: SECRET });
      const req = received();
      assert.equal(req.method, "POST");
      assert.equal(req.url, path);
      assert.ok(req.body.toString().startsWith("Restwell backup of plan daily"));
    }
  });

  test("telegram posts {chat_id, text} to /bot<token>/sendMessage", async () => {
    const h = hook({
      action: {
        case: "actionTelegram",
        value: { botToken: "123:ABC", chatId: "-100200", template: "{{ .EventType }}" },
      },
    });
    await runHook(h, sampleEvent(), {
      defaultSecret: SECRET,
      endpoints: { telegramApiBase: rx.base },
    });
    const req = received();
    assert.equal(req.url, "/bot123:ABC/sendMessage");
    assert.deepEqual(JSON.parse(req.body.toString()), {
      chat_id: "-100200",
      text: "backup.completed",
    });
  });

  test("ntfy posts the message with Title, Priority and Authorization headers", async () => {
    const h = hook({
      action: {
        case: "actionNtfy",
        value: {
          serverUrl: rx.base,
          topic: "backups",
          token: "tk_ntfy",
          priority: 4,
          titleTemplate: "T {{ .Plan.Id }}",
          template: "body {{ .Repo.Id }}",
        },
      },
    });
    await runHook(h, sampleEvent(), { defaultSecret: SECRET });
    const req = received();
    assert.equal(req.url, "/backups");
    assert.equal(req.headers.title, "T daily");
    assert.equal(req.headers.priority, "4");
    assert.equal(req.headers.authorization, "Bearer tk_ntfy");
    assert.equal(req.body.toString(), "body offsite");
  });

  test("ntfy leaves out Priority and Authorization when unset and encodes non-ASCII titles", async () => {
    const h = hook({
      action: {
        case: "actionNtfy",
        value: { serverUrl: rx.base, topic: "b", titleTemplate: "Sauvegarde réussie" },
      },
    });
    await runHook(h, sampleEvent(), { defaultSecret: SECRET });
    const req = received();
    assert.equal(req.headers.priority, undefined);
    assert.equal(req.headers.authorization, undefined);
    assert.equal(
      req.headers.title,
      `=?UTF-8?B?${Buffer.from("Sauvegarde réussie").toString("base64")}?=`,
    );
  });

  test("a non-2xx answer rejects with the status and a short body excerpt", async () => {
    rx.reply = { status: 503, body: "service down for maintenance" };
    const h = hook({ action: { case: "actionSlack", value: { webhookUrl: `${rx.base}/s` } } });
    const err = await rejection(runHook(h, sampleEvent(), { defaultSecret: SECRET }));
    assert.ok(err instanceof HookError);
    assert.equal(err.status, 503);
    assert.match(err.message, /answered 503: service down for maintenance/);
  });

  test("a redirect is not followed", async () => {
    rx.reply = { status: 302 };
    const h = hook({ action: { case: "actionWebhook", value: { webhookUrl: `${rx.base}/r` } } });
    const err = await rejection(runHook(h, sampleEvent(), { defaultSecret: SECRET }));
    assert.ok(err instanceof HookError);
    assert.equal(err.status, 302);
  });

  test("a server that never answers times out", async () => {
    rx.reply = "hang";
    const h = hook({ action: { case: "actionWebhook", value: { webhookUrl: `${rx.base}/slow` } } });
    const err = await rejection(
      runHook(h, sampleEvent(), { defaultSecret: SECRET, defaultTimeoutMs: 300 }),
    );
    assert.ok(err instanceof HookError);
    assert.equal(err.timedOut, true);
    assert.match(err.message, /webhook hook timed out after 0\.3s/);
    assert.equal(rx.requests.length, 1);
  });

  test("aborting the signal cancels the request", async () => {
    rx.reply = "hang";
    const controller = new AbortController();
    const h = hook({ action: { case: "actionWebhook", value: { webhookUrl: `${rx.base}/slow` } } });
    const pending = rejection(
      runHook(h, sampleEvent(), { defaultSecret: SECRET, signal: controller.signal }),
    );
    for (let i = 0; i < 100 && rx.requests.length === 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    const err = await pending;
    assert.ok(err instanceof HookError);
    assert.match(err.message, /cancelled/);
  });

  test("an unreachable server, a missing URL and shoutrrr are clear errors", async () => {
    const closed = await startReceiver();
    const url = `${closed.base}/x`;
    await closed.close();
    let err = await rejection(
      runHook(
        hook({ action: { case: "actionWebhook", value: { webhookUrl: url } } }),
        sampleEvent(),
        { defaultSecret: SECRET },
      ),
    );
    assert.match(err.message, /could not reach/);
    err = await rejection(
      runHook(hook({ action: { case: "actionDiscord", value: {} } }), sampleEvent(), {
        defaultSecret: SECRET,
      }),
    );
    assert.match(err.message, /discord hook has no webhook URL/);
    err = await rejection(
      runHook(
        hook({ action: { case: "actionShoutrrr", value: { shoutrrrUrl: "discord://t@c" } } }),
        sampleEvent(),
        { defaultSecret: SECRET },
      ),
    );
    assert.ok(err instanceof HookError);
    assert.match(err.message, /Shoutrrr hooks are not supported.*native/);
  });
});
