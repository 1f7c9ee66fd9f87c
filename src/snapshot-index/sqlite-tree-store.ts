/**
 * The snapshot tree index on SQLite, in its own database file (e.g.
 * `<dataDir>/snapshot-index.sqlite`), apart from the operation log: it is a cache that can be
 * deleted at any time and rebuilt with `restic ls`. One store per file per process: opening
 * drops incomplete trees, which would include another process's tree being written.
 */
import Database from "better-sqlite3";
import { migrate } from "../oplog/migrations.js";
import { TREE_MIGRATIONS } from "./migrations.js";
import { decodeNode, isDirRow, type NodeRow } from "./node-codec.js";
import { dropIncompleteTrees, dropRepoTrees } from "./retention.js";
import { createTreeStatements, type TreeStatements } from "./statements.js";
import { descendantRange, normalizePath, ROOT, splitPath } from "./tree-paths.js";
import { beginTree } from "./tree-writer.js";
import type { SnapshotTreeStore, TreeNode } from "./types.js";

/** Options of openSnapshotTreeStore. */
export interface SnapshotTreeStoreOptions {
  /** Most nodes stored across all trees; least recently used trees go at commit (20M). */
  maxNodes?: number;
  /** The clock of last-use times, in ms (default Date.now). */
  now?: () => number;
}

/** A tree's last-use time is written at most this often, so reads rarely write. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * Opens (creating and migrating as needed) the snapshot tree index at `path` and drops trees
 * left incomplete by an abort or a crash. Throws SchemaVersionError for a file written by a
 * newer Restwell. The caller must close() it.
 */
export function openSnapshotTreeStore(
  path: string,
  opts: SnapshotTreeStoreOptions = {},
): SnapshotTreeStore {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 5000");
    migrate(db, TREE_MIGRATIONS);
    const s = createTreeStatements(db);
    db.transaction(() => dropIncompleteTrees(s)).immediate();
    return createStore(db, s, opts);
  } catch (error) {
    db.close();
    throw error;
  }
}

function createStore(
  db: Database.Database,
  s: TreeStatements,
  opts: SnapshotTreeStoreOptions,
): SnapshotTreeStore {
  const now = opts.now ?? Date.now;
  const ctx = { db, s, now, maxNodes: opts.maxNodes ?? 20_000_000 };
  const touched = new Map<number, number>();

  /** The id of a complete tree, recording its use for LRU eviction. */
  const openTree = (repoGuid: string, snapshotId: string): number | undefined => {
    const id = s.findTree.get(repoGuid, snapshotId) as number | undefined;
    if (id === undefined) return undefined;
    const t = now();
    if (t - (touched.get(id) ?? Number.NEGATIVE_INFINITY) >= TOUCH_INTERVAL_MS) {
      s.touchTree.run(t, id, t - TOUCH_INTERVAL_MS);
      touched.set(id, t);
    }
    return id;
  };
  const dirId = (treeId: number, path: string) => s.dirId.get(treeId, path) as number | undefined;

  const dropTrees = db.transaction((repoGuid: string, keep: ReadonlySet<string>) =>
    dropRepoTrees(s, repoGuid, keep),
  );

  return {
    has: (repoGuid, snapshotId) => s.findTree.get(repoGuid, snapshotId) !== undefined,
    begin: (repoGuid, snapshotId) => beginTree(ctx, repoGuid, snapshotId),
    listFolder(repoGuid, snapshotId, folder) {
      const treeId = openTree(repoGuid, snapshotId);
      if (treeId === undefined) return undefined;
      const path = normalizePath(folder);
      const parentId = dirId(treeId, path);
      if (parentId === undefined) return undefined;
      const rows = s.children.all(treeId, parentId) as NodeRow[];
      // Rows come in name order; a stable partition puts folders first without a sort.
      const dirs = rows.filter(isDirRow);
      const others = rows.filter((row) => !isDirRow(row));
      return [...dirs, ...others].map((row) => decodeNode(row, path));
    },
    getNode(repoGuid, snapshotId, nodePath) {
      const treeId = openTree(repoGuid, snapshotId);
      return treeId === undefined ? undefined : findNode(treeId, normalizePath(nodePath));
    },
    totals(repoGuid, snapshotId, nodePath) {
      const treeId = openTree(repoGuid, snapshotId);
      if (treeId === undefined) return { files: 0, bytes: 0 };
      return totalsOf(treeId, normalizePath(nodePath));
    },
    retainOnly: (repoGuid, snapshotIds) => dropTrees.immediate(repoGuid, new Set(snapshotIds)),
    deleteRepo(repoGuid) {
      dropTrees.immediate(repoGuid, new Set());
    },
    close() {
      db.close();
    },
  };

  function findNode(treeId: number, path: string): TreeNode | undefined {
    const split = splitPath(path);
    if (split === undefined) return undefined;
    const parentId = dirId(treeId, split.parent);
    if (parentId === undefined) return undefined;
    const row = s.node.get(treeId, parentId, split.name) as NodeRow | undefined;
    return row === undefined ? undefined : decodeNode(row, split.parent);
  }

  function totalsOf(treeId: number, path: string): { files: number; bytes: number } {
    const own = s.dirOwnTotals.get(treeId, path) as { files: number; bytes: number } | undefined;
    if (own === undefined) {
      const node = findNode(treeId, path);
      return node?.type === "file" ? { files: 1, bytes: node.size } : { files: 0, bytes: 0 };
    }
    const { low, high } = descendantRange(path);
    const below = s.dirRangeTotals.get(treeId, low, high) as { files: number; bytes: number };
    // The root's range already contains the root itself.
    if (path === ROOT) return below;
    return { files: own.files + below.files, bytes: own.bytes + below.bytes };
  }
}
