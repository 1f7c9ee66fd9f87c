import assert from "node:assert/strict";
import * as fs from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { create, equals } from "@bufbuild/protobuf";
import { type Config, ConfigSchema, RepoSchema } from "../../gen/v1/config_pb.js";
import {
  type ConfigFs,
  ConfigLoadError,
  CURRENT_CONFIG_VERSION,
  openConfigStore,
  validateConfig,
} from "../../src/config/index.js";
import { ConflictError, ValidationError } from "../../src/errors.js";
import { FIXTURE_PATH, tempDir } from "./helpers.js";

const mode = (path: string): number => fs.statSync(path).mode & 0o777;
const opts = { defaultInstance: "test-host" };

/** A config dir holding a copy of the Backrest fixture (modno 17). */
function fixtureStore(extra: Partial<Parameters<typeof openConfigStore>[1]> = {}) {
  const dir = tempDir();
  const path = join(dir, "config.json");
  fs.copyFileSync(FIXTURE_PATH, path);
  return { dir, path, store: openConfigStore(path, { ...opts, ...extra }) };
}

function withRepo(cfg: Config, id: string): Config {
  cfg.repos.push(create(RepoSchema, { id, uri: `/srv/${id}` }));
  return cfg;
}

const tmpFiles = (dir: string): string[] => fs.readdirSync(dir).filter((n) => n.includes(".tmp-"));

describe("openConfigStore: first start", () => {
  it("writes a valid default config, mode 0600, in new 0700 folders", () => {
    const dir = join(tempDir(), "nested", "restwell");
    const path = join(dir, "config.json");
    const store = openConfigStore(path, { defaultInstance: "my host.local" });
    assert.equal(mode(path), 0o600);
    assert.equal(mode(dir), 0o700);
    const cfg = store.get();
    assert.equal(cfg.instance, "my-host.local");
    assert.equal(cfg.modno, 0);
    assert.equal(cfg.version, CURRENT_CONFIG_VERSION);
    assert.equal(cfg.auth?.disabled, true);
    assert.deepEqual(validateConfig(cfg), []);
    const reopened = openConfigStore(path, opts).get();
    assert.ok(equals(ConfigSchema, reopened, cfg));
  });
});

describe("openConfigStore: refusing a bad file", () => {
  function refuses(content: string, check: (err: ConfigLoadError) => void): void {
    const dir = tempDir();
    const path = join(dir, "config.json");
    fs.writeFileSync(path, content);
    assert.throws(
      () => openConfigStore(path, opts),
      (err: unknown) => {
        assert.ok(err instanceof ConfigLoadError);
        assert.ok(err instanceof ValidationError, "maps like any validation error");
        assert.equal(err.file, path);
        assert.ok(err.message.includes(path), "the message names the file");
        check(err);
        return true;
      },
    );
    assert.equal(fs.readFileSync(path, "utf8"), content, "the file is byte-for-byte unchanged");
    assert.deepEqual(fs.readdirSync(dir), ["config.json"], "nothing else was written");
  }

  it("reports every validation issue and never overwrites the file", () => {
    const bad = {
      version: 3,
      instance: "ok",
      repos: [{ id: "r", uri: "" }],
      plans: [{ id: "p", repo: "gone", paths: ["rel"], schedule: { cron: "* * * * * *" } }],
    };
    refuses(JSON.stringify(bad, null, 2), (err) => {
      assert.deepEqual(
        err.issues.map((i) => i.path),
        ["repos[0].uri", "plans[0].repo", "plans[0].paths[0]", "plans[0].schedule.cron"],
      );
    });
  });

  it("reports malformed JSON with its line and column", () => {
    refuses('{\n  "instance": "a",\n  repos: []\n}\n', (err) => {
      assert.match(err.message, /malformed JSON at line 3, column 3/);
    });
  });

  it("reports a value of the wrong type", () => {
    refuses('{"instance": "a", "repos": {}}', (err) => {
      assert.match(err.message, /v1\.Config\.repos/);
    });
  });

  it("refuses a version too old to migrate", () => {
    refuses('{"version": 1, "instance": "a"}', (err) => {
      assert.equal(err.issues[0]?.path, "version");
    });
  });
});

