/** Snapshot ids from clients, checked before they reach restic as arguments. */
import { ValidationError } from "../../errors.js";
import { required } from "./config.js";

/** restic's ids are 64 hex digits (or a prefix, or "latest"); anything longer is no id. */
const MAX_SNAPSHOT_ID_CHARS = 64;

/** Why `id` cannot be a snapshot id, or undefined when it may be one. */
function problemOf(id: string): string | undefined {
  if (id.length > MAX_SNAPSHOT_ID_CHARS)
    return `is ${id.length} characters long; a snapshot id has at most ${MAX_SNAPSHOT_ID_CHARS}`;
  if (id.includes("\0")) return "must not contain NUL characters";
  return undefined;
}

/** `id`, or a ValidationError naming `field` when it is empty (`what` says what to name) or no id. */
export function snapshotId(id: string, field: string, what: string): string {
  const problem = problemOf(required(id, field, what));
  if (problem) throw new ValidationError([{ path: field, message: problem }]);
  return id;
}

/** `id` when it is empty or may be a snapshot id; a ValidationError naming `field` otherwise. */
export function optionalSnapshotId(id: string, field: string): string {
  return id ? snapshotId(id, field, "a snapshot") : id;
}

/** `ids` (none is fine) when each may be a snapshot id; a ValidationError naming the others. */
export function validSnapshotIds(ids: string[], field = "snapshotIds"): string[] {
  const issues = ids.flatMap((id, i) => {
    const problem = problemOf(id);
    return problem ? [{ path: `${field}[${i}]`, message: problem }] : [];
  });
  if (issues.length > 0) throw new ValidationError(issues);
  return ids;
}

/** At least one id, each of which may be a snapshot id; a ValidationError otherwise. */
export function snapshotIds(ids: string[], field = "snapshotIds"): string[] {
  if (ids.length === 0)
    throw new ValidationError([{ path: field, message: "must name at least one snapshot" }]);
  return validSnapshotIds(ids, field);
}
