/**
 * Restoring a database: `restic dump` of the source's dump file streamed straight into the
 * database's load tool, with the bytes read so far as progress. A target that holds tables is
 * refused unless the restore replaces it.
 */
import { Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { DatabaseSource, Plan } from "../../../gen/v1/config_pb.js";
import { TargetNotEmptyError } from "../../databases/errors.js";
import { NotFoundError, ValidationError } from "../../errors.js";
import type { Snapshot } from "../../restic/types.js";
import { ensureTree } from "../browse.js";
import {
  connectionOf,
  databaseKind,
  databaseSourceTag,
  findDatabaseSource,
} from "../database-sources.js";
import type { TaskContext } from "../runner.js";
import { planOfTags, sourceOfTags } from "../snapshot-tags.js";
import { requireDatabaseTools } from "./database-backup.js";

/** What to restore, as checked when the restore was requested. */
export interface RestoreDatabaseInput {
  snapshotId: string;
  /** The plan's database source that made the dump. */
  sourceName: string;
  /** The database name (or SQLite file) to load into. */
  target: string;
  replace: boolean;
}

/** Counts the bytes going through. */
class CountingStream extends Transform {
  count = 0;
  constructor(private readonly onCount: (bytes: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.count += chunk.length;
    this.onCount(this.count);
    done(null, chunk);
  }
}

/**
 * The snapshot `snapshotId` (an id or a unique prefix) and the path of its dump file. It
 * must be a dump of `source` of `plan`: another source's dump could be another kind of
 * database altogether.
 */
async function findDump(
  ctx: TaskContext,
  plan: Plan,
  source: DatabaseSource,
  snapshotId: string,
): Promise<{ snapshot: Snapshot; path: string }> {
  const all = await ctx.deps.restic.snapshots(ctx.target, undefined, { signal: ctx.signal });
  const matches = all.filter((s) => s.id.startsWith(snapshotId));
  const snapshot = matches[0];
  if (!snapshot) throw new NotFoundError("snapshot", snapshotId);
  if (matches.length > 1)
    throw new ValidationError([
      {
        path: "snapshotId",
        message: `"${snapshotId}" matches several snapshots; give more of the id`,
      },
    ]);
  const path = snapshot.paths[0];
  const wanted = databaseSourceTag(source.name);
  if (sourceOfTags(snapshot.tags) !== wanted || planOfTags(snapshot.tags) !== plan.id || !path) {
    throw new ValidationError([
      {
        path: "snapshotId",
        message: `snapshot ${snapshot.shortId} is not a dump of database source "${source.name}" of plan "${plan.id}"; pick one of the snapshots tagged restwell:source:${wanted}`,
      },
    ]);
  }
  return { snapshot, path };
}

/** The body of a database restore operation. */
export function restoreDatabaseTask(input: RestoreDatabaseInput) {
  return async (ctx: TaskContext): Promise<void> => {
    if (ctx.op.op.case !== "operationRestoreDatabase") return;
    const payload = ctx.op.op.value;
    const plan = ctx.plan as Plan;
    const source = findDatabaseSource(plan, input.sourceName);
    const tools = requireDatabaseTools(ctx);
    tools.requireTool(databaseKind(source), "load");
    const { snapshot, path } = await findDump(ctx, plan, source, input.snapshotId);
    await ensureTree(ctx.deps, ctx.repo, snapshot.id, ctx.signal);
    payload.snapshotId = snapshot.id;
    payload.filename = path.slice(path.lastIndexOf("/") + 1);
    payload.bytesTotal = BigInt(
      ctx.deps.trees.getNode(ctx.repo.guid, snapshot.id, path)?.size ?? 0,
    );
    ctx.save();
    const conn = await connectionOf(source, input.target);
    const log = ctx.log();
    const onLog = (line: string) => log.write(`${line}\n`);
    if (!input.replace) {
      // Checked again here: the target may have filled up while the restore was queued.
      const tables = await tools.countTables(conn, { signal: ctx.signal, onLog });
      if (tables > 0) throw new TargetNotEmptyError(input.target, tables);
    }
    const dump = ctx.deps.restic.dump(ctx.target, snapshot.id, path, { signal: ctx.signal });
    const counter = new CountingStream((bytes) => {
      payload.bytesDone = BigInt(bytes);
      ctx.progress();
    });
    // pipeline: when the load stops reading (and destroys its input), restic is stopped too.
    const piped = pipeline(dump.stream, counter).catch(() => {});
    const dumped = dump.done.then(
      () => undefined,
      (error: unknown) => error,
    );
    try {
      await tools.load(conn, counter, { signal: ctx.signal, onLog });
    } catch (error) {
      // A failed `restic dump` explains a load whose input broke off better than the load does.
      const dumpError = await dumped;
      const stoppedByUs = dumpError instanceof Error && dumpError.name === "ResticCancelledError";
      throw dumpError && !stoppedByUs ? dumpError : error;
    } finally {
      await piped;
    }
    const dumpError = await dumped;
    if (dumpError) throw dumpError;
    payload.bytesDone = BigInt(counter.count);
    onLog(`loaded ${counter.count} bytes from snapshot ${snapshot.shortId} into ${input.target}`);
  };
}
