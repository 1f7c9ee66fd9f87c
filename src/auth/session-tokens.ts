/**
 * Session tokens for the web UI and Login callers: `rws_<payload>.<mac>`, an HMAC-signed
 * user name and expiry. A token also carries a fingerprint of the user's stored password
 * hash, so changing the password (or removing the user) ends every session at once.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { User } from "../../gen/v1/config_pb.js";

export const SESSION_PREFIX = "rws_";
/** How long a session lasts. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

interface Payload {
  /** user name */
  u: string;
  /** expiry, Unix ms */
  e: number;
  /** fingerprint of the stored password hash */
  f: string;
}

export interface SessionTokens {
  issue(user: User): { token: string; expiresMs: number };
  /** The user the token belongs to, or why it is refused. */
  verify(
    token: string,
    users: readonly User[],
  ): { ok: true; user: User } | { ok: false; reason: "bad-credentials" | "expired" };
}

/** Creates the signer with the daemon's secret (kept in the data directory). */
export function createSessionTokens(secret: string, now: () => number): SessionTokens {
  const mac = (data: string) => createHmac("sha256", secret).update(data).digest();
  return {
    issue(user) {
      const expiresMs = now() + SESSION_TTL_MS;
      const payload: Payload = { u: user.name, e: expiresMs, f: fingerprint(user) };
      const data = Buffer.from(JSON.stringify(payload)).toString("base64url");
      return { token: `${SESSION_PREFIX}${data}.${mac(data).toString("base64url")}`, expiresMs };
    },
    verify(token, users) {
      if (!token.startsWith(SESSION_PREFIX)) return { ok: false, reason: "bad-credentials" };
      const [data, sig, extra] = token.slice(SESSION_PREFIX.length).split(".");
      if (!data || !sig || extra !== undefined) return { ok: false, reason: "bad-credentials" };
      const given = Buffer.from(sig, "base64url");
      const expected = mac(data);
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        return { ok: false, reason: "bad-credentials" };
      const payload = parse(data);
      if (!payload) return { ok: false, reason: "bad-credentials" };
      const user = users.find((u) => u.name === payload.u);
      if (!user || fingerprint(user) !== payload.f) return { ok: false, reason: "bad-credentials" };
      if (payload.e <= now()) return { ok: false, reason: "expired" };
      return { ok: true, user };
    },
  };
}

function fingerprint(user: User): string {
  const hash = user.password.case === "passwordBcrypt" ? user.password.value : "";
  return createHash("sha256").update(hash).digest("base64url").slice(0, 16);
}

function parse(data: string): Payload | undefined {
  try {
    const p = JSON.parse(Buffer.from(data, "base64url").toString("utf8")) as Partial<Payload>;
    return typeof p.u === "string" && typeof p.e === "number" && typeof p.f === "string"
      ? (p as Payload)
      : undefined;
  } catch {
    return undefined;
  }
}
