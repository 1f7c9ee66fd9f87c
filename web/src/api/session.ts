/**
 * The signed-in session of this tab: a Login token (or, with a daemon without Login, basic
 * credentials), kept in sessionStorage so it lives as long as the tab and is never put in
 * a URL. Other modules read it through `authorizationHeader` and hear of changes through
 * `onSessionChange`.
 */

/** How this tab authenticates its calls. */
export type Session =
  | { kind: "bearer"; user: string; token: string; expiresAtMs: number }
  | { kind: "basic"; user: string; credentials: string };

const KEY = "restwell.session";
const listeners = new Set<() => void>();
let current: Session | undefined = read();

function read(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return undefined;
    const s = JSON.parse(raw) as Session;
    if (s.kind === "bearer" && s.expiresAtMs > 0 && s.expiresAtMs < Date.now()) return undefined;
    return s;
  } catch {
    return undefined;
  }
}

/** The current session, if this tab is signed in. */
export function getSession(): Session | undefined {
  return current;
}

/** Stores the session for this tab (replacing any other). */
export function setSession(session: Session | undefined): void {
  current = session;
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
  for (const listener of listeners) listener();
}

/** The Authorization header value of the session, or undefined when signed out. */
export function authorizationHeader(session = current): string | undefined {
  if (!session) return undefined;
  if (session.kind === "bearer") return `Bearer ${session.token}`;
  return `Basic ${session.credentials}`;
}

/** Base64 of "user:password" in UTF-8, as HTTP basic authentication sends it. */
export function basicCredentials(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Calls `listener` whenever the session changes; returns the unsubscribe function. */
export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
