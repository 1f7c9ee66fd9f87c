/**
 * Who this tab is signed in as and what it may do (WhoAmI). Views hide what the principal
 * may not do; the daemon enforces it regardless. A daemon without WhoAmI grants everything.
 */
import { useSyncExternalStore } from "react";
import { authentication } from "./clients";

/** The signed-in principal. */
export interface Principal {
  kind: string;
  name: string;
  role: string;
  permissions: ReadonlySet<string>;
  /** False when the daemon could not say (older daemon): every action is shown. */
  known: boolean;
}

let principal: Principal | undefined;
const listeners = new Set<() => void>();

/** Asks the daemon who this tab is. */
export async function loadPrincipal(): Promise<Principal> {
  try {
    const me = await authentication.whoAmI({});
    principal = {
      kind: me.kind,
      name: me.name,
      role: me.role,
      permissions: new Set(me.permissions),
      known: true,
    };
  } catch {
    principal = { kind: "", name: "", role: "", permissions: new Set(), known: false };
  }
  for (const listener of listeners) listener();
  return principal;
}

/** Forgets the principal (on sign-out). */
export function clearPrincipal(): void {
  principal = undefined;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The principal (undefined until loaded). */
export function usePrincipal(): Principal | undefined {
  return useSyncExternalStore(subscribe, () => principal);
}

/** True when the principal holds `permission` (or the daemon could not say). */
export function useCan(permission: string): boolean {
  const p = usePrincipal();
  return !p?.known || p.permissions.has(permission);
}
