/** API key logic against both stores: validation, no escalation, verify, expiry, disabling. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createApiKeyService, openSqliteKeyStore } from "../../src/apikeys/index.js";
import { ROLE_PERMISSIONS } from "../../src/auth/permissions.js";
import type { Principal } from "../../src/auth/principal.js";
import { tempDir } from "../helpers/temp.js";
import { admin, KEY_STORES } from "./fixtures.js";

for (const [kind, open] of KEY_STORES) {
  describe(`API keys (${kind} store)`, () => {
    const setup = () => {
      let now = 1_000_000;
      const store = open();
      const keys = createApiKeyService(store, () => now);
      return { keys, store, advance: (ms: number) => (now += ms), now: () => now };
    };

    it("creates a key shown once, stored without its token, usable with exactly its permissions", () => {
      const { keys } = setup();
      const { key, token } = keys.create(
        { name: "ci", permissions: ["plans:run", "operations:read", "plans:run"], expiresMs: 0 },
        admin,
      );
      assert.match(token, /^rw_[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(key.permissions, ["plans:run", "operations:read"]);
      assert.equal(key.createdBy, "user:alice");
      assert.ok(token.startsWith(key.tokenHint));
      assert.ok(!JSON.stringify(keys.list()).includes(token.slice(10)), "token not listed");
      const check = keys.verify(token);
      assert.ok(check.ok);
      assert.equal(check.principal.id, key.id);
      assert.deepEqual([...check.principal.permissions].sort(), ["operations:read", "plans:run"]);
    });

    it("refuses unknown, malformed, disabled, expired and deleted tokens", () => {
      const { keys, advance } = setup();
      const { key, token } = keys.create(
        { name: "short", permissions: ["plans:read"], expiresMs: 1_000_000 + 60_000 },
        admin,
      );
      assert.deepEqual(keys.verify(`${token.slice(0, -1)}x`), {
        ok: false,
        reason: "bad-credentials",
      });
      assert.deepEqual(keys.verify("rw_short"), { ok: false, reason: "bad-credentials" });
      keys.setDisabled(key.id, true);
      assert.deepEqual(keys.verify(token), { ok: false, reason: "disabled" });
      assert.equal(keys.setDisabled(key.id, false).disabled, false);
      assert.ok(keys.verify(token).ok);
      advance(60_000);
      assert.deepEqual(keys.verify(token), { ok: false, reason: "expired" });
      keys.delete(key.id);
      assert.deepEqual(keys.verify(token), { ok: false, reason: "bad-credentials" });
      assert.throws(() => keys.delete(key.id), { name: "NotFoundError" });
      assert.throws(() => keys.setDisabled(key.id, true), { name: "NotFoundError" });
    });

    it("records the last use, at most every ten seconds", () => {
      const { keys, advance, now } = setup();
      const { key, token } = keys.create(
        { name: "k", permissions: ["plans:read"], expiresMs: 0 },
        admin,
      );
      assert.equal(keys.list()[0]?.lastUsedMs, 0);
      keys.verify(token);
      const first = now();
      assert.equal(keys.list().find((k) => k.id === key.id)?.lastUsedMs, first);
      advance(5_000);
      keys.verify(token);
      assert.equal(keys.list()[0]?.lastUsedMs, first);
      advance(5_000);
      keys.verify(token);
      assert.equal(keys.list()[0]?.lastUsedMs, now());
    });

    it("never grants more than the creator holds", () => {
      const { keys } = setup();
      const manager = keys.create(
        { name: "manager", permissions: ["keys:manage", "plans:read"], expiresMs: 0 },
        admin,
      );
      const check = keys.verify(manager.token);
      assert.ok(check.ok);
      assert.throws(
        () =>
          keys.create({ name: "x", permissions: ["config:write"], expiresMs: 0 }, check.principal),
        { name: "PermissionDeniedError", message: /config:write/ },
      );
      assert.ok(
        keys.create({ name: "y", permissions: ["plans:read"], expiresMs: 0 }, check.principal),
      );
      const operator: Principal = { kind: "user", name: "op", role: "operator" };
      assert.ok(!ROLE_PERMISSIONS.operator.has("repos:write"));
      assert.throws(
        () => keys.create({ name: "z", permissions: ["repos:write"], expiresMs: 0 }, operator),
        { name: "PermissionDeniedError" },
      );
    });

    it("reports every problem of a bad request at once", () => {
      const { keys } = setup();
      assert.throws(
        () => keys.create({ name: " ", permissions: ["plans:fly"], expiresMs: 5 }, admin),
        (err: Error & { issues?: { path: string }[] }) => {
          assert.equal(err.name, "ValidationError");
          assert.deepEqual(
            err.issues?.map((i) => i.path),
            ["name", "permissions[0]", "expiresAtMs"],
          );
          return true;
        },
      );
      assert.throws(() => keys.create({ name: "n", permissions: [], expiresMs: 0 }, admin), {
        name: "ValidationError",
        message: /at least one permission/,
      });
    });
  });
}

describe("sqlite key store", () => {
  it("keeps keys across reopening and stores only the token's digest", async () => {
    const path = join(tempDir(), "keys.sqlite");
    const store = openSqliteKeyStore(path);
    const keys = createApiKeyService(store, () => 1);
    const { token } = keys.create(
      { name: "persist", permissions: ["plans:run"], expiresMs: 0 },
      admin,
    );
    store.close();
    const { readFileSync } = await import("node:fs");
    const raw =
      readFileSync(path).toString("latin1") +
      readFileSync(`${path}-wal`, { flag: "a+" }).toString("latin1");
    assert.ok(!raw.includes(token.slice(3)), "the token is not in the database file");
    const reopened = openSqliteKeyStore(path);
    assert.ok(createApiKeyService(reopened, () => 2).verify(token).ok);
    reopened.close();
  });
});
