import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clone, create, equals, toJsonString } from "@bufbuild/protobuf";
import {
  ConfigSchema,
  DatabaseSource_Kind,
  DatabaseSourceSchema,
  HookSchema,
  RepoSchema,
} from "../../gen/v1/config_pb.js";
import { REDACTED, redactConfig, restoreRedacted, validateConfig } from "../../src/config/index.js";
import { ValidationError } from "../../src/errors.js";
import { fixtureConfig } from "./helpers.js";

/** Every secret in the fixture, plus one added below in a repo URI. */
const SECRETS = [
  "fixture-repo-password-1",
  "fixture-repo-password-2",
  "fixture-access-key-id",
  "fixture-secret-access-key",
  "fixture-gotify-token-AbCdEf",
  "fixture-discord-token-XyZ",
  "fixture-telegram-bot-token",
  "uri-password-s3cret",
  "db-password-Q7x!",
];

function storedConfig() {
  const cfg = fixtureConfig();
  cfg.repos.push(
    create(RepoSchema, { id: "rest", uri: "rest:https://bob:uri-password-s3cret@h:8000/r" }),
  );
  cfg.plans[0]?.databases.push(
    create(DatabaseSourceSchema, {
      name: "app",
      kind: DatabaseSource_Kind.POSTGRESQL,
      database: "app",
      password: "db-password-Q7x!",
    }),
  );
  return cfg;
}

function expectIssues(fn: () => unknown, expected: string[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ValidationError);
    assert.deepEqual(
      err.issues.map((i) => i.path),
      expected,
    );
    return true;
  });
}

describe("redactConfig", () => {
  it("hides every secret and keeps everything else", () => {
    const stored = storedConfig();
    const text = toJsonString(ConfigSchema, redactConfig(stored));
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `leaked ${secret}`);
    const bcrypt = stored.auth?.users[0]?.password.value;
    assert.ok(bcrypt && !text.includes(bcrypt), "leaked the bcrypt hash");

    const redacted = redactConfig(stored);
    assert.equal(redacted.repos[0]?.password, REDACTED);
    assert.deepEqual(redacted.repos[1]?.env, [
      `AWS_ACCESS_KEY_ID=${REDACTED}`,
      `AWS_SECRET_ACCESS_KEY=${REDACTED}`,
      "AWS_DEFAULT_REGION=us-west-002",
    ]);
    assert.deepEqual(redacted.repos[0]?.env, stored.repos[0]?.env, "harmless env stays");
    assert.equal(redacted.repos[2]?.uri, `rest:https://bob:${REDACTED}@h:8000/r`);
    assert.equal(redacted.repos[2]?.password, "", "an unset secret stays unset");
    assert.equal(redacted.plans[0]?.databases[0]?.password, REDACTED);
    assert.equal(redacted.plans[0]?.databases[0]?.database, "app");
    const commandHook = (c: typeof stored) => create(HookSchema, c.plans[0]?.hooks[0]);
    assert.ok(equals(HookSchema, commandHook(redacted), commandHook(stored)), "commands stay");
    assert.equal(redacted.instance, "nas-01");
  });

  it("does not modify its input", () => {
    const stored = storedConfig();
    const copy = clone(ConfigSchema, stored);
    redactConfig(stored);
    assert.ok(equals(ConfigSchema, stored, copy));
  });
});

describe("restoreRedacted", () => {
  it("puts back every stored secret", () => {
    const stored = storedConfig();
    assert.ok(equals(ConfigSchema, restoreRedacted(redactConfig(stored), stored), stored));
  });

  it("matches by id and name, not position, and keeps secrets the client changed", () => {
    const stored = storedConfig();
    const incoming = redactConfig(stored);
    incoming.repos.reverse();
    const b2 = incoming.repos.find((r) => r.id === "b2-offsite");
    assert.ok(b2);
    b2.password = "a-new-password";
    b2.env.reverse();
    const out = restoreRedacted(incoming, stored);
    assert.equal(out.repos.find((r) => r.id === "local-disk")?.password, "fixture-repo-password-1");
    const outB2 = out.repos.find((r) => r.id === "b2-offsite");
    assert.equal(outB2?.password, "a-new-password");
    assert.deepEqual(outB2?.env, [
      "AWS_DEFAULT_REGION=us-west-002",
      "AWS_SECRET_ACCESS_KEY=fixture-secret-access-key",
      "AWS_ACCESS_KEY_ID=fixture-access-key-id",
    ]);
    assert.deepEqual(validateConfig(out), []);
  });

  it("refuses a marker with no stored counterpart, naming each path", () => {
    const stored = storedConfig();
    const incoming = redactConfig(stored);
    const env = [`NEW_TOKEN=${REDACTED}`];
    incoming.repos.push(create(RepoSchema, { id: "new", uri: "/n", password: REDACTED, env }));
    // Same repo, but the URI now points elsewhere: the stored password must not follow.
    incoming.repos[2] = create(RepoSchema, {
      id: "rest",
      uri: `rest:https://bob:${REDACTED}@other:8000/r`,
    });
    expectIssues(
      () => restoreRedacted(incoming, stored),
      ["repos[2].uri", "repos[3].password", "repos[3].env[0]"],
    );
  });

  it("refuses a marker in a hook whose stored counterpart is a different action", () => {
    const stored = storedConfig();
    const incoming = redactConfig(stored);
    const plan = incoming.plans[1];
    assert.ok(plan);
    // The telegram hook moved from index 0 to index 1; index 1 has no stored hook.
    plan.hooks.unshift(
      create(HookSchema, {
        action: { case: "actionGotify", value: { baseUrl: "https://g", token: REDACTED } },
      }),
    );
    expectIssues(
      () => restoreRedacted(incoming, stored),
      ["plans[1].hooks[0].actionGotify.token", "plans[1].hooks[1].actionTelegram.botToken"],
    );
  });

  it("matches a database source's password by plan and source name", () => {
    const stored = storedConfig();
    const incoming = redactConfig(stored);
    const plan = incoming.plans[0];
    assert.ok(plan?.databases[0]);
    plan.databases.unshift(create(DatabaseSourceSchema, { name: "new", password: REDACTED }));
    expectIssues(() => restoreRedacted(incoming, stored), ["plans[0].databases[0].password"]);
    plan.databases.shift();
    const out = restoreRedacted(incoming, stored);
    assert.equal(out.plans[0]?.databases[0]?.password, "db-password-Q7x!");
  });

  it("refuses a marker for a user that does not exist yet", () => {
    const stored = storedConfig();
    const incoming = redactConfig(stored);
    const user = incoming.auth?.users[0];
    assert.ok(user);
    user.name = "renamed";
    expectIssues(() => restoreRedacted(incoming, stored), ["auth.users[0].passwordBcrypt"]);
  });
});
