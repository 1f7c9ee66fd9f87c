/**
 * Checks HTTP basic credentials against the config's users.
 *
 * bcrypt is deliberately slow, so successful checks are cached: the key is an HMAC of the
 * credentials under a random per-process key (the cache never holds a password or anything
 * that could be brute-forced offline without that key), and each entry remembers the
 * stored hash it was checked against, so a changed password or removed user misses at once.
 */
import { createHmac, randomBytes } from "node:crypto";
import basicAuth from "basic-auth";
import type { Auth } from "../../gen/v1/config_pb.js";
import { verifyPassword } from "./password.js";
import type { Principal } from "./principal.js";

const MAX_CACHE_ENTRIES = 1_000;

export type AuthResult =
  | { ok: true; principal: Principal }
  | { ok: false; reason: "missing-credentials" | "bad-credentials" };

export interface Authenticator {
  /** Authenticates a request from its Authorization header value. */
  authenticate(authorization: string | null | undefined): Promise<AuthResult>;
  /** Drops every cached verification (call when users change). */
  clearCache(): void;
}

/** Creates an authenticator reading the current auth config through `getAuth` on every call. */
export function createAuthenticator(getAuth: () => Auth | undefined): Authenticator {
  const cacheKey = randomBytes(32);
  const verified = new Map<string, { name: string; passwordBcrypt: string }>();

  const digest = (name: string, pass: string) =>
    createHmac("sha256", cacheKey).update(name).update("\0").update(pass).digest("base64");

  return {
    async authenticate(authorization) {
      const auth = getAuth();
      if (auth?.disabled) return { ok: true, principal: { kind: "anonymous" } };
      const creds = authorization ? basicAuth.parse(authorization) : undefined;
      if (!creds) return { ok: false, reason: "missing-credentials" };
      const user = auth?.users.find((u) => u.name === creds.name);
      const stored = user?.password.case === "passwordBcrypt" ? user.password.value : undefined;
      if (!user || !stored) return { ok: false, reason: "bad-credentials" };

      const key = digest(creds.name, creds.pass);
      const hit = verified.get(key);
      if (hit && hit.name === user.name && hit.passwordBcrypt === stored) {
        return { ok: true, principal: { kind: "user", name: user.name } };
      }
      if (!(await verifyPassword(creds.pass, stored)))
        return { ok: false, reason: "bad-credentials" };
      if (verified.size >= MAX_CACHE_ENTRIES) verified.clear();
      verified.set(key, { name: user.name, passwordBcrypt: stored });
      return { ok: true, principal: { kind: "user", name: user.name } };
    },
    clearCache() {
      verified.clear();
    },
  };
}
