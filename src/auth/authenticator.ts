/**
 * Turns an Authorization header into a principal: HTTP basic credentials of a config user,
 * `Bearer rw_…` API keys, or `Bearer rws_…` session tokens from Login.
 *
 * bcrypt is deliberately slow, so successful basic checks are cached: the key is a SHA-256 of
 * a random per-process secret and the credentials (the cache never holds a password or
 * anything that could be brute-forced offline without that key), and each entry remembers
 * the stored hash it was checked against, so a changed password or removed user misses at once.
 * Checks of the same credentials against the same hash that overlap run bcrypt once.
 */
import { hash, randomBytes } from "node:crypto";
import basicAuth from "basic-auth";
import type { Auth, User } from "../../gen/v1/config_pb.js";
import type { KeyCheck } from "../apikeys/key-service.js";
import { verifyPassword } from "./password.js";
import { roleOf } from "./permissions.js";
import type { Principal } from "./principal.js";
import type { SessionTokens } from "./session-tokens.js";

const MAX_CACHE_ENTRIES = 1_000;

export type AuthFailure =
  /** No credentials were sent. */
  | "missing-credentials"
  /** Unknown user, wrong password, unknown or malformed token. */
  | "bad-credentials"
  /** A key or session past its expiry. */
  | "expired"
  /** A disabled key. */
  | "disabled";

export type AuthResult =
  | { ok: true; principal: Principal }
  | { ok: false; reason: AuthFailure; user?: string };

export interface Authenticator {
  /** Authenticates a request from its Authorization header value. */
  authenticate(authorization: string | null | undefined): Promise<AuthResult>;
  /** Checks a user's name and password (Login); the user when they match. */
  checkPassword(name: string, password: string): Promise<User | undefined>;
  /** Drops every cached verification (call when users change). */
  clearCache(): void;
}

export interface AuthenticatorDeps {
  /** The current auth config, read on every call. */
  getAuth: () => Auth | undefined;
  /** Checks API key tokens. */
  verifyKey: (token: string) => KeyCheck;
  sessions: SessionTokens;
  /** Checks a password against a stored hash; default bcrypt (src/auth/password.ts). */
  verifyPassword?: (password: string, passwordBcrypt: string) => Promise<boolean>;
}

/** Creates the authenticator. */
export function createAuthenticator(deps: AuthenticatorDeps): Authenticator {
  // Cache keys are hashes of a per-process secret and the credentials (the name's length
  // first, so no two name/password pairs give the same input): never the credentials.
  const secret = randomBytes(32).toString("base64");
  const verified = new Map<string, { name: string; passwordBcrypt: string }>();
  const digest = (name: string, pass: string) =>
    hash("sha256", `${secret}${name.length}:${name}\0${pass}`, "base64");

  // Checks running now, by credentials digest and stored hash: concurrent first requests of
  // one client (a browser opening several connections) share one bcrypt run, and so do
  // concurrent guesses of the same wrong password.
  const verify = deps.verifyPassword ?? verifyPassword;
  const inFlight = new Map<string, Promise<boolean>>();
  const verifyOnce = (key: string, pass: string, stored: string): Promise<boolean> => {
    const flightKey = `${key}\0${stored}`;
    let check = inFlight.get(flightKey);
    if (check === undefined) {
      check = verify(pass, stored).finally(() => inFlight.delete(flightKey));
      inFlight.set(flightKey, check);
    }
    return check;
  };

  async function checkPassword(name: string, pass: string): Promise<User | undefined> {
    const user = deps.getAuth()?.users.find((u) => u.name === name);
    const stored = user?.password.case === "passwordBcrypt" ? user.password.value : undefined;
    if (!user || !stored) return undefined;
    const key = digest(name, pass);
    const hit = verified.get(key);
    if (hit && hit.name === user.name && hit.passwordBcrypt === stored) return user;
    if (!(await verifyOnce(key, pass, stored))) return undefined;
    if (verified.size >= MAX_CACHE_ENTRIES) verified.clear();
    verified.set(key, { name: user.name, passwordBcrypt: stored });
    return user;
  }

  const asPrincipal = (user: User): Principal => ({
    kind: "user",
    name: user.name,
    role: roleOf(user.role),
  });

  return {
    async authenticate(authorization) {
      const auth = deps.getAuth();
      const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "")?.[1];
      // A key keeps its own permissions even when authentication is disabled.
      if (bearer?.startsWith("rw_")) {
        const check = deps.verifyKey(bearer);
        return check.ok ? check : { ok: false, reason: check.reason };
      }
      if (auth?.disabled) return { ok: true, principal: { kind: "anonymous" } };
      if (bearer) {
        const session = deps.sessions.verify(bearer, auth?.users ?? []);
        return session.ok
          ? { ok: true, principal: asPrincipal(session.user) }
          : { ok: false, reason: session.reason };
      }
      const creds = authorization ? basicAuth.parse(authorization) : undefined;
      if (!creds) return { ok: false, reason: "missing-credentials" };
      const user = await checkPassword(creds.name, creds.pass);
      return user
        ? { ok: true, principal: asPrincipal(user) }
        : { ok: false, reason: "bad-credentials", user: creds.name };
    },
    checkPassword,
    clearCache() {
      verified.clear();
    },
  };
}
