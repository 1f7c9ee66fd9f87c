/**
 * SQLite specifics: a restore loads the dump into a staging file beside the target, checks
 * it, and copies it over the target with SQLite's online backup API. The backup API takes
 * SQLite's locks on the target, so an application that has the file open sees the old or the
 * new database, never a mix; renaming a file over it instead could meet a leftover -wal file
 * of the old database, which SQLite would then apply to the new one.
 */
import { randomBytes } from "node:crypto";
import { existsSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { DatabaseToolError } from "./errors.js";

const COUNT_SQL =
  "SELECT count(*) AS n FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'";

/** Tables and views of a SQLite file; 0 when the file does not exist. */
export function countSqliteTables(path: string): number {
  if (!existsSync(path)) return 0;
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    return (db.prepare(COUNT_SQL).get() as { n: number }).n;
  } catch (error) {
    throw new DatabaseToolError(
      "sqlite",
      undefined,
      "",
      `"${path}" cannot be read as a SQLite database (${error instanceof Error ? error.message : String(error)}); choose another target file`,
    );
  } finally {
    db?.close();
  }
}

/** Copies the database in `from` over `to` (created when missing) in one step of the backup API. */
async function copyDatabase(from: string, to: string): Promise<void> {
  const source = new Database(from, { readonly: true, fileMustExist: true });
  try {
    const check = source.pragma("quick_check", { simple: true });
    if (check !== "ok") {
      throw new DatabaseToolError(
        "sqlite",
        undefined,
        "",
        `the loaded database failed SQLite's quick_check (${String(check)}); "${to}" was not changed`,
      );
    }
    // The first call only sets up; asking for every remaining page at once keeps the
    // target locked for the whole copy, so nobody writes to it half way.
    await source.backup(to, { progress: () => 0x7fffffff });
  } finally {
    source.close();
  }
}

/**
 * Loads a dump into the SQLite file `target`: `loadInto(staging)` runs the sqlite3 shell on a
 * new staging file beside it, which is then checked and copied over the target. The staging
 * file is removed in every case; the target changes only after a complete, checked load.
 */
export async function loadSqlite(
  target: string,
  loadInto: (staging: string) => Promise<void>,
  opts: { onLog?: ((line: string) => void) | undefined; abandon: () => void },
): Promise<void> {
  const folder = dirname(target);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    opts.abandon();
    throw new DatabaseToolError(
      "sqlite",
      undefined,
      "",
      `the folder "${folder}" of the target file does not exist; create it or choose another target`,
    );
  }
  const staging = `${target}.restwell-${randomBytes(6).toString("hex")}.tmp`;
  try {
    await loadInto(staging);
    opts.onLog?.(`copying the loaded database over ${target} with SQLite's online backup`);
    await copyDatabase(staging, target);
  } finally {
    for (const suffix of ["", "-journal", "-wal", "-shm"])
      rmSync(staging + suffix, { force: true });
  }
}
