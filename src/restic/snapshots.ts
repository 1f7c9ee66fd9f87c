/** `restic snapshots --json` and `restic cat config --json` output. */
import { isJsonObject, type JsonObject, stringArrayField, stringField } from "./json-lines.js";
import type { Snapshot } from "./types.js";

/**
 * The argv for `snapshots --json`, keeping snapshots that carry all of `tags`. restic
 * joins a `--tag` value's comma-separated tags with AND, so a tag containing a comma
 * cannot be asked for.
 */
export function snapshotsArgs(tags: readonly string[] = []): string[] {
  // Listing needs no lock: it must work while a forget or prune holds the exclusive one.
  return [
    "snapshots",
    "--json",
    "--no-lock",
    ...(tags.length > 0 ? [`--tag=${tags.join(",")}`] : []),
  ];
}

/**
 * Parses the JSON array `snapshots --json` prints. Entries without an id are skipped;
 * undefined when the text is not a JSON array at all.
 */
export function parseSnapshots(text: string): Snapshot[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  return value.filter(isJsonObject).filter(hasId).map(toSnapshot);
}

function hasId(obj: JsonObject): boolean {
  return typeof obj.id === "string" && obj.id !== "";
}

/**
 * Maps one snapshot. restic writes time with nanoseconds and the host's offset
 * ("2026-11-22T07:34:00.269384109+01:00"); `unixTimeMs` is that instant in milliseconds.
 */
export function toSnapshot(obj: JsonObject): Snapshot {
  const id = stringField(obj, "id");
  const time = stringField(obj, "time");
  return {
    id,
    shortId: stringField(obj, "short_id") || id.slice(0, 8),
    time,
    unixTimeMs: parseResticTime(time),
    hostname: stringField(obj, "hostname"),
    username: stringField(obj, "username"),
    tree: stringField(obj, "tree"),
    parent: stringField(obj, "parent"),
    paths: stringArrayField(obj, "paths"),
    tags: stringArrayField(obj, "tags"),
  };
}

/** Milliseconds since the epoch for an RFC 3339 time with any number of fraction digits; NaN if invalid. */
export function parseResticTime(time: string): number {
  // Date.parse is only specified for up to 3 fraction digits, so trim the rest first.
  return Date.parse(time.replace(/(\.\d{3})\d+/, "$1"));
}

/** The repository id from `cat config --json` (a pretty-printed object); undefined if absent. */
export function parseRepoId(text: string): string | undefined {
  try {
    const config: unknown = JSON.parse(text);
    const id = isJsonObject(config) ? config.id : undefined;
    return typeof id === "string" && id !== "" ? id : undefined;
  } catch {
    return undefined;
  }
}