describe("openConfigStore: migration", () => {
  it("saves the migrated config and keeps the original in config-history", () => {
    const dir = tempDir();
    const path = join(dir, "config.json");
    const original = JSON.stringify({
      modno: 5,
      version: 3,
      instance: "a",
      repos: [{ id: "r", uri: "/r" }],
    });
    fs.writeFileSync(path, original);
    const cfg = openConfigStore(path, opts).get();
    assert.equal(cfg.version, CURRENT_CONFIG_VERSION);
    assert.equal(cfg.modno, 6);
    assert.equal(cfg.repos[0]?.guid.length, 64);
    assert.equal(fs.readFileSync(join(dir, "config-history", "config.5.json"), "utf8"), original);
    assert.equal(mode(path), 0o600);
    assert.ok(equals(ConfigSchema, openConfigStore(path, opts).get(), cfg));
  });
});

describe("ConfigStore.update", () => {
  it("refuses a stale modno with ConflictError and writes nothing", () => {
    const { dir, path, store } = fixtureStore();
    const before = fs.readFileSync(path);
    assert.throws(
      () => store.update(withRepo(store.get(), "x"), { expectedModno: 16 }),
      (err: unknown) =>
        err instanceof ConflictError &&
        err.message ===
          "config was changed since it was read (modno 16, current 17); reload and retry",
    );
    assert.ok(fs.readFileSync(path).equals(before));
    assert.deepEqual(fs.readdirSync(dir), ["config.json"]);
    assert.equal(store.get().modno, 17);
  });

  it("refuses an invalid config with every issue and writes nothing", () => {
    const { dir, path, store } = fixtureStore();
    const before = fs.readFileSync(path);
    const next = store.get();
    next.instance = "";
    next.repos.push(create(RepoSchema, { id: "local-disk", uri: "/dup" }));
    assert.throws(
      () => store.update(next),
      (err: unknown) =>
        err instanceof ValidationError &&
        err.issues.map((i) => i.path).join() === "instance,repos[2].id",
    );
    assert.ok(fs.readFileSync(path).equals(before));
    assert.deepEqual(fs.readdirSync(dir), ["config.json"]);
  });

  it("bumps modno, saves 0600, keeps the previous file and notifies listeners", () => {
    const { dir, path, store } = fixtureStore();
    const before = fs.readFileSync(path, "utf8");
    const seen: Config[] = [];
    store.onChange((cfg) => seen.push(cfg));
    const next = withRepo(store.get(), "new-repo");
    next.modno = 999; // ignored: the store owns modno
    const saved = store.update(next, { expectedModno: 17 });
    assert.equal(saved.modno, 18);
    assert.equal(mode(path), 0o600);
    assert.equal(fs.readFileSync(join(dir, "config-history", "config.17.json"), "utf8"), before);
    assert.equal(mode(join(dir, "config-history", "config.17.json")), 0o600);
    assert.equal(seen.length, 1);
    assert.ok(equals(ConfigSchema, seen[0] as Config, saved));
    assert.ok(equals(ConfigSchema, openConfigStore(path, opts).get(), saved));
    assert.deepEqual(tmpFiles(dir), []);
  });

  it("keeps only the newest keepVersions previous files", () => {
    const { dir, store } = fixtureStore({ keepVersions: 3 });
    for (let i = 0; i < 6; i++) store.update(withRepo(store.get(), `r${i}`));
    assert.equal(store.get().modno, 23);
    const kept = fs.readdirSync(join(dir, "config-history")).sort();
    assert.deepEqual(kept, ["config.20.json", "config.21.json", "config.22.json"]);
  });

  it("hands out copies: mutating get() or update()'s result changes nothing", () => {
    const { store } = fixtureStore();
    store.get().instance = "mutated";
    const saved = store.update(store.get());
    saved.instance = "mutated";
    assert.equal(store.get().instance, "nas-01");
  });

  it("stops notifying after unsubscribe and survives a throwing listener", () => {
    const errors: unknown[] = [];
    const { store } = fixtureStore({ onListenerError: (err) => errors.push(err) });
    const calls: number[] = [];
    store.onChange(() => {
      throw new Error("listener bug");
    });
    const unsubscribe = store.onChange((cfg) => calls.push(cfg.modno));
    store.update(store.get());
    unsubscribe();
    store.update(store.get());
    assert.deepEqual(calls, [18]);
    assert.equal(errors.length, 2);
    assert.equal(store.get().modno, 19);
  });

  it("delivers saves in order when a listener itself updates", () => {
    const { store } = fixtureStore();
    const first: number[] = [];
    const second: number[] = [];
    store.onChange((cfg) => {
      first.push(cfg.modno);
      if (cfg.modno === 18) store.update(store.get());
    });
    store.onChange((cfg) => second.push(cfg.modno));
    store.update(store.get());
    assert.deepEqual(first, [18, 19]);
    assert.deepEqual(second, [18, 19]);
  });
});

