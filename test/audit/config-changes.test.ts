/** The coarse, secret-free description of a config change. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeConfigChanges } from "../../src/audit/index.js";
import { configFrom } from "../config/helpers.js";

const hash = (s: string) => Buffer.from(`$2a$10$${s.padEnd(53, "x")}`).toString("base64");

const before = configFrom({
  instance: "a",
  repos: [
    { id: "r1", uri: "/srv/r1", password: "repo-secret-1" },
    { id: "r2", uri: "/srv/r2", password: "repo-secret-2" },
  ],
  plans: [{ id: "p1", repo: "r1", paths: ["/home"] }],
  auth: { users: [{ name: "alice", passwordBcrypt: hash("alice") }] },
  settings: { logRetentionDays: 7 },
});

describe("describeConfigChanges", () => {
  it("says nothing changed for an equal config", () => {
    assert.equal(describeConfigChanges(before, before), "no changes");
  });

  it("lists added, changed and removed repos, plans and users by id, and changed fields by name", () => {
    const after = configFrom({
      instance: "b",
      repos: [
        { id: "r1", uri: "/srv/r1", password: "repo-secret-NEW" },
        { id: "r3", uri: "/srv/r3", password: "repo-secret-3" },
      ],
      plans: [{ id: "p1", repo: "r1", paths: ["/home"] }],
      auth: {
        disabled: true,
        users: [
          { name: "alice", passwordBcrypt: hash("alice-new") },
          { name: "bob", passwordBcrypt: hash("bob") },
        ],
      },
      settings: { logRetentionDays: 8, rateLimitPerMinute: 10 },
    });
    const text = describeConfigChanges(before, after);
    assert.equal(
      text,
      "repos: ~r1 +r3 -r2; users: ~alice +bob; auth: disabled; settings: logRetentionDays rateLimitPerMinute; config: instance",
    );
    for (const secret of ["repo-secret", hash("alice-new"), hash("bob"), "$2a$"]) {
      assert.ok(!text.includes(secret), `mentions ${secret}`);
    }
  });
});
