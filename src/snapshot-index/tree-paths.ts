/**
 * Path arithmetic of snapshot trees: absolute, "/"-separated paths as restic prints them.
 */

/** The root folder of every tree. */
export const ROOT = "/";

/**
 * The canonical form of a folder or node path: leading "/", no trailing "/", "" and "/" both
 * mean the root.
 */
export function normalizePath(path: string): string {
  let p = path.startsWith("/") ? path : `/${path}`;
  while (p.length > 1 && p.endsWith("/")) p = p.slice(0, -1);
  return p;
}

/** Splits a normalized path into its parent folder and name; undefined for the root. */
export function splitPath(path: string): { parent: string; name: string } | undefined {
  if (path === ROOT) return undefined;
  const slash = path.lastIndexOf("/");
  return { parent: slash <= 0 ? ROOT : path.slice(0, slash), name: path.slice(slash + 1) };
}

/** The path of a child named `name` of the normalized folder `parent`. */
export function joinPath(parent: string, name: string): string {
  return parent === ROOT ? `/${name}` : `${parent}/${name}`;
}

/**
 * The half-open range [low, high) of paths strictly below the normalized folder `path`, in
 * SQLite's BINARY order: "0" is the character right after "/", so "/a/" <= p < "/a0" holds
 * exactly for paths under "/a" (and not for siblings like "/a.txt" or "/a-b").
 */
export function descendantRange(path: string): { low: string; high: string } {
  return path === ROOT ? { low: "/", high: "0" } : { low: `${path}/`, high: `${path}0` };
}
