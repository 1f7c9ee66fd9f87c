/** Checks of a plan's database sources (see validate.ts, which reports every problem at once). */
import { isAbsolute } from "node:path";
import { type DatabaseSource, DatabaseSource_Kind, type Plan } from "../../gen/v1/config_pb.js";
import type { ValidationIssue } from "../errors.js";
import { ID_PATTERN } from "./ids.js";

/** A file name for the dump in a snapshot: one path segment, no "." or "..", no NUL. */
function filenameProblem(name: string): string | undefined {
  if (name === "") return undefined;
  if (name.includes("/") || name.includes("\0"))
    return `"${name.replaceAll("\0", "\\0")}" must be a plain file name, without "/" or NUL`;
  if (name === "." || name === "..") return `"${name}" is not a file name`;
  if (name.startsWith("-")) return `"${name}" must not start with "-"`;
  return undefined;
}

function sourceIssues(source: DatabaseSource, path: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (field: string, message: string) =>
    issues.push({ path: `${path}.${field}`, message });
  if (source.name === "")
    add("name", "database source has no name; set it to letters, digits, _ . or -");
  else if (!ID_PATTERN.test(source.name))
    add(
      "name",
      `database source name "${source.name}" may only contain letters, digits, _ . and -`,
    );
  const kind = source.kind;
  if (
    !Object.values(DatabaseSource_Kind).includes(kind) ||
    kind === DatabaseSource_Kind.UNSPECIFIED
  )
    add("kind", "set the kind to KIND_POSTGRESQL, KIND_MYSQL or KIND_SQLITE");
  if (source.database.includes("\0") || source.database.includes("\n"))
    add("database", "must not contain NUL or newline characters");
  else if (source.database === "")
    add(
      "database",
      kind === DatabaseSource_Kind.SQLITE
        ? "set the absolute path of the SQLite database file"
        : "set the name of the database to dump",
    );
  else if (kind === DatabaseSource_Kind.SQLITE && !isAbsolute(source.database))
    add("database", `"${source.database}" must be the absolute path of the SQLite database file`);
  if (source.port < 0 || source.port > 65535)
    add("port", `port ${source.port} is out of range; use 1-65535, or 0 for the default`);
  if (source.password !== "" && source.passwordFile !== "")
    add("passwordFile", "set either password or passwordFile, not both");
  if (source.passwordFile !== "" && !isAbsolute(source.passwordFile))
    add("passwordFile", `"${source.passwordFile}" must be an absolute path`);
  for (const [field, value] of [
    ["host", source.host],
    ["user", source.user],
  ] as const) {
    if (value.includes("\0") || value.includes("\n"))
      add(field, "must not contain NUL or newline characters");
  }
  source.dumpFlags.forEach((flag, j) => {
    if (!flag.startsWith("-"))
      issues.push({
        path: `${path}.dumpFlags[${j}]`,
        message: `dump flag "${flag}" must start with "-" (use --name=value for flags with a value)`,
      });
  });
  const problem = filenameProblem(source.filename);
  if (problem) add("filename", problem);
  return issues;
}

/**
 * Problems of a plan's database sources, with paths like `plans[0].databases[1].port`: each
 * needs a unique name, a kind and a database (an absolute file for SQLite), a port in range,
 * a password or a password file (not both), dump flags that are flags, and a plain file name.
 */
export function validateDatabaseSources(plan: Plan, path: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const firstIndex = new Map<string, number>();
  plan.databases.forEach((source, i) => {
    const at = `${path}.databases[${i}]`;
    issues.push(...sourceIssues(source, at));
    const first = firstIndex.get(source.name);
    if (source.name !== "" && first !== undefined)
      issues.push({
        path: `${at}.name`,
        message: `database source name "${source.name}" is already used by ${path}.databases[${first}]; choose a unique name`,
      });
    else if (first === undefined) firstIndex.set(source.name, i);
  });
  return issues;
}
