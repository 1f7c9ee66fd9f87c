/**
 * Dumping and loading databases with their own tools: pg_dump/psql, mariadb-dump/mariadb (or
 * mysqldump/mysql) and the sqlite3 shell. Knows nothing of the config, the API or restic;
 * the orchestrator streams a dump into `restic backup --stdin` and `restic dump` into a load.
 */
import { baseToolEnv, dumpInvocation, loadInvocation } from "./commands.js";
import { startDump } from "./dump.js";
import { MissingToolError } from "./errors.js";
import { countServerTables, destroy, loadWithTool } from "./load.js";
import { findProgram, type ToolContext } from "./run-tool.js";
import { countSqliteTables, loadSqlite } from "./sqlite.js";
import type { DatabaseTools } from "./types.js";

export { baseToolEnv, dumpInvocation, loadInvocation } from "./commands.js";
export {
  DatabaseToolError,
  DumpClosedError,
  MissingToolError,
  TargetNotEmptyError,
} from "./errors.js";
export type {
  DatabaseConnection,
  DatabaseDump,
  DatabaseKind,
  DatabaseTools,
  ToolCallOptions,
} from "./types.js";

/**
 * Creates the database tools. `env` is the daemon's environment: only PATH, HOME, TMPDIR, TZ
 * and LANG reach the tools (see baseToolEnv), plus each call's connection settings.
 */
export function createDatabaseTools(opts: {
  env: Readonly<Record<string, string>>;
  /** Time between SIGINT and SIGKILL when a tool is stopped (default 5 s). */
  killGraceMs?: number;
}): DatabaseTools {
  const ctx: ToolContext = {
    baseEnv: baseToolEnv(opts.env),
    killGraceMs: opts.killGraceMs ?? 5000,
  };
  return {
    dump: (conn, callOpts) => startDump(ctx, conn, callOpts),
    load(conn, input, callOpts = {}) {
      if (conn.kind !== "sqlite") return loadWithTool(ctx, conn, input, callOpts);
      return loadSqlite(
        conn.database,
        (staging) => loadWithTool(ctx, conn, input, callOpts, staging),
        {
          onLog: callOpts.onLog,
          abandon: () => destroy(input),
        },
      );
    },
    async countTables(conn, callOpts) {
      if (conn.kind === "sqlite") return countSqliteTables(conn.database);
      return countServerTables(ctx, conn, callOpts);
    },
    requireTool(kind, purpose) {
      const conn = { kind, database: "", host: "", port: 0, user: "", password: "", dumpFlags: [] };
      const inv = purpose === "dump" ? dumpInvocation(conn) : loadInvocation(conn);
      if (!findProgram(inv.programs, ctx.baseEnv.PATH ?? ""))
        throw new MissingToolError(inv.programs, inv.debianPackage);
    },
  };
}
