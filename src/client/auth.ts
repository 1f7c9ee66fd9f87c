/** Credentials of a Restwell client and the Authorization header they become. */

/**
 * How a client authenticates: an API key (`rw_…`) or session token as a bearer token, or a
 * user's name and password (HTTP Basic). Undefined sends no credentials.
 */
export type RestwellAuth = { token: string } | { user: string; password: string } | undefined;

/** The Authorization header value for `auth`, or undefined when there are no credentials. */
export function authorizationHeader(auth: RestwellAuth): string | undefined {
  if (!auth) return undefined;
  if ("token" in auth) return `Bearer ${auth.token}`;
  return `Basic ${base64(`${auth.user}:${auth.password}`)}`;
}

/** Base64 of the UTF-8 bytes of `text` (btoa alone only takes Latin-1). */
function base64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
