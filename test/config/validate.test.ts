import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkCron, REDACTED, validateConfig } from "../../src/config/index.js";
import { configFrom, fixtureConfig } from "./helpers.js";

const hash = Buffer.from("$2a$10$abcdefghijklmnopqrstuv1234567890ABCDEFGHIJKLMNOPQRSTU").toString(
  "base64",
);

function paths(json: unknown): string[] {
  return validateConfig(configFrom(json))
    .map((i) => i.path)
    .sort();
}

const okRepo = { id: "r", uri: "/srv/r" };
const okPlan = { id: "p", repo: "r", paths: ["/home"] };

describe("validateConfig", () => {
  it("accepts a valid config", () => {
    assert.deepEqual(validateConfig(fixtureConfig()), []);
    assert.deepEqual(paths({ instance: "a", repos: [okRepo], plans: [okPlan] }), []);
  });

  it("reports every problem at once, each with its path", () => {
    const cfg = {
      instance: "bad name!",
      repos: [
        { id: "", uri: "" },
        { id: "dup", uri: "/a", env: ["NOEQUALS", "OK=1"] },
        { id: "dup", uri: "/b", prunePolicy: { schedule: { maxFrequencyDays: 0 } } },
      ],
      plans: [
        { id: "p1", repo: "missing", paths: ["relative/path"], schedule: { cron: "0 0 2 * * *" } },
        { id: "p1", repo: "dup", paths: [], retention: { policyKeepLastN: -1 } },
        { id: "p/3", repo: "", paths: ["/ok", "/bad\0nul"], schedule: { maxFrequencyHours: -2 } },
      ],
      auth: { users: [{ name: "", passwordBcrypt: "bm90LWJjcnlwdA==" }, { name: "x" }] },
    };
    assert.deepEqual(paths(cfg), [
      "auth.users[0].name",
      "auth.users[0].passwordBcrypt",
      "auth.users[1].passwordBcrypt",
      "instance",
      "plans[0].paths[0]",
      "plans[0].repo",
      "plans[0].schedule.cron",
      "plans[1].id",
      "plans[1].paths",
      "plans[1].retention.policyKeepLastN",
      "plans[2].id",
      "plans[2].paths[1]",
      "plans[2].repo",
      "plans[2].schedule.maxFrequencyHours",
      "repos[0].id",
      "repos[0].uri",
      "repos[1].env[0]",
      "repos[2].id",
      "repos[2].prunePolicy.schedule.maxFrequencyDays",
    ]);
  });

  it("says what to fix in messages", () => {
    const issues = validateConfig(
      configFrom({ instance: "a", repos: [okRepo, okRepo], plans: [{ ...okPlan, repo: "nope" }] }),
    );
    const byPath = new Map(issues.map((i) => [i.path, i.message]));
    assert.match(
      String(byPath.get("repos[1].id")),
      /already used by repos\[0\]; choose a unique id/,
    );
    assert.match(String(byPath.get("plans[0].repo")), /repo "nope" does not exist/);
  });

  it("refuses what restic could not be started with: NUL characters and overlong text", () => {
    const big = "x".repeat(40 * 1024);
    const cfg = {
      instance: "a",
      repos: [
        {
          id: "r",
          uri: "/srv/r\0",
          password: "secret\0pw",
          env: ["A=1", "B=a\0b"],
          flags: ["--limit-upload=1", `--option=${big}`],
        },
        { id: "r2", uri: "/srv/r2", flags: Array.from({ length: 10 }, () => "y".repeat(30_000)) },
      ],
      plans: [
        {
          id: "p",
          repo: "r",
          paths: ["/home"],
          excludes: ["*.tmp\0"],
          iexcludes: ["ok"],
          backup_flags: ["--one-file-system", "--tag=\0"],
        },
      ],
    };
    const issues = validateConfig(configFrom(cfg));
    assert.deepEqual(issues.map((i) => i.path).sort(), [
      "plans[0].backup_flags[1]",
      "plans[0].excludes[0]",
      "repos[0].env[1]",
      "repos[0].flags[1]",
      "repos[0].password",
      "repos[0].uri",
      "repos[1]",
    ]);
    const byPath = new Map(issues.map((i) => [i.path, i.message]));
    assert.match(String(byPath.get("repos[0].password")), /NUL character.*remove it/);
    assert.match(
      String(byPath.get("repos[0].flags[1]")),
      /is 40969 characters long; keep it under 32768/,
    );
    assert.match(
      String(byPath.get("repos[1]")),
      /300007 characters together.*keep them under 262144/,
    );
    for (const issue of issues) assert.doesNotMatch(issue.message, /secret/, "no value is echoed");
  });

  it("reports an empty instance", () => {
    assert.deepEqual(paths({ repos: [okRepo] }), ["instance"]);
  });

  it("checks schedules of plans, prune policies and check policies", () => {
    const cfg = {
      instance: "a",
      repos: [
        {
          ...okRepo,
          prunePolicy: { schedule: { cron: "61 * * * *" } },
          checkPolicy: { schedule: { cron: "* * *" }, readDataSubsetPercent: 150 },
        },
      ],
      plans: [{ ...okPlan, schedule: { cron: "0 2 * * *" } }],
    };
    assert.deepEqual(paths(cfg), [
      "repos[0].checkPolicy.readDataSubsetPercent",
      "repos[0].checkPolicy.schedule.cron",
      "repos[0].prunePolicy.schedule.cron",
    ]);
  });

  it("checks every time-bucketed retention count", () => {
    const retention = { policyTimeBucketed: { hourly: -1, daily: 0, yearly: -3 } };
    assert.deepEqual(paths({ instance: "a", repos: [okRepo], plans: [{ ...okPlan, retention }] }), [
      "plans[0].retention.policyTimeBucketed.hourly",
      "plans[0].retention.policyTimeBucketed.yearly",
    ]);
  });

  it("checks users: unique names and base64 bcrypt hashes", () => {
    const users = [
      { name: "a", passwordBcrypt: hash },
      { name: "a", passwordBcrypt: hash },
      { name: "b", passwordBcrypt: "$2a$10$notbase64" },
    ];
    assert.deepEqual(paths({ instance: "a", auth: { users } }), [
      "auth.users[1].name",
      "auth.users[2].passwordBcrypt",
    ]);
  });

  it("checks roles and keeps at least one admin while auth is on", () => {
    const user = (name: string, role?: string) => ({ name, role, passwordBcrypt: hash });
    assert.deepEqual(
      paths({ instance: "a", auth: { users: [user("a"), user("b", "viewer")] } }),
      [],
    );
    assert.deepEqual(
      paths({ instance: "a", auth: { users: [user("a", "admin"), user("b", "owner")] } }),
      ["auth.users[1].role"],
    );
    assert.deepEqual(
      paths({ instance: "a", auth: { users: [user("a", "operator"), user("b", "viewer")] } }),
      ["auth.users"],
    );
    assert.deepEqual(
      paths({ instance: "a", auth: { disabled: true, users: [user("a", "viewer")] } }),
      [],
    );
  });

  it("refuses a config that still holds the redaction marker", () => {
    const cfg = { instance: "a", repos: [{ ...okRepo, password: REDACTED }] };
    assert.deepEqual(paths(cfg), ["repos[0].password"]);
  });
});

describe("checkCron", () => {
  it("accepts five-field expressions and nicknames", () => {
    for (const expr of ["0 2 * * *", "*/15 * * * *", "0 3 * * MON-FRI", "0 2 1 * *", "@daily"]) {
      assert.equal(checkCron(expr), undefined, expr);
    }
  });

  it("rejects six-field (seconds) expressions for Backrest compatibility", () => {
    assert.match(String(checkCron("0 0 2 * * *")), /has 6 fields; use exactly five/);
  });

  it("rejects malformed expressions with the reason", () => {
    assert.match(String(checkCron("61 * * * *")), /is invalid .*minute/);
    assert.match(String(checkCron("not a cron")), /has 3 fields/);
    assert.match(String(checkCron("")), /is empty/);
    assert.match(String(checkCron("@sometimes")), /is invalid/);
  });
});

it("refuses negative settings with their paths", () => {
  const cfg = configFrom({
    instance: "x",
    settings: { logRetentionDays: -1, historyKeepCount: 5, recycleBinDays: -3 },
  });
  const paths = validateConfig(cfg).map((i) => i.path);
  assert.deepEqual(paths, ["settings.logRetentionDays", "settings.recycleBinDays"]);
});