describe("ConfigStore: atomic saves", () => {
  it("leaves the old file when the rename fails, and can save afterwards", () => {
    let failRename = true;
    const flaky: ConfigFs = {
      ...fs,
      renameSync: (from, to) => {
        if (failRename && String(to).endsWith("config.json")) throw new Error("EIO: injected");
        fs.renameSync(from, to);
      },
    };
    const { dir, path, store } = fixtureStore({ fs: flaky });
    const before = fs.readFileSync(path);
    assert.throws(() => store.update(withRepo(store.get(), "x")), /injected/);
    assert.ok(fs.readFileSync(path).equals(before));
    assert.deepEqual(tmpFiles(dir), [], "the temp file is cleaned up");
    assert.equal(store.get().modno, 17, "memory still matches disk");
    failRename = false;
    assert.equal(store.update(withRepo(store.get(), "x")).modno, 18);
  });

  it("survives a crash mid-write: the file is old, and the stray temp file is removed on open", () => {
    const configTmpFds = new Set<number>();
    const crashing: ConfigFs = {
      ...fs,
      openSync: ((path: string, flags: string, m?: number) => {
        const fd = fs.openSync(path, flags, m);
        if (/[/\\]config\.json\.tmp-/.test(path)) configTmpFds.add(fd);
        return fd;
      }) as ConfigFs["openSync"],
      // Write half of the new config, then "die": no cleanup runs after a real crash.
      writeSync: ((fd: number, buf: Buffer, offset = 0) => {
        if (!configTmpFds.has(fd)) return fs.writeSync(fd, buf, offset);
        fs.writeSync(fd, buf, 0, Math.floor(buf.length / 2));
        throw new Error("crash: injected");
      }) as unknown as ConfigFs["writeSync"],
      unlinkSync: () => {},
    };
    const { dir, path, store } = fixtureStore({ fs: crashing });
    const before = fs.readFileSync(path);
    assert.throws(() => store.update(withRepo(store.get(), "x")), /crash/);
    assert.ok(fs.readFileSync(path).equals(before), "config.json is intact");
    const [stray] = tmpFiles(dir);
    assert.ok(stray, "the crash left a temp file");
    assert.throws(() => JSON.parse(fs.readFileSync(join(dir, stray), "utf8")), "it is partial");

    const reopened = openConfigStore(path, opts);
    assert.equal(reopened.get().modno, 17);
    assert.deepEqual(tmpFiles(dir), [], "open removed the stray temp file");
    assert.ok(fs.readFileSync(path).equals(before));
  });

  it("ignores a garbage temp file next to a good config", () => {
    const dir = tempDir();
    const path = join(dir, "config.json");
    fs.copyFileSync(FIXTURE_PATH, path);
    fs.writeFileSync(`${path}.tmp-1234-abcdef`, '{"instance": "half-writ');
    fs.writeFileSync(join(dir, "unrelated.tmp-1"), "keep me");
    assert.equal(openConfigStore(path, opts).get().instance, "nas-01");
    assert.deepEqual(fs.readdirSync(dir).sort(), ["config.json", "unrelated.tmp-1"]);
  });
});
