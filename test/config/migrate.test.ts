import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { equals } from "@bufbuild/protobuf";
import { ConfigSchema, Schedule_Clock } from "../../gen/v1/config_pb.js";
import { CURRENT_CONFIG_VERSION, migrateConfig } from "../../src/config/index.js";
import { ValidationError } from "../../src/errors.js";
import { configFrom } from "./helpers.js";

const repo = {
  id: "r",
  uri: "/srv/r",
  prunePolicy: { schedule: { maxFrequencyDays: 7, clock: "CLOCK_LOCAL" } },
  checkPolicy: { schedule: { maxFrequencyDays: 30 } },
};

describe("migrateConfig", () => {
  it("treats a missing version as the current format", () => {
    const input = configFrom({ instance: "a", repos: [repo] });
    const out = migrateConfig(input);
    assert.equal(out.version, CURRENT_CONFIG_VERSION);
    assert.equal(out.repos[0]?.guid, "", "no migration step runs");
    assert.equal(input.version, 0, "the input is not modified");
  });

  it("brings version 2 to current: relative prune/check clocks and repo guids", () => {
    const out = migrateConfig(configFrom({ version: 2, instance: "a", repos: [repo] }));
    assert.equal(out.version, CURRENT_CONFIG_VERSION);
    const r = out.repos[0];
    assert.equal(r?.prunePolicy?.schedule?.clock, Schedule_Clock.LAST_RUN_TIME);
    assert.equal(r?.checkPolicy?.schedule?.clock, Schedule_Clock.LAST_RUN_TIME);
    assert.equal(r?.guid, createHash("sha256").update("r").digest("hex"));
  });

  it("runs only the steps after the file's version and keeps existing guids", () => {
    const input = configFrom({
      version: 3,
      instance: "a",
      repos: [repo, { id: "g", uri: "/g", guid: "keep-me" }],
    });
    const out = migrateConfig(input);
    assert.equal(out.version, 4);
    assert.equal(out.repos[0]?.prunePolicy?.schedule?.clock, Schedule_Clock.LOCAL);
    assert.equal(out.repos[0]?.guid.length, 64);
    assert.equal(out.repos[1]?.guid, "keep-me");
  });

  it("leaves a current config unchanged", () => {
    const input = configFrom({ version: CURRENT_CONFIG_VERSION, instance: "a", repos: [repo] });
    assert.ok(equals(ConfigSchema, migrateConfig(input), input));
  });

  it("leaves a config from a newer Backrest unchanged, never downgrading its version", () => {
    const input = configFrom({ version: 6, instance: "a", repos: [repo] });
    const out = migrateConfig(input);
    assert.equal(out.version, 6);
    assert.ok(equals(ConfigSchema, out, input));
  });

  it("refuses versions too old to migrate, at path version", () => {
    assert.throws(
      () => migrateConfig(configFrom({ version: 1, instance: "a" })),
      (err: unknown) =>
        err instanceof ValidationError &&
        err.issues.length === 1 &&
        err.issues[0]?.path === "version" &&
        /Backrest 1\.4\.0/.test(err.issues[0].message),
    );
  });
});
