/**
 * Property tests of config parsing, validation and saving with hostile input: parsing and
 * validation throw nothing but their documented errors and name the offending field; the store
 * never writes a config that would not load, and a refused update leaves the file as it was.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import fc from "fast-check";
import { ConfigSchema } from "../../gen/v1/config_pb.js";
import { hashPassword } from "../../src/auth/password.js";
import {
  ConfigLoadError,
  HISTORY_DIR,
  openConfigStore,
  parseConfigJson,
  serializeConfig,
  validateConfig,
} from "../../src/config/index.js";
import { ConflictError, ValidationError } from "../../src/errors.js";
import {
  type HostileTargets,
  hostileString,
  malformedJsonText,
  messageJson,
} from "../helpers/proto-arbitraries.js";
import { tempDir } from "./helpers.js";

const RUNS = Number(process.env.CONFIG_FUZZ_RUNS ?? 300);
const scratch = tempDir();
const targets: HostileTargets = {
  sentinel: join(scratch, "SENTINEL"),
  scratchDir: scratch,
  knownIds: ["local", "plan1"],
  systemPaths: true,
};
const hostile = hostileString(targets);
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** A path like the validator writes: `plans[1].retention.policyKeepLastN`, or "" for the whole file. */
const ISSUE_PATH = /^$|^[A-Za-z_]+(\[\d+\])?(\.[A-Za-z_]+(\[\d+\])?)*$/;

/** Mostly valid values, now and then a hostile one. */
function mostly<T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: other });
}

const id = fc.stringMatching(/^[A-Za-z0-9_.-]{1,10}$/);
const absolutePath = fc
  .array(fc.stringMatching(/^[a-z0-9._-]{1,8}$/), { minLength: 1, maxLength: 3 })
  .map((parts) => `/${parts.join("/")}`);
const schedule = fc.oneof(
  fc.record({ cron: mostly(fc.constantFrom("0 2 * * *", "*/5 * * * *", "@daily"), hostile) }),
  fc.record({ maxFrequencyDays: fc.integer({ min: -3, max: 30 }) }),
  fc.record({ disabled: fc.boolean() }),
);

/** Config-shaped JSON that is often valid (so updates get accepted) and often not. */
function configArb(bcrypt: string): fc.Arbitrary<JsonValue> {
  const repo = fc.record(
    {
      id: mostly(id, hostile),
      uri: mostly(absolutePath, hostile),
      password: fc.string({ maxLength: 20 }),
      env: fc.array(mostly(fc.constantFrom("A=1", "AWS_X=y"), hostile), { maxLength: 2 }),
      prunePolicy: fc.record({ schedule }),
      checkPolicy: fc.record({ readDataSubsetPercent: fc.integer({ min: -5, max: 120 }) }),
    },
    { requiredKeys: ["id", "uri"] },
  );
  return fc.array(repo, { maxLength: 3 }).chain((repos) => {
    const repoIds = repos.map((r) => r.id).filter((x): x is string => typeof x === "string");
    const repoRef = repoIds.length > 0 ? mostly(fc.constantFrom(...repoIds), hostile) : hostile;
    const plan = fc.record(
      {
        id: mostly(id, hostile),
        repo: repoRef,
        paths: fc.array(mostly(absolutePath, hostile), { maxLength: 3 }),
        excludes: fc.array(hostile, { maxLength: 2 }),
        schedule,
        retention: fc.oneof(
          fc.record({ policyKeepLastN: fc.integer({ min: -2, max: 20 }) }),
          fc.record({
            policyTimeBucketed: fc.record({
              daily: fc.integer({ min: -2, max: 10 }),
              keepLastN: fc.integer({ min: -1, max: 5 }),
            }),
          }),
        ),
      },
      { requiredKeys: ["id", "repo", "paths"] },
    );
    const user = fc.record({
      name: mostly(fc.constantFrom("admin", "ops", "viewer1"), hostile),
      passwordBcrypt: mostly(fc.constant(bcrypt), hostile),
      role: mostly(fc.constantFrom("", "admin", "operator", "viewer"), hostile),
    });
    return fc.record({
      instance: mostly(id, hostile),
      repos: fc.constant(repos),
      plans: fc.array(plan, { maxLength: 3 }),
      auth: fc.oneof(
        fc.record({ disabled: fc.constant(true) }),
        fc.record({ users: fc.array(user, { minLength: 1, maxLength: 2 }) }),
      ),
      settings: fc.record(
        {
          historyKeepCount: fc.integer({ min: -5, max: 100 }),
          rateLimitPerMinute: fc.integer({ min: -3, max: 1000 }),
          logRetentionDays: fc.integer({ min: -2, max: 90 }),
        },
        { requiredKeys: [] },
      ),
    }) as fc.Arbitrary<JsonValue>;
  });
}

