/**
 * A plan's database sources as the orchestrator uses them: their file name in snapshots,
 * their snapshot tag, and the connection the database tools get (with the password read
 * from its file at each run).
 */
import { readFile } from "node:fs/promises";
import { type DatabaseSource, DatabaseSource_Kind, type Plan } from "../../gen/v1/config_pb.js";
import type { DatabaseConnection, DatabaseKind } from "../databases/types.js";
import { NotFoundError } from "../errors.js";

/** A database source cannot be used as configured (e.g. its password file is unreadable). */
export class DatabaseSourceError extends Error {
  override name = "DatabaseSourceError";
}

const KINDS: Partial<Record<DatabaseSource_Kind, DatabaseKind>> = {
  [DatabaseSource_Kind.POSTGRESQL]: "postgresql",
  [DatabaseSource_Kind.MYSQL]: "mysql",
  [DatabaseSource_Kind.SQLITE]: "sqlite",
};

/** The tools' name for a source's kind; DatabaseSourceError for an unset kind. */
export function databaseKind(source: DatabaseSource): DatabaseKind {
  const kind = KINDS[source.kind];
  if (!kind)
    throw new DatabaseSourceError(
      `database source "${source.name}" has no kind; set it to KIND_POSTGRESQL, KIND_MYSQL or KIND_SQLITE`,
    );
  return kind;
}

/**
 * The dump's file name in the snapshot: `filename`, else `<name>.sql`. Every kind is dumped as
 * SQL text, SQLite included (see src/databases/commands.ts), hence `.sql` for all.
 */
export function databaseFilename(source: DatabaseSource): string {
  return source.filename || `${source.name}.sql`;
}

/** The stream source of a database's snapshots, for sourceBackupTags / sourceOfTags. */
export function databaseSourceTag(name: string): string {
  return `db:${name}`;
}

/** The plan's database source named `name`; NotFoundError otherwise. */
export function findDatabaseSource(plan: Plan, name: string): DatabaseSource {
  const source = plan.databases.find((d) => d.name === name);
  if (!source) throw new NotFoundError("database source", `${name}" of plan "${plan.id}`);
  return source;
}

/** The source's password: `password`, else the first line of `passwordFile`, else "". */
async function passwordOf(source: DatabaseSource): Promise<string> {
  if (source.password || !source.passwordFile) return source.password;
  try {
    const text = await readFile(source.passwordFile, "utf8");
    return text.split(/\r?\n/, 1)[0] ?? "";
  } catch (error) {
    const code = (error as { code?: string }).code ?? String(error);
    throw new DatabaseSourceError(
      `cannot read the password file "${source.passwordFile}" of database source "${source.name}" (${code}); check the path and that the daemon's user may read it`,
    );
  }
}

/**
 * The connection the tools get for `source`, into `database` (default: the source's own).
 * Reads the password file now, so a changed password applies at the next run.
 */
export async function connectionOf(
  source: DatabaseSource,
  database = source.database,
): Promise<DatabaseConnection> {
  return {
    kind: databaseKind(source),
    database,
    host: source.host,
    port: source.port,
    user: source.user,
    password: await passwordOf(source),
    dumpFlags: source.dumpFlags,
  };
}
