/**
 * What the database tools work on: a connection described without any of our config or API
 * types (the orchestrator maps a plan's DatabaseSource onto it), and the tools' interface.
 */

/** The database systems Restwell dumps and loads. */
export type DatabaseKind = "postgresql" | "mysql" | "sqlite";

/** One database to dump or load into. */
export interface DatabaseConnection {
  kind: DatabaseKind;
  /** The database's name; for SQLite, the absolute path of the database file. */
  database: string;
  /** Server host, or a Unix socket (a folder for PostgreSQL, the socket file for MySQL); "" = the client's default. */
  host: string;
  /** Server port; 0 = the client's default. */
  port: number;
  /** "" = the client's default. */
  user: string;
  /** "" = none. Passed by environment only (PGPASSWORD, MYSQL_PWD), never on argv. */
  password: string;
  /** Extra flags for the dump tool, after Restwell's own. */
  dumpFlags: readonly string[];
}

/** Per-call options of the tools. */
export interface ToolCallOptions {
  /** Stops the tool (SIGINT, then SIGKILL after a grace period). */
  signal?: AbortSignal;
  /** Gets each command line run and each line the tools write to stderr, masked. */
  onLog?: (line: string) => void;
}

/** A running dump: the SQL text, and the outcome. */
export interface DatabaseDump {
  /**
   * The dump's bytes, with backpressure (a slow reader slows the dump tool down). It ends only
   * when the dump is complete; otherwise it is destroyed with the error `done` rejects with.
   * Destroying it early stops the tool; `done` then rejects with DumpClosedError.
   */
  stream: NodeJS.ReadableStream;
  /** Settles once the tool has exited: DatabaseToolError or MissingToolError on failure. */
  done: Promise<void>;
}

/** Dumping and loading databases with their own tools (pg_dump/psql, mariadb-dump/mariadb, sqlite3). */
export interface DatabaseTools {
  /** Starts a plain SQL dump of `conn.database`, consistent as of one moment (one read transaction). */
  dump(conn: DatabaseConnection, opts?: ToolCallOptions): DatabaseDump;
  /**
   * Loads a dump made by `dump` from `input` into `conn.database` (a PostgreSQL or MySQL
   * database that must exist; a SQLite file that is created or replaced). Only an input that
   * ends normally is loaded: when it fails, the tool is stopped before it can commit. When
   * the tool fails, `input` is destroyed. Rejects with DatabaseToolError, MissingToolError,
   * or the input's error.
   */
  load(
    conn: DatabaseConnection,
    input: NodeJS.ReadableStream,
    opts?: ToolCallOptions,
  ): Promise<void>;
  /**
   * How many tables and views `conn.database` holds outside the system schemas (0 for a
   * SQLite file that does not exist). Rejects like `load` when the database cannot be read.
   */
  countTables(conn: DatabaseConnection, opts?: ToolCallOptions): Promise<number>;
  /** Throws MissingToolError when the program that `purpose` needs for `kind` is not installed. */
  requireTool(kind: DatabaseKind, purpose: "dump" | "load"): void;
}
