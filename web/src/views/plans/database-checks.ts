/** The checks a plan's database sources pass before the form sends them; the daemon checks again. */
import { type DatabaseSource, DatabaseSource_Kind } from "../../../../gen/v1/config_pb";

/** The name pattern of database sources (as of plans and repos). */
const NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

/** Problems of source `index` among `all`, keyed by field ("name", "database", "port"...). */
export function databaseProblems(
  source: DatabaseSource,
  all: readonly DatabaseSource[],
  index: number,
): Map<string, string> {
  const out = new Map<string, string>();
  if (!NAME_PATTERN.test(source.name))
    out.set("name", "Use letters, digits, dots, dashes or underscores.");
  else if (all.findIndex((s) => s.name === source.name) !== index)
    out.set("name", `Another database source is named "${source.name}"; choose another name.`);
  if (source.kind === DatabaseSource_Kind.UNSPECIFIED) out.set("kind", "Choose the kind.");
  const sqlite = source.kind === DatabaseSource_Kind.SQLITE;
  if (!source.database.trim())
    out.set("database", sqlite ? "Enter the SQLite file's path." : "Enter the database's name.");
  else if (sqlite && !source.database.startsWith("/"))
    out.set("database", "Use an absolute path (starting with /).");
  if (!Number.isInteger(source.port) || source.port < 0 || source.port > 65535)
    out.set("port", "Use a port from 1 to 65535, or 0 for the default.");
  if (source.password && source.passwordFile)
    out.set("passwordFile", "Set a password or a password file, not both.");
  else if (source.passwordFile && !source.passwordFile.startsWith("/"))
    out.set("passwordFile", "Use an absolute path (starting with /).");
  if (source.filename.includes("/") || source.filename === "." || source.filename === "..")
    out.set("filename", "Use a plain file name, without /.");
  source.dumpFlags.forEach((f, i) => {
    if (!f.startsWith("-")) out.set(`dumpFlags[${i}]`, "A flag starts with -, e.g. --no-owner.");
  });
  return out;
}
