/** verify() keeps keys it found in memory; every change of a key made through the service drops it. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createApiKeyService, type KeyStore } from "../../src/apikeys/index.js";
import { admin, KEY_STORES } from "./fixtures.js";

/** A store that counts digest lookups and last-used writes. */
function counting(store: KeyStore) {
  const counts = { lookups: 0, touches: 0 };
  const wrapped: KeyStore = {
    ...store,
    findByDigest(digest) {
      counts.lookups++;
      return store.findByDigest(digest);
    },
    touch(id, nowMs) {
      counts.touches++;
      store.touch(id, nowMs);
    },
  };
  return { store: wrapped, counts };
}

for (const [kind, open] of KEY_STORES) {
  describe(`API key cache (${kind} store)`, () => {
    const setup = () => {
      let now = 1_000_000;
      const { store, counts } = counting(open());
      const keys = createApiKeyService(store, () => now);
      const { key, token } = keys.create(
        { name: "ci", permissions: ["plans:read"], expiresMs: 1_000_000 + 3_600_000 },
        admin,
      );
      return { keys, store, counts, key, token, advance: (ms: number) => (now += ms) };
    };

    it("reads a key once, then answers from memory with the same permissions", () => {
      const { keys, counts, key, token } = setup();
      for (let i = 0; i < 5; i++) {
        const check = keys.verify(token);
        assert.ok(check.ok);
        assert.equal(check.principal.id, key.id);
        assert.deepEqual([...check.principal.permissions], ["plans:read"]);
      }
      assert.equal(counts.lookups, 1);
    });

    it("never keeps unknown tokens", () => {
      const { keys, counts, token } = setup();
      const unknown = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
      for (let i = 0; i < 3; i++) assert.equal(keys.verify(unknown).ok, false);
      assert.equal(counts.lookups, 3);
    });

    it("refuses a cached key at once when it is disabled, and accepts it again when enabled", () => {
      const { keys, key, token } = setup();
      assert.ok(keys.verify(token).ok);
      keys.setDisabled(key.id, true);
      assert.deepEqual(keys.verify(token), { ok: false, reason: "disabled" });
      keys.setDisabled(key.id, false);
      assert.ok(keys.verify(token).ok);
    });

    it("refuses a cached key at once when it is deleted", () => {
      const { keys, key, token } = setup();
      assert.ok(keys.verify(token).ok);
      keys.delete(key.id);
      assert.deepEqual(keys.verify(token), { ok: false, reason: "bad-credentials" });
    });

    it("keeps other keys cached when one changes", () => {
      const { keys, counts, key, token } = setup();
      const other = keys.create(
        { name: "other", permissions: ["plans:read"], expiresMs: 0 },
        admin,
      );
      assert.ok(keys.verify(token).ok);
      assert.ok(keys.verify(other.token).ok);
      keys.setDisabled(key.id, true);
      const before = counts.lookups;
      assert.ok(keys.verify(other.token).ok);
      assert.equal(counts.lookups, before);
    });

    it("expires a cached key on time and records its use at most every 10 s", () => {
      const { keys, store, counts, key, token, advance } = setup();
      assert.ok(keys.verify(token).ok);
      assert.ok(keys.verify(token).ok);
      assert.equal(counts.touches, 1);
      advance(10_000);
      assert.ok(keys.verify(token).ok);
      assert.equal(counts.touches, 2);
      assert.equal(store.get(key.id)?.lastUsedMs, 1_010_000);
      advance(3_600_000);
      assert.deepEqual(keys.verify(token), { ok: false, reason: "expired" });
    });
  });
}
