/**
 * The command lines of the database tools, as pure functions: which program (with its
 * fallbacks and the Debian package providing it), its argv, and the environment it needs.
 * Connection settings that are secret (the password) go only into the environment; the
 * database name of PostgreSQL goes there too (PGDATABASE), so a name that looks like a
 * connection string is never expanded as one.
 */
import type { DatabaseConnection } from "./types.js";

/** One run of a tool, before the program is looked up on PATH. */
export interface ToolInvocation {
  /** Programs to try in order; the first found on PATH runs. */
  programs: readonly string[];
  /** The Debian package that provides them (named when none is installed). */
  debianPackage: string;
  args: string[];
  /** Added to the base environment: connection settings and the password. */
  env: Record<string, string>;
  /** Values to mask in everything the tool prints. */
  secrets: string[];
}

/** How long a client waits for the server to answer a connection (seconds). */
const CONNECT_TIMEOUT_S = 30;

/** Variables of the daemon's environment the tools inherit; everything else is left out. */
const INHERITED = ["PATH", "HOME", "TMPDIR", "TZ", "LANG"] as const;

/**
 * The base environment of every tool: PATH, HOME (PostgreSQL's ~/.pgpass), TMPDIR, TZ and
 * LANG from the daemon's, and messages in English (LC_MESSAGES=C) so that errors read the
 * same everywhere and the hints below recognise them. Nothing else of the daemon's
 * environment reaches the tools: a PGPASSWORD or MYSQL_PWD set for the daemon must not leak
 * into another source's connection.
 */
export function baseToolEnv(inherited: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED) {
    const value = inherited[name];
    if (value) env[name] = value;
  }
  env.PATH ??= "/usr/local/bin:/usr/bin:/bin";
  env.LANG ??= "C.UTF-8";
  env.LC_MESSAGES = "C";
  return env;
}

function postgresEnv(conn: DatabaseConnection, database: string): Record<string, string> {
  const env: Record<string, string> = {
    PGDATABASE: database,
    PGCONNECT_TIMEOUT: String(CONNECT_TIMEOUT_S),
    PGAPPNAME: "restwell",
  };
  if (conn.host) env.PGHOST = conn.host;
  if (conn.port) env.PGPORT = String(conn.port);
  if (conn.user) env.PGUSER = conn.user;
  if (conn.password) env.PGPASSWORD = conn.password;
  return env;
}

/**
 * Options of the MySQL/MariaDB programs. `--no-defaults` (which must come first) keeps
 * option files out: a password in the daemon user's ~/.my.cnf would otherwise win over the
 * source's own (MYSQL_PWD has the lowest precedence), so the source's settings are all there is.
 */
function mysqlConnectionArgs(conn: DatabaseConnection): string[] {
  const args = ["--no-defaults"];
  if (conn.host.startsWith("/")) args.push(`--socket=${conn.host}`);
  else if (conn.host) args.push(`--host=${conn.host}`);
  if (conn.port) args.push(`--port=${conn.port}`);
  if (conn.user) args.push(`--user=${conn.user}`);
  return args;
}

function mysqlEnv(conn: DatabaseConnection): Record<string, string> {
  return conn.password ? { MYSQL_PWD: conn.password } : {};
}

const secretsOf = (conn: DatabaseConnection) => (conn.password ? [conn.password] : []);

const POSTGRES_CLIENT = { programs: ["psql"], debianPackage: "postgresql-client" };
const MYSQL_CLIENT = { programs: ["mariadb", "mysql"], debianPackage: "mariadb-client" };
const SQLITE_CLI = { programs: ["sqlite3"], debianPackage: "sqlite3" };

/**
 * The dump of `conn`, as plain SQL text on stdout:
 * - PostgreSQL: `pg_dump --format=plain --clean --if-exists`. The DROP ... IF EXISTS lines
 *   let a dump be loaded over an existing copy (a restore with replace); in an empty
 *   database they do nothing. pg_dump reads in one repeatable-read transaction.
 * - MySQL/MariaDB: `mariadb-dump` (else `mysqldump`) `--single-transaction` (a consistent
 *   read of InnoDB tables without locking them), with routines and triggers, binary columns
 *   as hex (`--hex-blob`) and utf8mb4 text. No `--databases`: the dump names no database,
 *   so it can be loaded into any. Its DROP TABLE IF EXISTS lines allow loading over a copy.
 * - SQLite: the sqlite3 shell's `.dump`, read-only. `.dump` reads the whole database inside
 *   one transaction (a SAVEPOINT), so the text is one consistent state while the application
 *   goes on (in WAL mode it keeps writing; in rollback-journal mode its writes wait until the
 *   dump is read). It streams with no temporary file, and SQL text loads into any SQLite
 *   version. SQLite's online backup API (better-sqlite3's backup()) needs a destination file
 *   and serialize() holds the whole database in memory, so neither can stream; copying the
 *   file's bytes would miss what is still in the WAL. `.dump` exits 0 even when it hit
 *   errors (it then ends with "ROLLBACK; -- due to errors"), so dump.ts checks the end.
 */
