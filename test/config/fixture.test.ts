import assert from "node:assert/strict";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { equals } from "@bufbuild/protobuf";
import bcrypt from "bcryptjs";
import { ConfigSchema } from "../../gen/v1/config_pb.js";
import {
  migrateConfig,
  openConfigStore,
  parseConfigJson,
  serializeConfig,
  validateConfig,
} from "../../src/config/index.js";
import { FIXTURE_PATH, fixtureConfig, fixtureText, tempDir } from "./helpers.js";

describe("Backrest config.json fixture", () => {
  it("loads with Backrest's field names and ignores unknown fields such as sync", () => {
    const cfg = fixtureConfig();
    assert.equal(cfg.version, 4);
    assert.equal(cfg.instance, "nas-01");
    assert.deepEqual(
      cfg.repos.map((r) => r.id),
      ["local-disk", "b2-offsite"],
    );
    const home = cfg.plans[0];
    assert.deepEqual(home?.backupFlags, ["--one-file-system", "--exclude-caches"]);
    assert.equal(home?.schedule?.schedule.case, "cron");
    assert.equal(home?.retention?.policy.case, "policyTimeBucketed");
    assert.deepEqual(
      home?.hooks.map((h) => h.action.case),
      ["actionCommand", "actionCommand", "actionDiscord"],
    );
    assert.equal(cfg.repos[1]?.prunePolicy?.maxUnusedBytes, 1073741824n);
    assert.ok(!serializeConfig(cfg).includes('"sync"'));
  });

  it("is valid and already at the current version", () => {
    const cfg = fixtureConfig();
    assert.deepEqual(validateConfig(cfg), []);
    assert.ok(equals(ConfigSchema, migrateConfig(cfg), cfg));
  });

  it("holds a real bcrypt hash, base64-encoded as Backrest stores it", () => {
    const user = fixtureConfig().auth?.users[0];
    assert.equal(user?.password.case, "passwordBcrypt");
    const hash = Buffer.from(String(user?.password.value), "base64").toString("utf8");
    assert.ok(bcrypt.compareSync("correct horse battery staple", hash));
  });

  it("round-trips: serialize then parse gives an equal config and keeps backup_flags", () => {
    const cfg = fixtureConfig();
    const text = serializeConfig(cfg);
    assert.match(text, /"backup_flags": \[/);
    assert.doesNotMatch(text, /backupFlags/);
    assert.ok(equals(ConfigSchema, parseConfigJson(text), cfg));
  });

  it("opens in a store without being rewritten, and load -> save -> load is equal", () => {
    const path = join(tempDir(), "config.json");
    copyFileSync(FIXTURE_PATH, path);
    const store = openConfigStore(path, { defaultInstance: "unused" });
    assert.equal(
      readFileSync(path, "utf8"),
      fixtureText(),
      "a valid current file is not rewritten",
    );

    const saved = store.update(store.get(), { expectedModno: 17 });
    assert.equal(saved.modno, 18);
    const reopened = openConfigStore(path, { defaultInstance: "unused" }).get();
    assert.ok(equals(ConfigSchema, reopened, saved));
    const expected = fixtureConfig();
    expected.modno = 18;
    assert.ok(equals(ConfigSchema, reopened, expected));
    assert.match(readFileSync(path, "utf8"), /"backup_flags"/);
  });
});
