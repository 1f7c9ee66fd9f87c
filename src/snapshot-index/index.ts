/**
 * The snapshot tree index: each snapshot's tree listed once from restic, then every folder of
 * it served from SQLite.
 */
export { openSnapshotTreeStore, type SnapshotTreeStoreOptions } from "./sqlite-tree-store.js";
export type { SnapshotTreeStore, TreeNode, TreeWriter } from "./types.js";
