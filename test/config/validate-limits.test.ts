/** Validation of the rate limit and audit settings. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validateConfig } from "../../src/config/index.js";
import { configFrom } from "./helpers.js";

function issuesOf(settings: object) {
  return validateConfig(configFrom({ instance: "a", settings }));
}

describe("validateConfig: rate limit and audit settings", () => {
  it("accepts defaults (0), positive limits and -1 (no request limit)", () => {
    assert.deepEqual(issuesOf({}), []);
    assert.deepEqual(
      issuesOf({ rateLimitPerMinute: 5, authFailuresPerMinute: 3, auditRetentionDays: 7 }),
      [],
    );
    assert.deepEqual(issuesOf({ rateLimitPerMinute: -1 }), []);
  });

  it("refuses a request limit below -1, saying what is allowed", () => {
    const issues = issuesOf({ rateLimitPerMinute: -2 });
    assert.deepEqual(
      issues.map((i) => i.path),
      ["settings.rateLimitPerMinute"],
    );
    assert.match(issues[0]?.message ?? "", /0 for the default \(600\) or -1 for no limit/);
  });

  it("refuses negative failed sign-in limits and retention days, -1 included", () => {
    const issues = issuesOf({ authFailuresPerMinute: -1, auditRetentionDays: -5 });
    assert.deepEqual(issues.map((i) => i.path).sort(), [
      "settings.auditRetentionDays",
      "settings.authFailuresPerMinute",
    ]);
    assert.ok(issues.every((i) => /must not be negative; use 0 for the default/.test(i.message)));
  });
});
