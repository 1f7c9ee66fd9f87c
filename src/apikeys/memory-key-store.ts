/** An in-memory KeyStore for unit tests of key logic. */
import type { ApiKeyRecord, KeyStore } from "./types.js";

export function createMemoryKeyStore(): KeyStore {
  const keys = new Map<string, { key: ApiKeyRecord; digest: string }>();
  return {
    insert(key, digest) {
      keys.set(key.id, {
        key: { ...key, lastUsedMs: 0, disabled: false },
        digest: digest.toString("hex"),
      });
    },
    findByDigest(digest) {
      const hex = digest.toString("hex");
      const hit = [...keys.values()].find((k) => k.digest === hex);
      return hit && { ...hit.key };
    },
    get: (id) => {
      const hit = keys.get(id);
      return hit && { ...hit.key };
    },
    list: () =>
      [...keys.values()].map((k) => ({ ...k.key })).sort((a, b) => b.createdMs - a.createdMs),
    setDisabled(id, disabled) {
      const hit = keys.get(id);
      if (hit) hit.key.disabled = disabled;
      return hit !== undefined;
    },
    touch(id, nowMs) {
      const hit = keys.get(id);
      if (hit && hit.key.lastUsedMs < nowMs) hit.key.lastUsedMs = nowMs;
    },
    delete: (id) => keys.delete(id),
    close() {},
  };
}
