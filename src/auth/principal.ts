/**
 * Who is making a request. Handlers read it from the request context; authentication
 * puts it there, so scoped API keys and rate limits plug in without touching handlers.
 */
import { createContextKey } from "@connectrpc/connect";

export type Principal =
  /** A user from the config, authenticated with HTTP basic credentials. */
  | { kind: "user"; name: string }
  /** Authentication is disabled in the config. */
  | { kind: "anonymous" };

/** Context key holding the authenticated principal of an RPC. */
export const principalKey = createContextKey<Principal | undefined>(undefined, {
  description: "authenticated principal",
});

/** A short label for logs, e.g. "user:alice". */
export function principalLabel(p: Principal | undefined): string {
  if (!p) return "none";
  return p.kind === "user" ? `user:${p.name}` : "anonymous";
}
