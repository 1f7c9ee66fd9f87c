/**
 * Short-lived signed links: a payload and an expiry, signed with HMAC-SHA256 under a key
 * that never leaves the process. A link cannot be altered (any change breaks the signature)
 * and stops working when it expires or the daemon restarts.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export interface LinkSigner {
  /** Returns an opaque URL-safe token for `payload`, valid for `ttlMs`. */
  sign(payload: object, ttlMs: number): string;
  /** The payload of a valid, unexpired token; undefined otherwise. */
  verify(token: string): unknown;
}

export function createLinkSigner(
  now: () => number = Date.now,
  key: Buffer = randomBytes(32),
): LinkSigner {
  const mac = (data: string) => createHmac("sha256", key).update(data).digest();
  return {
    sign(payload, ttlMs) {
      const body = Buffer.from(JSON.stringify({ p: payload, e: now() + ttlMs })).toString(
        "base64url",
      );
      return `${body}.${mac(body).toString("base64url")}`;
    },
    verify(token) {
      const [body, sig, extra] = token.split(".");
      if (!body || !sig || extra !== undefined) return undefined;
      const given = Buffer.from(sig, "base64url");
      const expected = mac(body);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      try {
        const { p, e } = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as {
          p: unknown;
          e: number;
        };
        return typeof e === "number" && e > now() ? p : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
