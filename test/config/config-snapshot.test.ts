/**
 * ConfigStore.snapshot and ConfigService.getRedacted: one shared, frozen config per save, for
 * readers on hot paths, replaced (never changed) by the next save.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { create, equals, toJsonString } from "@bufbuild/protobuf";
import { ConfigSchema, RepoSchema } from "../../gen/v1/config_pb.js";
import { createConfigService } from "../../src/config/config-service.js";
import { openConfigStore, REDACTED } from "../../src/config/index.js";
import { FIXTURE_PATH, tempDir } from "./helpers.js";

function fixtureStore() {
  const path = join(tempDir(), "config.json");
  fs.copyFileSync(FIXTURE_PATH, path);
  return openConfigStore(path, { defaultInstance: "test-host" });
}

describe("ConfigStore.snapshot", () => {
  it("hands every reader the same frozen config, equal to get()'s copy", () => {
    const store = fixtureStore();
    const snapshot = store.snapshot();
    assert.equal(store.snapshot(), snapshot);
    assert.ok(equals(ConfigSchema, snapshot, store.get()));
    assert.ok(Object.isFrozen(snapshot));
    assert.ok(Object.isFrozen(snapshot.repos) && Object.isFrozen(snapshot.repos[0]));
    assert.throws(() => {
      (snapshot as { instance: string }).instance = "changed";
    }, TypeError);
    assert.throws(() => snapshot.repos.push(create(RepoSchema, { id: "x" })), TypeError);
    assert.equal(store.get().instance, "nas-01");
  });

  it("is replaced by a save, and get() still hands out copies to edit", () => {
    const store = fixtureStore();
    const before = store.snapshot();
    const next = store.get();
    next.repos.push(create(RepoSchema, { id: "added", uri: "/srv/added" }));
    store.update(next);
    const after = store.snapshot();
    assert.notEqual(after, before);
    assert.equal(before.repos.length + 1, after.repos.length, "the old snapshot is unchanged");
    assert.equal(after.modno, before.modno + 1);
    assert.ok(Object.isFrozen(after.repos));
  });

  it("can be read by protobuf functions and copied for editing", () => {
    const store = fixtureStore();
    const snapshot = store.snapshot();
    assert.ok(toJsonString(ConfigSchema, snapshot).includes('"nas-01"'));
    const saved = store.update(snapshot);
    assert.equal(saved.modno, snapshot.modno + 1);
  });
});

describe("ConfigService.getRedacted", () => {
  it("redacts once per saved config and shares the frozen result", () => {
    const store = fixtureStore();
    const service = createConfigService(store);
    const redacted = service.getRedacted();
    assert.equal(service.getRedacted(), redacted);
    assert.ok(Object.isFrozen(redacted) && Object.isFrozen(redacted.repos));
    assert.ok(redacted.repos.some((r) => r.password === REDACTED));
    assert.ok(
      !toJsonString(ConfigSchema, redacted).includes(store.get().repos[0]?.password ?? "?"),
    );

    const next = store.get();
    next.instance = "renamed";
    store.update(next);
    const after = service.getRedacted();
    assert.notEqual(after, redacted);
    assert.equal(after.instance, "renamed");
    assert.equal(redacted.instance, "nas-01");
  });

  it("keeps secrets a client sends back redacted, from the shared snapshot", () => {
    const store = fixtureStore();
    const service = createConfigService(store);
    const stored = store.get().repos[0]?.password;
    const edited = create(ConfigSchema, service.getRedacted());
    const saved = service.replace({ ...edited, instance: "edited" });
    assert.equal(saved.instance, "edited");
    assert.equal(store.get().repos[0]?.password, stored);
  });
});