/** Any JSON shaped after the Config schema (every field, hostile values, some of the wrong type). */
const schemaShaped = fc.oneof(
  messageJson(ConfigSchema, { targets, wrongTypes: 0 }),
  messageJson(ConfigSchema, { targets, wrongTypes: 0.2 }),
);
const configText = fc.oneof(
  schemaShaped.map((v) => Buffer.from(JSON.stringify(v))),
  malformedJsonText(schemaShaped),
);

function assertIssues(issues: { path: string; message: string }[]): void {
  for (const issue of issues) {
    assert.equal(typeof issue.path, "string");
    assert.match(issue.path, ISSUE_PATH, `issue path "${issue.path.slice(0, 200)}"`);
    assert.ok(issue.message.length > 0, "every issue says what is wrong");
  }
}

describe("config validation under hostile input", () => {
  let bcrypt = "";
  before(async () => {
    bcrypt = await hashPassword("a password");
  });

  it("parsing throws nothing but ValidationError, and validation nothing at all", () => {
    fc.assert(
      fc.property(configText, (bytes) => {
        let cfg: ReturnType<typeof parseConfigJson>;
        try {
          cfg = parseConfigJson(bytes.toString("utf8"));
        } catch (err) {
          assert.ok(err instanceof ValidationError, `parse threw ${String(err)}`);
          assert.ok(err.issues.length > 0);
          assertIssues(err.issues);
          return;
        }
        assertIssues(validateConfig(cfg));
      }),
      { numRuns: RUNS },
    );
  });

  it("a hostile value in a checked field is reported at that field's path", () => {
    const invalidId = fc.constantFrom("", "a b", "../x", "$(touch x)", "a;b", "x\0y", "é");
    const relative = fc.constantFrom("", "relative", "../../etc/passwd", "./x", "/abs\0nul");
    const edits: fc.Arbitrary<Edit> = fc.oneof(
      invalidId.map(at("instance", (c, v) => Object.assign(c, { instance: v }))),
      invalidId.map(at("repos[0].id", (c, v) => Object.assign(repoOf(c), { id: v }))),
      invalidId.map(at("plans[0].id", (c, v) => Object.assign(planOf(c), { id: v }))),
      relative.map(at("plans[0].paths[0]", (c, v) => Object.assign(planOf(c), { paths: [v] }))),
      hostile
        .filter((v) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(v))
        .map(at("repos[0].env[0]", (c, v) => Object.assign(repoOf(c), { env: [v] }))),
      fc
        .integer({ min: -1000, max: -1 })
        .map(
          at("plans[0].retention.policyKeepLastN", (c, v) =>
            Object.assign(planOf(c), { retention: { policyKeepLastN: v } }),
          ),
        ),
      fc
        .integer({ min: -(2 ** 31), max: -2 })
        .map(
          at("settings.rateLimitPerMinute", (c, v) =>
            Object.assign(c, { settings: { rateLimitPerMinute: v } }),
          ),
        ),
    );
    fc.assert(
      fc.property(edits, ({ path, apply, value }) => {
        const json = baseJson();
        apply(json);
        const text = JSON.stringify(json);
        if (typeof value === "string" && LONE_SURROGATE.test(value)) {
          // Not Unicode text: the decoder refuses it already, naming the protobuf field.
          const field = path
            .replace(/\[\d+\]/g, "")
            .split(".")
            .pop() as string;
          assert.throws(
            () => parseConfigJson(text),
            (err: unknown) => {
              return err instanceof ValidationError && err.message.includes(field);
            },
          );
          return;
        }
        const issues = validateConfig(parseConfigJson(text));
        assertIssues(issues);
        assert.ok(
          issues.some((i) => i.path === path),
          `${path} = ${JSON.stringify(value)} reported: ${JSON.stringify(issues)}`,
        );
      }),
      { numRuns: RUNS },
    );
  });

  it("the store writes only configs that load, and a refused update changes nothing", () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.array(configArb(bcrypt), { minLength: 1, maxLength: 6 }), (updates) => {
        const dir = tempDir();
        const path = join(dir, "config.json");
        writeFileSync(path, `${JSON.stringify(baseJson())}\n`);
        const store = openConfigStore(path, { defaultInstance: "fuzz", keepVersions: 2 });
        for (const json of updates) {
          let next: ReturnType<typeof parseConfigJson>;
          try {
            next = fromJson(ConfigSchema, json, { ignoreUnknownFields: true });
          } catch {
            continue; // the API's decoder refuses it before the store sees it
          }
          const before = readFileSync(path, "utf8");
          try {
            const saved = store.update(next);
            accepted += 1;
            assert.equal(readFileSync(path, "utf8"), serializeConfig(saved));
          } catch (err) {
            assert.ok(
              err instanceof ValidationError || err instanceof ConflictError,
              `update threw ${String(err)}`,
            );
            refused += 1;
            assert.equal(readFileSync(path, "utf8"), before, "a refused update changed the file");
          }
          assertLoads(path);
        }
      }),
      { numRuns: Math.max(20, Math.round(RUNS / 3)) },
    );
    assert.ok(accepted > 0 && refused > 0, `${accepted} accepted, ${refused} refused`);
  });

  it("loading a hostile file either works or throws ConfigLoadError, never rewriting it", () => {
    fc.assert(
      fc.property(configText, (bytes) => {
        const dir = tempDir();
        const path = join(dir, "config.json");
        writeFileSync(path, bytes);
        try {
          openConfigStore(path, { defaultInstance: "fuzz" });
        } catch (err) {
          assert.ok(err instanceof ConfigLoadError, `open threw ${String(err)}`);
          assertIssues(err.issues);
          assert.ok(readFileSync(path).equals(bytes), "a config that failed to load was rewritten");
          assert.equal(existsSync(join(dir, HISTORY_DIR)), false);
          return;
        }
        assertLoads(path);
      }),
      { numRuns: RUNS },
    );
  });
});

