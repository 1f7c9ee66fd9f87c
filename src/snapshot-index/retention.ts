/**
 * Which stored trees go away: LRU eviction beyond the node cap, leftovers of interrupted
 * writes, trees of forgotten snapshots. Each function must run inside a write transaction.
 */
import { deleteTreeRows, type TreeRow, type TreeStatements } from "./statements.js";

/**
 * Drops least recently used complete trees, never `keepId`, until at most `maxNodes` nodes
 * remain stored (or only `keepId` is left); returns how many trees were dropped.
 */
export function evictLeastRecentlyUsed(s: TreeStatements, maxNodes: number, keepId: number) {
  const trees = s.treesByAge.all() as TreeRow[];
  let total = trees.reduce((sum, t) => sum + t.node_count, 0);
  let dropped = 0;
  for (const tree of trees) {
    if (total <= maxNodes) break;
    if (tree.id === keepId) continue;
    deleteTreeRows(s, tree.id);
    total -= tree.node_count;
    dropped++;
  }
  return dropped;
}

/** Drops trees whose writing never committed (aborted, or the process died). */
export function dropIncompleteTrees(s: TreeStatements): number {
  const ids = s.incompleteTrees.all() as number[];
  for (const id of ids) deleteTreeRows(s, id);
  return ids.length;
}

/**
 * Drops the trees of `repoGuid` (complete or being written) whose snapshot is not in `keep`;
 * returns how many were dropped.
 */
export function dropRepoTrees(s: TreeStatements, repoGuid: string, keep: ReadonlySet<string>) {
  const trees = s.repoTrees.all(repoGuid) as { id: number; snapshot_id: string }[];
  let dropped = 0;
  const live = [...keep];
  for (const tree of trees) {
    if (keep.has(tree.snapshot_id) || isShortIdOfAny(tree.snapshot_id, live)) continue;
    deleteTreeRows(s, tree.id);
    dropped++;
  }
  return dropped;
}

/**
 * True when `id` is a short form of one of the full ids: restic 0.14 reports a backup's
 * snapshot by its short id, so a tree browsed through the backup operation is stored under it.
 */
function isShortIdOfAny(id: string, fullIds: readonly string[]): boolean {
  return id.length >= 8 && id.length < 64 && fullIds.some((full) => full.startsWith(id));
}
