/**
 * The prepared statements of the snapshot tree index, each prepared once per connection.
 * This file and migrations.ts hold all of the index's SQL.
 */
import type Database from "better-sqlite3";
import type { NodeRow } from "./node-codec.js";

/** A stored tree's bookkeeping row. */
export interface TreeRow {
  id: number;
  node_count: number;
}

/** One folder of a tree being written, with the files and bytes directly inside it. */
export interface DirRow {
  path: string;
  id: number;
  files: number;
  bytes: number;
}

const NODE_COLUMNS = "name, type, uid, gid, size, mode, mtime, atime, ctime, link_target";

/** Every statement of the index, by name (exported so tests can check their query plans). */
export const TREE_SQL = {
  findTree: "SELECT id FROM trees WHERE repo_guid = ? AND snapshot_id = ? AND complete = 1",
  insertTree:
    "INSERT INTO trees (repo_guid, snapshot_id, last_used_ms) VALUES (?, ?, ?) RETURNING id",
  treeExists: "SELECT 1 FROM trees WHERE id = ?",
  completeTree: "UPDATE trees SET complete = 1, node_count = ?, last_used_ms = ? WHERE id = ?",
  touchTree: "UPDATE trees SET last_used_ms = ? WHERE id = ? AND last_used_ms < ?",
  otherCopies: "SELECT id FROM trees WHERE repo_guid = ? AND snapshot_id = ? AND id != ?",
  repoTrees: "SELECT id, snapshot_id FROM trees WHERE repo_guid = ?",
  incompleteTrees: "SELECT id FROM trees WHERE complete = 0",
  treesByAge: "SELECT id, node_count FROM trees WHERE complete = 1 ORDER BY last_used_ms, id",
  deleteNodes: "DELETE FROM nodes WHERE tree_id = ?",
  deleteDirs: "DELETE FROM dirs WHERE tree_id = ?",
  deleteTree: "DELETE FROM trees WHERE id = ?",
  insertNode: `INSERT OR REPLACE INTO nodes (tree_id, parent_id, ${NODE_COLUMNS})
    VALUES (@tree_id, @parent_id, @name, @type, @uid, @gid, @size, @mode, @mtime, @atime,
      @ctime, @link_target)`,
  insertDir: "INSERT INTO dirs (tree_id, path, id, files, bytes) VALUES (?, ?, ?, ?, ?)",
  dirId: "SELECT id FROM dirs WHERE tree_id = ? AND path = ?",
  children: `SELECT ${NODE_COLUMNS} FROM nodes WHERE tree_id = ? AND parent_id = ? ORDER BY name`,
  node: `SELECT ${NODE_COLUMNS} FROM nodes WHERE tree_id = ? AND parent_id = ? AND name = ?`,
  dirOwnTotals: "SELECT files, bytes FROM dirs WHERE tree_id = ? AND path = ?",
  dirRangeTotals: `SELECT coalesce(sum(files), 0) AS files, coalesce(sum(bytes), 0) AS bytes
    FROM dirs WHERE tree_id = ? AND path >= ? AND path < ?`,
} as const;

/** Prepares every statement of TREE_SQL on `db`. */
export function createTreeStatements(db: Database.Database) {
  const p = (name: keyof typeof TREE_SQL) => db.prepare(TREE_SQL[name]);
  return {
    findTree: p("findTree").pluck(),
    insertTree: p("insertTree"),
    treeExists: p("treeExists").pluck(),
    completeTree: p("completeTree"),
    touchTree: p("touchTree"),
    otherCopies: p("otherCopies").pluck(),
    repoTrees: p("repoTrees"),
    incompleteTrees: p("incompleteTrees").pluck(),
    treesByAge: p("treesByAge"),
    deleteNodes: p("deleteNodes"),
    deleteDirs: p("deleteDirs"),
    deleteTree: p("deleteTree"),
    insertNode: p("insertNode"),
    insertDir: p("insertDir"),
    dirId: p("dirId").pluck(),
    children: p("children"),
    node: p("node"),
    dirOwnTotals: p("dirOwnTotals"),
    dirRangeTotals: p("dirRangeTotals"),
  };
}

/** The statements of createTreeStatements. */
export type TreeStatements = ReturnType<typeof createTreeStatements>;

/** Deletes a tree with its folders and nodes. Must run inside a write transaction. */
export function deleteTreeRows(s: TreeStatements, treeId: number): void {
  s.deleteNodes.run(treeId);
  s.deleteDirs.run(treeId);
  s.deleteTree.run(treeId);
}

/** A node row with the key columns it is inserted with. */
export type KeyedNodeRow = NodeRow & { tree_id: number; parent_id: number };
