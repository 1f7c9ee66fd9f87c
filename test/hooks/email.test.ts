import assert from "node:assert/strict";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { after, before, beforeEach, describe, test } from "node:test";
import { SMTPServer } from "smtp-server";
import { HookError, runHook } from "../../src/hooks/index.js";
import { failedEvent, hook, rejection, sampleEvent } from "./helpers.js";

interface Delivered {
  from: string;
  to: string[];
  data: string;
  user: string | undefined;
}

const PASSWORD = "smtp-Pa55word!";

/** A real SMTP server on 127.0.0.1 without STARTTLS, so nodemailer talks plain SMTP. */
async function startSmtp() {
  const delivered: Delivered[] = [];
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === "mailer" && auth.password === PASSWORD)
        return callback(null, { user: auth.username });
      return callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        delivered.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString("utf8"),
          user: session.user as string | undefined,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    server,
    port,
    delivered,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe("email hooks against a local SMTP server", () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  before(async () => {
    smtp = await startSmtp();
  });
  after(() => smtp.close());
  beforeEach(() => {
    smtp.delivered.length = 0;
  });

  const emailHook = (extra: Record<string, unknown> = {}) =>
    hook({
      action: {
        case: "actionEmail",
        value: {
          host: "127.0.0.1",
          port: smtp.port,
          from: "restwell@example.org",
          to: ["ops@example.org", "me@example.org"],
          ...extra,
        },
      },
    });

  test("sends from/to/subject and the rendered text", async () => {
    const lines: string[] = [];
    const h = emailHook({
      subjectTemplate: "Backup {{ .Plan.Id }}: {{ .EventType }}",
      template: "Snapshot {{ .SnapshotId }} of {{ .Repo.Id }}",
    });
    await runHook(h, sampleEvent(), { defaultSecret: "k", onOutput: (l) => lines.push(l) });
    assert.equal(smtp.delivered.length, 1);
    const mail = smtp.delivered[0];
    assert.ok(mail);
    assert.equal(mail.from, "restwell@example.org");
    assert.deepEqual(mail.to, ["ops@example.org", "me@example.org"]);
    assert.match(mail.data, /^Subject: Backup daily: backup\.completed\r?$/m);
    assert.match(mail.data, /^From: restwell@example\.org\r?$/m);
    assert.match(mail.data, /Snapshot 1a2b3c4d of offsite/);
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? "", new RegExp(`^SMTP 127\\.0\\.0\\.1:${smtp.port} -> 250`));
  });

  test("without templates: default subject and message; logs in when a username is set", async () => {
    const h = emailHook({ username: "mailer", password: PASSWORD });
    await runHook(h, failedEvent(), { defaultSecret: "k" });
    const mail = smtp.delivered[0];
    assert.ok(mail);
    assert.equal(mail.user, "mailer");
    assert.match(mail.data, /^Subject: \[Restwell\] backup\.failed: plan daily\r?$/m);
    assert.match(
      mail.data,
      /Restwell backup of plan daily to repo offsite failed: repository is locked/,
    );
  });

  test("a rejected login is a HookError without the password", async () => {
    const h = emailHook({ username: "mailer", password: `wrong-${PASSWORD}` });
    const err = await rejection(runHook(h, sampleEvent(), { defaultSecret: "k" }));
    assert.ok(err instanceof HookError);
    assert.match(err.message, /email hook could not send through 127\.0\.0\.1:\d+/);
    assert.ok(!err.message.includes(PASSWORD));
    assert.equal(smtp.delivered.length, 0);
  });

  test("no recipients is a clear error", async () => {
    const err = await rejection(
      runHook(emailHook({ to: [] }), sampleEvent(), { defaultSecret: "k" }),
    );
    assert.match(err.message, /no recipients/);
  });

  test("a server that never greets times out", async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    try {
      const port = (silent.address() as AddressInfo).port;
      const h = hook({
        action: {
          case: "actionEmail",
          value: { host: "127.0.0.1", port, from: "a@b.c", to: ["d@e.f"] },
        },
      });
      const err = await rejection(
        runHook(h, sampleEvent(), { defaultSecret: "k", defaultTimeoutMs: 300 }),
      );
      assert.ok(err instanceof HookError);
      assert.equal(err.timedOut, true);
      assert.match(err.message, /email hook timed out after 0\.3s/);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});