export function dumpInvocation(conn: DatabaseConnection): ToolInvocation {
  switch (conn.kind) {
    case "postgresql":
      return {
        programs: ["pg_dump"],
        debianPackage: "postgresql-client",
        args: ["--format=plain", "--clean", "--if-exists", "--no-password", ...conn.dumpFlags],
        env: postgresEnv(conn, conn.database),
        secrets: secretsOf(conn),
      };
    case "mysql":
      return {
        programs: ["mariadb-dump", "mysqldump"],
        debianPackage: "mariadb-client",
        args: [
          ...mysqlConnectionArgs(conn),
          "--single-transaction",
          "--routines",
          "--triggers",
          "--hex-blob",
          "--default-character-set=utf8mb4",
          ...conn.dumpFlags,
          "--",
          conn.database,
        ],
        env: mysqlEnv(conn),
        secrets: secretsOf(conn),
      };
    case "sqlite":
      return {
        ...SQLITE_CLI,
        // -init /dev/null: the daemon user's ~/.sqliterc must not change the output.
        args: [
          "-init",
          "/dev/null",
          "-readonly",
          "-bail",
          ...conn.dumpFlags,
          conn.database,
          ".dump",
        ],
        env: {},
        secrets: [],
      };
  }
}

/**
 * Loading a dump from stdin into `conn.database` (for SQLite: into `file`, a new file the
 * caller then copies over the target):
 * - PostgreSQL: psql in one transaction that stops at the first error, so a failed or
 *   stopped load leaves the database as it was. Query results go to /dev/null.
 * - MySQL/MariaDB: the mariadb (else mysql) client, which stops at the first error.
 * - SQLite: the sqlite3 shell in -safe mode (a dump cannot run programs or open files).
 */
export function loadInvocation(conn: DatabaseConnection, file = conn.database): ToolInvocation {
  switch (conn.kind) {
    case "postgresql":
      return psqlInvocation(conn, [
        "--single-transaction",
        "--set=ON_ERROR_STOP=1",
        "--output=/dev/null",
        "--file=-",
      ]);
    case "mysql":
      return mysqlClientInvocation(conn, ["--default-character-set=utf8mb4", "--batch"]);
    case "sqlite":
      return {
        ...SQLITE_CLI,
        args: ["-init", "/dev/null", "-bail", "-safe", file],
        env: {},
        secrets: [],
      };
  }
}

/** Tables and views outside the system schemas, as one number on stdout. */
const POSTGRES_COUNT = `SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'`;
const MYSQL_COUNT =
  "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()";

/** Counting the tables and views of a PostgreSQL or MySQL database (SQLite is read in-process). */
export function countInvocation(conn: DatabaseConnection): ToolInvocation {
  switch (conn.kind) {
    case "postgresql":
      return psqlInvocation(conn, [
        "--tuples-only",
        "--no-align",
        "--set=ON_ERROR_STOP=1",
        `--command=${POSTGRES_COUNT}`,
      ]);
    case "mysql":
      return mysqlClientInvocation(conn, [
        "--batch",
        "--skip-column-names",
        `--execute=${MYSQL_COUNT}`,
      ]);
    case "sqlite":
      throw new Error("SQLite databases are counted in-process");
  }
}

/** psql on `conn.database` (by environment), ignoring ~/.psqlrc, never prompting. */
function psqlInvocation(conn: DatabaseConnection, args: string[]): ToolInvocation {
  return {
    ...POSTGRES_CLIENT,
    args: ["--no-psqlrc", "--quiet", "--no-password", ...args],
    env: postgresEnv(conn, conn.database),
    secrets: secretsOf(conn),
  };
}

/** The mariadb (else mysql) client on `conn.database`, the password by environment. */
function mysqlClientInvocation(conn: DatabaseConnection, args: string[]): ToolInvocation {
  return {
    ...MYSQL_CLIENT,
    args: [
      ...mysqlConnectionArgs(conn),
      `--connect-timeout=${CONNECT_TIMEOUT_S}`,
      ...args,
      "--",
      conn.database,
    ],
    env: mysqlEnv(conn),
    secrets: secretsOf(conn),
  };
}
