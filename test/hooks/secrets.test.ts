import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Hook } from "../../gen/v1/config_pb.js";
import { HookError, runHook } from "../../src/hooks/index.js";
import {
  failedEvent,
  hook,
  type Receiver,
  rejection,
  sampleEvent,
  startReceiver,
} from "./helpers.js";

const SIGNING = "signing-Secret-0042";

interface Case {
  name: string;
  secrets: string[];
  make: (base: string) => Hook;
}

const CASES: Case[] = [
  {
    name: "webhook (key in path and query)",
    secrets: ["whsec_0123456789abcdef", "qsecretvalue77"],
    make: (b) =>
      hook({
        action: {
          case: "actionWebhook",
          value: { webhookUrl: `${b}/hook/whsec_0123456789abcdef?token=qsecretvalue77` },
        },
      }),
  },
  {
    name: "discord",
    secrets: ["DiscordTokenSecretValue_abc"],
    make: (b) =>
      hook({
        action: {
          case: "actionDiscord",
          value: { webhookUrl: `${b}/api/webhooks/1234/DiscordTokenSecretValue_abc` },
        },
      }),
  },
  {
    name: "slack",
    secrets: ["SlackSecretXXXXXXXXXXXX"],
    make: (b) =>
      hook({
        action: {
          case: "actionSlack",
          value: { webhookUrl: `${b}/services/T0/B0/SlackSecretXXXXXXXXXXXX` },
        },
      }),
  },
  {
    name: "gotify",
    secrets: ["GotifyAppTokenSecret"],
    make: (b) =>
      hook({
        action: { case: "actionGotify", value: { baseUrl: b, token: "GotifyAppTokenSecret" } },
      }),
  },
  {
    name: "healthchecks",
    secrets: ["5f7c1e6a-8a8f-4c53-9f3f-2a1b8c9d0e1f"],
    make: (b) =>
      hook({
        action: {
          case: "actionHealthchecks",
          value: { webhookUrl: `${b}/ping/5f7c1e6a-8a8f-4c53-9f3f-2a1b8c9d0e1f` },
        },
      }),
  },
  {
    name: "telegram",
    secrets: ["987654:TelegramBotSecret"],
    make: () =>
      hook({
        action: {
          case: "actionTelegram",
          value: { botToken: "987654:TelegramBotSecret", chatId: "1" },
        },
      }),
  },
  {
    name: "ntfy",
    secrets: ["tk_NtfySecretToken", "backups-0a1b2c3d4e5f"],
    make: (b) =>
      hook({
        action: {
          case: "actionNtfy",
          value: { serverUrl: b, topic: "backups-0a1b2c3d4e5f", token: "tk_NtfySecretToken" },
        },
      }),
  },
];

function assertClean(texts: string[], secrets: string[]): void {
  for (const text of texts) {
    for (const secret of [...secrets, SIGNING])
      assert.ok(!text.includes(secret), `${JSON.stringify(text)} leaks ${secret}`);
  }
}

describe("secrets never reach output or errors", () => {
  let rx: Receiver;
  before(async () => {
    rx = await startReceiver();
  });
  after(() => rx.close());

  for (const c of CASES) {
    test(c.name, async () => {
      const opts = { defaultSecret: SIGNING, endpoints: { telegramApiBase: rx.base } };
      const lines: string[] = [];
      rx.reply = { status: 200, body: "ok" };
      rx.requests.length = 0;
      await runHook(c.make(rx.base), sampleEvent(), { ...opts, onOutput: (l) => lines.push(l) });
      assert.equal(rx.requests.length, 1, "the request reached the receiver");
      assert.equal(lines.length, 1);
      // The service answers with an error that echoes every secret back.
      rx.reply = { status: 401, body: `unauthorized: ${c.secrets.join(" ")} ${SIGNING}` };
      const err = await rejection(
        runHook(c.make(rx.base), failedEvent(), { ...opts, onOutput: (l) => lines.push(l) }),
      );
      assert.ok(err instanceof HookError);
      assert.equal(err.status, 401);
      assert.match(err.message, /unauthorized: \*\*\*/);
      assertClean([err.message, ...lines], c.secrets);
    });
  }

  test("URL passwords are not shown when the request cannot even be made", async () => {
    const url = `${rx.base.replace("http://", "http://user:UrlPassw0rdSecret@")}/x`;
    const h = hook({ action: { case: "actionWebhook", value: { webhookUrl: url } } });
    const err = await rejection(runHook(h, sampleEvent(), { defaultSecret: SIGNING }));
    assert.ok(err instanceof HookError);
    assertClean([err.message], ["UrlPassw0rdSecret"]);
  });

  test("a command printing the signing secret has it masked in output and error", async () => {
    const lines: string[] = [];
    const h = hook({
      signingSecret: SIGNING,
      action: {
        case: "actionCommand",
        value: { command: `echo "key ${SIGNING}"; echo "bad ${SIGNING}" >&2; exit 2` },
      },
    });
    const err = await rejection(
      runHook(h, sampleEvent(), {
        defaultSecret: "other-default",
        env: { PATH: "/usr/bin:/bin" },
        onOutput: (l) => lines.push(l),
      }),
    );
    assert.ok(err instanceof HookError);
    assert.deepEqual(lines, ["key ***", "bad ***"]);
    assertClean([err.message, ...lines], []);
  });
});
