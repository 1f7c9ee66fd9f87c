/** Checks of paths that come from clients: snapshot paths and restore targets. */
import { existsSync, readdirSync, statSync } from "node:fs";
import { posix } from "node:path";
import { ValidationError } from "../errors.js";

/**
 * A path inside a snapshot: absolute, at most 4096 characters, no "." or ".." segments, no
 * NUL. "" and "/" mean the root. Returns the normalized path (no trailing slash except the
 * root).
 */
export function snapshotPath(path: string, field: string): string {
  if (path === "" || path === "/") return "/";
  const problem = pathProblem(path);
  if (problem) throw new ValidationError([{ path: field, message: problem }]);
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

/** Linux's PATH_MAX: no longer path names a file (and a far longer one cannot be an argument). */
const MAX_PATH_CHARS = 4096;

function pathProblem(path: string): string | undefined {
  if (path.length > MAX_PATH_CHARS)
    return `is ${path.length} characters long; a path has at most ${MAX_PATH_CHARS}`;
  if (path.includes("\0")) return "must not contain NUL characters";
  if (!path.startsWith("/")) return `must be an absolute path (starting with "/"), got "${path}"`;
  if (path.split("/").some((seg) => seg === ".." || seg === ".")) {
    return `must not contain "." or ".." segments, got "${path}"`;
  }
  return undefined;
}

/**
 * A restore target on this machine: absolute, normalized, and either missing or an empty
 * folder. Throws ValidationError saying what to change otherwise.
 */
export function restoreTarget(target: string, field = "target"): string {
  const problem = pathProblem(target);
  if (problem) throw new ValidationError([{ path: field, message: problem }]);
  const normalized = posix.normalize(target);
  if (!existsSync(normalized)) return normalized;
  if (!statSync(normalized).isDirectory()) {
    throw new ValidationError([
      {
        path: field,
        message: `"${normalized}" exists and is not a folder; choose a new or empty folder`,
      },
    ]);
  }
  if (readdirSync(normalized).length > 0) {
    throw new ValidationError([
      {
        path: field,
        message: `"${normalized}" exists and is not empty; choose a new or empty folder`,
      },
    ]);
  }
  return normalized;
}
