/**
 * Domain errors shared by every layer below the API edge. Only src/api/errors.ts
 * turns them into Connect codes.
 */
import { dirname } from "node:path";

/** A named thing (plan, repo, operation) does not exist. */
export class NotFoundError extends Error {
  override name = "NotFoundError";
  constructor(
    readonly kind: string,
    readonly id: string,
  ) {
    // The id may be a client's input of any length: the message quotes its start only.
    super(`${kind} "${id.length > 200 ? `${id.slice(0, 200)}…` : id}" does not exist`);
  }
}

/** The caller's view is stale (e.g. a config modno that is no longer current). */
export class ConflictError extends Error {
  override name = "ConflictError";
}

/** One problem found while validating input, with the path of the offending field. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** Input was rejected; `issues` lists every problem at once. */
export class ValidationError extends Error {
  override name = "ValidationError";
  constructor(
    readonly issues: ValidationIssue[],
    summary = "invalid input",
  ) {
    super(
      `${summary}: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ")}`,
    );
  }
}

/** The request is valid but cannot run now (e.g. the daemon is shutting down). */
export class UnavailableError extends Error {
  override name = "UnavailableError";
}

/** The caller is known but may not do this (role, key permissions, or a re-entered password). */
export class PermissionDeniedError extends Error {
  override name = "PermissionDeniedError";
}

/** Credentials were given but do not match (e.g. a failed Login). */
export class UnauthenticatedError extends Error {
  override name = "UnauthenticatedError";
}

/**
 * What to tell a user whose request or operation failed because a disk is full (ENOSPC, a
 * quota, SQLite's SQLITE_FULL); undefined for any other error.
 */
export function diskFullMessage(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const { code, path } = err as { code?: unknown; path?: unknown };
  if (code === "ENOSPC" || code === "EDQUOT") {
    const where = typeof path === "string" ? ` holding ${dirname(path)}` : "";
    return `no space left on the disk${where}; free space there and retry`;
  }
  if (code === "SQLITE_FULL")
    return "the disk holding the daemon's data directory is full; free space there and retry";
  return undefined;
}
