/**
 * The recycle bin. Recycling re-tags snapshots (their plan tag is renamed), so they leave
 * plan listings and retention but stay restorable; purging forgets them for good.
 */
import { NotFoundError } from "../../errors.js";
import type { Snapshot } from "../../restic/types.js";
import type { TaskContext } from "../runner.js";
import { isRecycled, recycleChange, unrecycleChange } from "../snapshot-tags.js";

/** Finds the named snapshots (full or short ids); throws NotFoundError for one that is not there. */
async function findSnapshots(
  ctx: TaskContext,
  ids: string[],
  recycled: boolean,
): Promise<Snapshot[]> {
  const all = await ctx.deps.restic.snapshots(ctx.target, undefined, { signal: ctx.signal });
  const candidates = all.filter((s) => isRecycled(s.tags) === recycled);
  return ids.map((id) => {
    const found = candidates.find((s) => s.id.startsWith(id));
    if (!found) throw new NotFoundError(recycled ? "snapshot in the recycle bin" : "snapshot", id);
    return found;
  });
}

/** Applies per-snapshot tag changes, one restic call per distinct change. */
async function retag(
  ctx: TaskContext,
  changes: { snapshot: Snapshot; add: string[]; remove: string[] }[],
) {
  const groups = new Map<string, { ids: string[]; add: string[]; remove: string[] }>();
  for (const c of changes) {
    const key = JSON.stringify([c.add, c.remove]);
    const group = groups.get(key) ?? { ids: [], add: c.add, remove: c.remove };
    group.ids.push(c.snapshot.id);
    groups.set(key, group);
  }
  for (const g of groups.values()) {
    await ctx.deps.restic.tag(
      ctx.target,
      g.ids,
      { add: g.add, remove: g.remove },
      { signal: ctx.signal },
    );
  }
}

/** Moves snapshots into the recycle bin. */
export function recycleTask(ids: string[]) {
  return async (ctx: TaskContext): Promise<void> => {
    const now = ctx.deps.clock.now();
    const snapshots = await findSnapshots(ctx, ids, false);
    await retag(
      ctx,
      snapshots.map((snapshot) => ({ snapshot, ...recycleChange(snapshot.tags, now) })),
    );
  };
}

/** Takes snapshots back out of the recycle bin. */
export function unrecycleTask(ids: string[]) {
  return async (ctx: TaskContext): Promise<void> => {
    const snapshots = await findSnapshots(ctx, ids, true);
    await retag(
      ctx,
      snapshots.map((snapshot) => ({ snapshot, ...unrecycleChange(snapshot.tags) })),
    );
  };
}

/** Forgets recycled snapshots (all of them when `ids` is empty), then prunes when asked. */
export function purgeTask(ids: string[], prune: boolean) {
  return async (ctx: TaskContext): Promise<void> => {
    if (ctx.op.op.case !== "operationRecycle") return;
    const all = await ctx.deps.restic.snapshots(ctx.target, undefined, { signal: ctx.signal });
    const bin = all.filter((s) => isRecycled(s.tags));
    const purge = ids.length === 0 ? bin : await findSnapshots(ctx, ids, true);
    ctx.op.op.value.snapshotIds = purge.map((s) => s.id);
    if (purge.length === 0) {
      ctx.op.displayMessage = "the recycle bin is empty";
      return;
    }
    await ctx.deps.restic.forget(
      ctx.target,
      { snapshotIds: purge.map((s) => s.id) },
      { signal: ctx.signal },
    );
    if (prune) {
      const log = ctx.log();
      await ctx.deps.restic.prune(
        ctx.target,
        {},
        { signal: ctx.signal, onOutput: (l) => log.write(`${l}\n`) },
      );
    }
  };
}
