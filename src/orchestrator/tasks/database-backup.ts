/**
 * The backup of one database source: its dump tool's output streamed straight into `restic
 * backup --stdin` (never staged in a file), as a snapshot of its own tagged with the source.
 */
import { create } from "@bufbuild/protobuf";
import type { Plan } from "../../../gen/v1/config_pb.js";
import {
  OperationStatus,
  StdinSource_Kind,
  StdinSourceSchema,
} from "../../../gen/v1/operations_pb.js";
import type { DatabaseTools } from "../../databases/types.js";
import {
  connectionOf,
  DatabaseSourceError,
  databaseFilename,
  databaseKind,
  databaseSourceTag,
  findDatabaseSource,
} from "../database-sources.js";
import type { TaskContext } from "../runner.js";
import { sourceBackupTags } from "../snapshot-tags.js";
import { skippedByPrecondition, stdinBackupTask } from "./backup.js";

/** The database tools, or a clear failure when the daemon was started without them. */
export function requireDatabaseTools(ctx: TaskContext): DatabaseTools {
  const tools = ctx.deps.databases;
  if (!tools) throw new DatabaseSourceError("this daemon was started without database support");
  return tools;
}

/**
 * The body of a database source's backup operation. The source is looked up when the
 * operation runs (the config may have changed while it was queued). A dry run dumps nothing
 * and is recorded as skipped; an unmet plan precondition skips it like the paths backup.
 */
export function databaseBackupTask(sourceName: string, opts: { dryRun: boolean }) {
  return async (ctx: TaskContext): Promise<void> => {
    const plan = ctx.plan as Plan;
    const source = findDatabaseSource(plan, sourceName);
    const filename = databaseFilename(source);
    if (ctx.op.op.case === "operationBackup") {
      ctx.op.op.value.stdinSource = create(StdinSourceSchema, {
        kind: StdinSource_Kind.DATABASE,
        filename,
        databaseName: source.name,
      });
    }
    if (opts.dryRun) {
      ctx.op.status = OperationStatus.STATUS_SKIPPED;
      ctx.op.displayMessage = `a dry run does not dump databases, so "${source.name}" was skipped`;
      return;
    }
    if (await skippedByPrecondition(ctx, plan)) return;
    const tools = requireDatabaseTools(ctx);
    // Checked before restic starts: a missing tool then fails the operation without a stream.
    tools.requireTool(databaseKind(source), "dump");
    const conn = await connectionOf(source);
    const log = ctx.log();
    const body = stdinBackupTask({
      filename,
      tags: sourceBackupTags(plan.id, ctx.cfg.instance, databaseSourceTag(source.name)),
      open: (signal) => {
        const dump = tools.dump(conn, { signal, onLog: (line) => log.write(`${line}\n`) });
        return {
          input: dump.stream,
          // restic stopped reading (it failed on its own): its error is the one to report.
          done: dump.done.catch((error: unknown) => {
            if (error instanceof Error && error.name === "DumpClosedError") return;
            throw error;
          }),
        };
      },
    });
    await body(ctx);
  };
}
