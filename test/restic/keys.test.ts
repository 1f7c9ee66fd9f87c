/** `restic key list/add/remove` through the restic module, against the real restic on a temp repo. */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  createRestic,
  parseKeyList,
  ResticError,
  type ResticRepo,
} from "../../src/restic/index.js";

const OLD_PASSWORD = "keys-old-Pw-9c1e-horse";
const NEW_PASSWORD = "keys-new-Pw-77aa-battery";

let root = "";
let baseEnv: Record<string, string>;
/** Runs restic through a wrapper that records each call's argv and its password file's mode. */
const restic = () =>
  createRestic({ command: join(root, "restic-wrapper"), env: baseEnv, killGraceMs: 5000 });
const repoWith = (password: string): ResticRepo => ({ uri: join(root, "repo"), password });

before(async () => {
  root = await mkdtemp(join(tmpdir(), "restic-keys-test-"));
  baseEnv = {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: root,
    RESTIC_CACHE_DIR: join(root, "cache"),
    WRAPPER_LOG: join(root, "calls"),
  };
  const wrapper = [
    "#!/bin/sh",
    'printf "%s\\n" "$@" > "$WRAPPER_LOG.args"',
    'prev=""',
    'for a in "$@"; do',
    '  if [ "$prev" = "--new-password-file" ]; then stat -c %a "$a" > "$WRAPPER_LOG.mode"; fi',
    '  prev="$a"',
    "done",
    'exec restic "$@"',
  ];
  await writeFile(join(root, "restic-wrapper"), `${wrapper.join("\n")}\n`);
  await chmod(join(root, "restic-wrapper"), 0o755);
  await restic().init(repoWith(OLD_PASSWORD));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The password file the last restic call was given, and its mode when restic started. */
async function lastPasswordFile(): Promise<{ path: string; mode: string }> {
  const args = (await readFile(join(root, "calls.args"), "utf8")).split("\n");
  const path = args[args.indexOf("--new-password-file") + 1] ?? "";
  return { path, mode: (await readFile(join(root, "calls.mode"), "utf8")).trim() };
}

describe("parseKeyList", () => {
  test("reads restic 0.14's key list and skips entries without an id", () => {
    const text =
      '[{"current":false,"id":"8a7cd400","userName":"root","hostName":"vm","created":"2026-11-22 13:01:45"},{"current":true,"id":"04a9cc2f","userName":"root","hostName":"vm","created":"2026-11-22 13:01:41"},{"current":true}]';
    assert.deepEqual(parseKeyList(text), [
      {
        id: "8a7cd400",
        current: false,
        userName: "root",
        hostName: "vm",
        created: "2026-11-22 13:01:45",
      },
      {
        id: "04a9cc2f",
        current: true,
        userName: "root",
        hostName: "vm",
        created: "2026-11-22 13:01:41",
      },
    ]);
    assert.equal(parseKeyList("not json"), undefined);
    assert.equal(parseKeyList('{"id":"x"}'), undefined);
  });
});

describe("keys (real restic)", { concurrency: false }, () => {
  let oldKey = "";

  test("key list shows the one key of a new repository as current", async () => {
    const keys = await restic().keyList(repoWith(OLD_PASSWORD));
    assert.equal(keys.length, 1);
    assert.equal(keys[0]?.current, true);
    assert.match(keys[0]?.id ?? "", /^[0-9a-f]{8,}$/);
    oldKey = keys[0]?.id ?? "";
  });

  test("key add adds a key the new password opens, and removes its password file", async () => {
    await restic().keyAdd(repoWith(OLD_PASSWORD), NEW_PASSWORD);
    const file = await lastPasswordFile();
    assert.match(file.path, /restwell-key-[^/]+\/new-password$/);
    assert.equal(file.mode, "600");
    assert.equal(existsSync(file.path), false, "the password file is gone");
    assert.equal(existsSync(join(file.path, "..")), false, "its folder too");
    const byOld = await restic().keyList(repoWith(OLD_PASSWORD));
    assert.equal(byOld.length, 2);
    assert.equal(byOld.find((k) => k.current)?.id, oldKey);
    const byNew = await restic().keyList(repoWith(NEW_PASSWORD));
    const current = byNew.find((k) => k.current);
    assert.ok(current, "the new password opens a key");
    assert.notEqual(current.id, oldKey);
  });

  test("key remove refuses the key the call opened the repository with", async () => {
    const err = await restic()
      .keyRemove(repoWith(OLD_PASSWORD), oldKey)
      .catch((e: unknown) => e);
    assert.ok(err instanceof ResticError, String(err));
    assert.equal((await restic().keyList(repoWith(OLD_PASSWORD))).length, 2);
  });

  test("key remove with the new password removes the old key: the old password no longer opens it", async () => {
    await restic().keyRemove(repoWith(NEW_PASSWORD), oldKey);
    const keys = await restic().keyList(repoWith(NEW_PASSWORD));
    assert.equal(keys.length, 1);
    assert.equal(keys[0]?.current, true);
    const err = await restic()
      .keyList(repoWith(OLD_PASSWORD))
      .catch((e: unknown) => e);
    assert.ok(err instanceof ResticError, String(err));
    assert.equal(err.kind, "wrong-password");
    assert.ok(!JSON.stringify(err).includes(OLD_PASSWORD));
    assert.ok(!err.message.includes(OLD_PASSWORD) && !err.stderrTail.includes(OLD_PASSWORD));
  });

  test("a failed key add leaks neither password and leaves no password file", async () => {
    await rm(join(root, "calls.args"), { force: true });
    const err = await restic()
      .keyAdd(repoWith("not-the-password"), "another-Secret-1234")
      .catch((e: unknown) => e);
    assert.ok(err instanceof ResticError, String(err));
    assert.equal(err.kind, "wrong-password");
    const text = `${err.message} ${err.stderrTail} ${err.args.join(" ")}`;
    assert.ok(!text.includes("another-Secret-1234"));
    assert.ok(!text.includes("not-the-password"));
    const file = await lastPasswordFile();
    assert.ok(
      file.path !== "" && !existsSync(file.path),
      "restic ran and its password file is gone",
    );
  });

  test("passwords restic would trim, and ids that are not hex, are refused before restic runs", async () => {
    for (const bad of ["", " padded", "trailing\n"]) {
      const err = await restic()
        .keyAdd(repoWith(NEW_PASSWORD), bad)
        .catch((e: unknown) => e);
      assert.ok(err instanceof ResticError, String(err));
      assert.equal(err.exitCode, undefined, "restic did not run");
    }
    const err = await restic()
      .keyRemove(repoWith(NEW_PASSWORD), "--help")
      .catch((e: unknown) => e);
    assert.ok(err instanceof ResticError, String(err));
    assert.match(err.message, /not a restic key id/);
    assert.equal((await restic().keyList(repoWith(NEW_PASSWORD))).length, 1);
  });
});