/** The file on disk (and every kept version) parses and validates. */
function assertLoads(path: string): void {
  const cfg = parseConfigJson(readFileSync(path, "utf8"));
  assert.deepEqual(validateConfig(cfg), [], "the file on disk is a valid config");
  const history = join(path, "..", HISTORY_DIR);
  if (!existsSync(history)) return;
  for (const name of readdirSync(history))
    assert.doesNotThrow(() => parseConfigJson(readFileSync(join(history, name), "utf8")));
}

type ConfigJson = Record<string, unknown>;

/** One change to a config, and the path its issue must name. */
interface Edit {
  path: string;
  value: unknown;
  apply(cfg: ConfigJson): void;
}

function at(path: string, apply: (cfg: ConfigJson, value: unknown) => void) {
  return (value: unknown): Edit => ({ path, value, apply: (cfg) => apply(cfg, value) });
}

function baseJson(): ConfigJson {
  return {
    instance: "fuzz",
    repos: [{ id: "local", uri: "/srv/repo", password: "pw" }],
    plans: [{ id: "plan1", repo: "local", paths: ["/home"] }],
    auth: { disabled: true },
  };
}

function repoOf(c: Record<string, unknown>): Record<string, unknown> {
  return (c.repos as Record<string, unknown>[])[0] as Record<string, unknown>;
}

function planOf(c: Record<string, unknown>): Record<string, unknown> {
  return (c.plans as Record<string, unknown>[])[0] as Record<string, unknown>;
}
