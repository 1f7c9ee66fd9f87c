/**
 * API keys for scripts: created with an explicit list of permissions (never more than the
 * creator holds), shown once, verified by digest, with expiry, disabling and a last-used time.
 */
import { isPermission, type Permission } from "../auth/permissions.js";
import { holds, type Principal, principalLabel } from "../auth/principal.js";
import { NotFoundError, PermissionDeniedError, ValidationError } from "../errors.js";
import { looksLikeToken, newKeyId, newToken, tokenDigest, tokenHint } from "./token.js";
import type { ApiKeyRecord, KeyStore } from "./types.js";

/** A last-used time is written at most this often per key. */
const TOUCH_INTERVAL_MS = 10_000;
/** Most keys verify() keeps in memory; more are read again. */
const MAX_CACHED_KEYS = 1_000;
const MAX_NAME_LENGTH = 100;

type KeyPrincipal = Extract<Principal, { kind: "key" }>;

export type KeyCheck =
  | { ok: true; principal: KeyPrincipal }
  | { ok: false; reason: "bad-credentials" | "expired" | "disabled" };

export interface ApiKeyService {
  /** Creates a key; returns it with its token (the only time the token is available). */
  create(
    req: { name: string; permissions: string[]; expiresMs: number },
    creator: Principal,
  ): { key: ApiKeyRecord; token: string };
  /** Every key, newest first. */
  list(): ApiKeyRecord[];
  /** Disables or enables a key. NotFoundError for an unknown id. */
  setDisabled(id: string, disabled: boolean): ApiKeyRecord;
  /** Deletes a key. NotFoundError for an unknown id. */
  delete(id: string): void;
  /** Checks a bearer token and records its use. */
  verify(token: string): KeyCheck;
}

export function createApiKeyService(store: KeyStore, now: () => number): ApiKeyService {
  // Keys found by verify, by token digest, so a request with a known key reads no row. Every
  // change of a key goes through this service and drops it here; only found keys are kept
  // (unknown tokens would let anyone fill it).
  const cache = new Map<string, { key: ApiKeyRecord; principal: KeyPrincipal }>();
  const forget = (id: string) => {
    for (const [digest, entry] of cache) if (entry.key.id === id) cache.delete(digest);
  };
  return {
    create(req, creator) {
      const permissions = validateCreate(req, now());
      const missing = permissions.filter((p) => !holds(creator, p));
      if (missing.length > 0) {
        throw new PermissionDeniedError(
          `a key cannot get permissions its creator does not hold (${missing.join(", ")}); ask an admin`,
        );
      }
      const token = newToken();
      const key = {
        id: newKeyId(),
        name: req.name.trim(),
        permissions,
        tokenHint: tokenHint(token),
        createdMs: now(),
        expiresMs: req.expiresMs,
        createdBy: principalLabel(creator),
      };
      store.insert(key, tokenDigest(token));
      return { key: { ...key, lastUsedMs: 0, disabled: false }, token };
    },
    list: () => store.list(),
    setDisabled(id, disabled) {
      forget(id);
      if (!store.setDisabled(id, disabled)) throw new NotFoundError("API key", id);
      return store.get(id) as ApiKeyRecord;
    },
    delete(id) {
      forget(id);
      if (!store.delete(id)) throw new NotFoundError("API key", id);
    },
    verify(token) {
      if (!looksLikeToken(token)) return { ok: false, reason: "bad-credentials" };
      const digest = tokenDigest(token);
      const cacheKey = digest.toString("base64");
      let known = cache.get(cacheKey);
      if (known === undefined) {
        const key = store.findByDigest(digest);
        if (!key) return { ok: false, reason: "bad-credentials" };
        known = { key, principal: principalOf(key) };
        if (cache.size >= MAX_CACHED_KEYS) cache.clear();
        cache.set(cacheKey, known);
      }
      const { key } = known;
      if (key.disabled) return { ok: false, reason: "disabled" };
      const t = now();
      if (key.expiresMs > 0 && key.expiresMs <= t) return { ok: false, reason: "expired" };
      if (t - key.lastUsedMs >= TOUCH_INTERVAL_MS) {
        store.touch(key.id, t);
        key.lastUsedMs = t;
      }
      return { ok: true, principal: known.principal };
    },
  };
}

function principalOf(key: ApiKeyRecord): KeyPrincipal {
  return {
    kind: "key",
    id: key.id,
    name: key.name,
    permissions: new Set(key.permissions.filter(isPermission)),
  };
}

function validateCreate(
  req: { name: string; permissions: string[]; expiresMs: number },
  nowMs: number,
): Permission[] {
  const issues: { path: string; message: string }[] = [];
  const name = req.name.trim();
  if (name === "" || name.length > MAX_NAME_LENGTH)
    issues.push({
      path: "name",
      message: `give the key a name of 1 to ${MAX_NAME_LENGTH} characters`,
    });
  if (req.permissions.length === 0)
    issues.push({ path: "permissions", message: "list at least one permission, e.g. plans:run" });
  req.permissions.forEach((p, i) => {
    if (!isPermission(p))
      issues.push({ path: `permissions[${i}]`, message: `"${p}" is not a permission` });
  });
  if (req.expiresMs < 0 || (req.expiresMs > 0 && req.expiresMs <= nowMs))
    issues.push({
      path: "expiresAtMs",
      message: "must be in the future, or 0 for a key that never expires",
    });
  if (issues.length > 0) throw new ValidationError(issues, "the API key was not created");
  return [...new Set(req.permissions.filter(isPermission))];
}
