/**
 * Signing in: Login for a session token; a daemon that has no Login yet gets HTTP basic
 * credentials instead, checked with a call that needs them. Either way the result is kept
 * only in this tab's sessionStorage.
 */
import { Code } from "@connectrpc/connect";
import { authentication, backrest } from "./clients";
import { errorCode } from "./errors";
import { basicCredentials, type Session, setSession } from "./session";

/** Signs in; resolves once the session is stored, rejects with the daemon's error. */
export async function signIn(username: string, password: string): Promise<void> {
  let session: Session;
  try {
    const res = await authentication.login({ username, password });
    session = {
      kind: "bearer",
      user: username,
      token: res.token,
      expiresAtMs: Number(res.expiresAtMs),
    };
  } catch (err) {
    if (errorCode(err) !== Code.Unimplemented) throw err;
    session = { kind: "basic", user: username, credentials: basicCredentials(username, password) };
    // Throws Unauthenticated for wrong credentials.
    await backrest.getConfig({}, { headers: { Authorization: `Basic ${session.credentials}` } });
  }
  setSession(session);
}

/** Signs out of this tab. */
export function signOut(): void {
  setSession(undefined);
}
