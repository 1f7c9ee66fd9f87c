/**
 * A coarse, secret-free description of a config change for the audit log: which repos, plans
 * and users were added, removed or changed (by id or name), and which other fields changed
 * (by name). Never a value: values can be passwords, hashes or webhook tokens.
 */
import { type DescMessage, equals, type MessageShape, toJson } from "@bufbuild/protobuf";
import {
  AuthSchema,
  type Config,
  ConfigSchema,
  PlanSchema,
  RepoSchema,
  SettingsSchema,
  UserSchema,
} from "../../gen/v1/config_pb.js";

/** Describes `after` against `before`, e.g. "repos: +r2 ~r1; users: -bob; settings: paused". */
export function describeConfigChanges(before: Config, after: Config): string {
  const parts = [
    listChanges("repos", RepoSchema, before.repos, after.repos, (r) => r.id),
    listChanges("plans", PlanSchema, before.plans, after.plans, (p) => p.id),
    listChanges(
      "users",
      UserSchema,
      before.auth?.users ?? [],
      after.auth?.users ?? [],
      (u) => u.name,
    ),
    fieldChanges("auth", AuthSchema, before.auth, after.auth, ["users"]),
    fieldChanges("settings", SettingsSchema, before.settings, after.settings, []),
    fieldChanges("config", ConfigSchema, before, after, [
      "modno",
      "version",
      "repos",
      "plans",
      "auth",
      "settings",
    ]),
  ].filter((p) => p !== "");
  return parts.length ? parts.join("; ") : "no changes";
}

/** "+added ~changed -removed" of a keyed list, or "" when nothing changed. */
function listChanges<D extends DescMessage>(
  name: string,
  schema: D,
  before: MessageShape<D>[],
  after: MessageShape<D>[],
  key: (item: MessageShape<D>) => string,
): string {
  const old = new Map(before.map((item) => [key(item), item]));
  const now = new Set(after.map(key));
  const changes: string[] = [];
  for (const item of after) {
    const previous = old.get(key(item));
    if (!previous) changes.push(`+${key(item)}`);
    else if (!equals(schema, previous, item)) changes.push(`~${key(item)}`);
  }
  for (const id of old.keys()) if (!now.has(id)) changes.push(`-${id}`);
  return changes.length ? `${name}: ${changes.join(" ")}` : "";
}

/** The names of the fields (as in the JSON config) whose values differ, or "". */
function fieldChanges<D extends DescMessage>(
  name: string,
  schema: D,
  before: MessageShape<D> | undefined,
  after: MessageShape<D> | undefined,
  skip: string[],
): string {
  const json = (m: MessageShape<D> | undefined) =>
    (m ? toJson(schema, m) : {}) as Record<string, unknown>;
  const a = json(before);
  const b = json(after);
  const changed = schema.fields
    .map((f) => f.jsonName)
    .filter((field) => !skip.includes(field))
    .filter((field) => JSON.stringify(a[field]) !== JSON.stringify(b[field]));
  return changed.length ? `${name}: ${changed.join(" ")}` : "";
}
