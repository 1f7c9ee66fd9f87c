/**
 * Starting a database restore: the request is checked at once (the plan's source, the
 * target's name, and that the target holds no tables unless it is to be replaced), so the
 * caller hears of an unusable target right away rather than from a failed operation.
 */
import { isAbsolute } from "node:path";
import { TargetNotEmptyError } from "../databases/errors.js";
import { NotFoundError, ValidationError } from "../errors.js";
import { connectionOf, databaseKind, findDatabaseSource } from "./database-sources.js";
import type { OrchestratorDeps } from "./deps.js";
import type { OperationSpec } from "./runner.js";
import { restoreDatabaseTask } from "./tasks/restore-database.js";

/** A request to restore a database source's dump. */
export interface RestoreDatabaseRequest {
  repoId: string;
  snapshotId: string;
  planId: string;
  /** The plan's database source (DatabaseSource.name). */
  databaseName: string;
  /** The database (or SQLite file) to load into; "" = the source's own. */
  targetDatabase: string;
  replace: boolean;
}

/** How long the check of the target may take before the request fails. */
const CHECK_TIME_LIMIT_MS = 60_000;

function checkTarget(kind: string, target: string): void {
  const problem = target.includes("\0")
    ? "must not contain NUL characters"
    : kind === "sqlite" && !isAbsolute(target)
      ? `must be the absolute path of a SQLite file, got "${target}"`
      : undefined;
  if (problem) throw new ValidationError([{ path: "targetDatabase", message: problem }]);
}

/**
 * The restore's operation, after checking the request. Throws NotFoundError (repo, plan,
 * database source), ValidationError (target), TargetNotEmptyError, or the tools' errors
 * (MissingToolError, DatabaseToolError: the target cannot be reached or read).
 */
export async function restoreDatabaseSpec(
  deps: OrchestratorDeps,
  req: RestoreDatabaseRequest,
  signal?: AbortSignal,
): Promise<OperationSpec> {
  const cfg = deps.config.get();
  if (!cfg.repos.some((r) => r.id === req.repoId)) throw new NotFoundError("repo", req.repoId);
  const plan = cfg.plans.find((p) => p.id === req.planId);
  if (!plan) throw new NotFoundError("plan", req.planId);
  const source = findDatabaseSource(plan, req.databaseName);
  const kind = databaseKind(source);
  const target = req.targetDatabase || source.database;
  checkTarget(kind, target);
  const tools = deps.databases;
  if (tools) {
    tools.requireTool(kind, "load");
    if (!req.replace) {
      const limit = AbortSignal.timeout(CHECK_TIME_LIMIT_MS);
      const tables = await tools.countTables(await connectionOf(source, target), {
        signal: signal ? AbortSignal.any([signal, limit]) : limit,
      });
      if (tables > 0) throw new TargetNotEmptyError(target, tables);
    }
  }
  return {
    repoId: req.repoId,
    planId: plan.id,
    payload: {
      case: "operationRestoreDatabase",
      value: { snapshotId: req.snapshotId, kind: source.kind, target },
    },
    run: restoreDatabaseTask({
      snapshotId: req.snapshotId,
      sourceName: source.name,
      target,
      replace: req.replace,
    }),
  };
}
