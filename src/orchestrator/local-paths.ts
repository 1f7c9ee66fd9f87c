/**
 * Listing the daemon's own file system, for path autocomplete in the UI: the entries of the
 * folder a partial path points into, matching what was typed after its last "/".
 */
import { readdir } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize } from "node:path";
import { ValidationError } from "../errors.js";

/** Most entries returned for one prefix. */
export const MAX_LOCAL_PATHS = 500;

/** One entry of a local folder. */
export interface LocalPath {
  path: string;
  isDir: boolean;
}

/**
 * The entries of the folder `prefix` points into: "/home/" lists /home, "/home/me/Do" lists
 * /home/me filtered to names starting with "Do". Folders first, then by name; at most
 * MAX_LOCAL_PATHS. A folder that cannot be read yields no entries.
 */
export async function listLocalPaths(
  prefix: string,
  opts: { dirsOnly?: boolean } = {},
): Promise<{ dir: string; entries: LocalPath[]; truncated: boolean }> {
  const given = prefix.trim() || "/";
  if (!isAbsolute(given) || given.includes("\0"))
    throw new ValidationError([
      { path: "prefix", message: "must be an absolute path, e.g. /home" },
    ]);
  const endsWithSlash = given.endsWith("/");
  const normalized = normalize(given);
  const dir = endsWithSlash ? normalized.replace(/\/+$/, "") || "/" : dirname(normalized);
  const start = endsWithSlash ? "" : normalized.slice(dir === "/" ? 1 : dir.length + 1);
  let names: { name: string; isDir: boolean }[];
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    names = entries.map((e) => ({ name: e.name, isDir: e.isDirectory() }));
  } catch {
    return { dir, entries: [], truncated: false };
  }
  const matching = names
    .filter((e) => e.name.startsWith(start) && (!opts.dirsOnly || e.isDir))
    .sort((a, b) => Number(b.isDir) - Number(a.isDir) || a.name.localeCompare(b.name));
  return {
    dir,
    entries: matching
      .slice(0, MAX_LOCAL_PATHS)
      .map((e) => ({ path: join(dir, e.name), isDir: e.isDir })),
    truncated: matching.length > MAX_LOCAL_PATHS,
  };
}
