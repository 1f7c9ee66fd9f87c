/**
 * Who is making a request. Handlers read it from the request context; authentication
 * puts it there, so permissions, rate limits and the audit log need nothing from handlers.
 */
import { createContextKey } from "@connectrpc/connect";
import { type Permission, ROLE_PERMISSIONS, type Role } from "./permissions.js";

export type Principal =
  /** A user from the config, authenticated with basic credentials or a session token. */
  | { kind: "user"; name: string; role: Role }
  /** An API key (`Authorization: Bearer rw_...`) with exactly its permissions. */
  | { kind: "key"; id: string; name: string; permissions: ReadonlySet<Permission> }
  /** Authentication is disabled in the config: everything is allowed. */
  | { kind: "anonymous" };

/** Context key holding the authenticated principal of an RPC. */
export const principalKey = createContextKey<Principal | undefined>(undefined, {
  description: "authenticated principal",
});

/** A short label for logs and the audit log, e.g. "user:alice" or "key:k_123". */
export function principalLabel(p: Principal | undefined): string {
  if (!p) return "none";
  if (p.kind === "user") return `user:${p.name}`;
  if (p.kind === "key") return `key:${p.id}`;
  return "anonymous";
}

/** Every permission the principal holds. */
export function permissionsOf(p: Principal): ReadonlySet<Permission> {
  if (p.kind === "user") return ROLE_PERMISSIONS[p.role];
  if (p.kind === "key") return p.permissions;
  return ROLE_PERMISSIONS.admin;
}

/** True when the principal holds the permission. */
export function holds(p: Principal, permission: Permission): boolean {
  return permissionsOf(p).has(permission);
}
