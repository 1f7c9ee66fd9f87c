/** Signing of outgoing hook requests (HMAC-SHA256 over the exact body bytes). */
import { createHmac, timingSafeEqual } from "node:crypto";

/** Header carrying `sha256=<hex HMAC-SHA256 of the body>`. */
export const SIGNATURE_HEADER = "X-Restwell-Signature";
/** Header carrying the unix time (seconds) the request was signed at. */
export const TIMESTAMP_HEADER = "X-Restwell-Timestamp";

/** `sha256=<hex>` for `body` under `secret`. */
export function signBody(secret: string, body: Uint8Array): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** The signature and timestamp headers for a request with `body` (empty for GET). */
export function signatureHeaders(
  secret: string,
  body: Uint8Array,
  now: Date = new Date(),
): Record<string, string> {
  return {
    [SIGNATURE_HEADER]: signBody(secret, body),
    [TIMESTAMP_HEADER]: String(Math.floor(now.getTime() / 1000)),
  };
}

/** True when `header` is the signature of `body` under `secret` (constant-time compare). */
export function verifySignature(
  secret: string,
  body: Uint8Array,
  header: string | undefined,
): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(secret, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
