/**
 * API key tokens: `rw_` followed by 43 base64url characters (32 random bytes). Only a
 * SHA-256 digest is stored; the token is high-entropy, so a slow hash adds nothing.
 */
import { hash, randomBytes } from "node:crypto";

/** Every API key token starts with this. */
export const TOKEN_PREFIX = "rw_";

/** A new random token. */
export function newToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
}

/** True when `value` looks like an API key token (prefix and length), before any lookup. */
export function looksLikeToken(value: string): boolean {
  return value.startsWith(TOKEN_PREFIX) && /^rw_[A-Za-z0-9_-]{43}$/.test(value);
}

/** The stored digest of a token. */
export function tokenDigest(token: string): Buffer {
  return hash("sha256", token, "buffer");
}

/** The first characters shown to recognise a key, e.g. "rw_3fK9a1". */
export function tokenHint(token: string): string {
  return token.slice(0, TOKEN_PREFIX.length + 6);
}

/** A new key id, e.g. "k_5f2c9a1e7b3d". */
export function newKeyId(): string {
  return `k_${randomBytes(6).toString("hex")}`;
}
