/**
 * The contract of the snapshot tree index: a snapshot's whole tree, listed once from restic,
 * served folder by folder afterwards.
 */

/** One node of a snapshot's tree, as `restic ls --json` reports it. */
export interface TreeNode {
  name: string;
  /** "file", "dir", "symlink", "dev", "chardev", "fifo", "socket", "irregular". */
  type: string;
  /** Absolute path inside the snapshot, e.g. "/home/user/file". */
  path: string;
  uid: number;
  gid: number;
  size: number;
  mode: number;
  mtime: string;
  atime: string;
  ctime: string;
  linkTarget: string;
}

/** Writes one snapshot's tree; nothing of it is visible until commit(). */
export interface TreeWriter {
  /** Buffers a node; written in batched transactions. Nodes at "/" (the root) are ignored. */
  add(node: TreeNode): void;
  /**
   * Makes the tree visible, replaces an older stored copy of the same snapshot and evicts
   * least recently used trees beyond the store's node cap. Throws when the tree was dropped
   * (retainOnly/deleteRepo) while being written.
   */
  commit(): void;
  /** Drops everything written so far. Idempotent; a no-op after commit(). */
  abort(): void;
}

/** Snapshot trees of every repo, in one SQLite file. */
export interface SnapshotTreeStore {
  /** True when the complete tree of this snapshot is stored. */
  has(repoGuid: string, snapshotId: string): boolean;
  /**
   * Starts (re)writing a snapshot's tree. Nodes become visible only at commit(); abort() (or a
   * crash) leaves nothing half-written visible.
   */
  begin(repoGuid: string, snapshotId: string): TreeWriter;
  /**
   * Direct children of `folder` ("/" or "" = root), folders first, then by name (byte order of
   * the UTF-8 name); [] for an empty folder; undefined when the folder is not in the stored
   * tree (or the tree is not stored).
   */
  listFolder(repoGuid: string, snapshotId: string, folder: string): TreeNode[] | undefined;
  /** One node by absolute path, or undefined (also for "/", which restic does not list). */
  getNode(repoGuid: string, snapshotId: string, path: string): TreeNode | undefined;
  /**
   * Regular files (type "file") and their bytes under `path` (a file: itself); zeros for a
   * path or tree that is not stored.
   */
  totals(repoGuid: string, snapshotId: string, path: string): { files: number; bytes: number };
  /** Drops this repo's trees except those of `snapshotIds`; returns how many were dropped. */
  retainOnly(repoGuid: string, snapshotIds: string[]): number;
  /** Drops every tree of a repo. */
  deleteRepo(repoGuid: string): void;
  /** Closes the database; in-progress writers can no longer commit. */
  close(): void;
}
