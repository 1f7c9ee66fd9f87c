/**
 * How a TreeNode is stored in a `nodes` row, compactly: the type as a small integer, atime
 * and ctime as NULL when they equal mtime (usual for restored or unchanged files), an empty
 * link target as NULL, and neither path nor parent path (the key has the parent's id).
 */

import { joinPath } from "./tree-paths.js";
import type { TreeNode } from "./types.js";

const TYPES = ["file", "dir", "symlink", "dev", "chardev", "fifo", "socket", "irregular"];
const TYPE_CODES = new Map(TYPES.map((type, code) => [type, code]));

/** The stored columns of a node, except its key. */
export interface NodeRow {
  name: string;
  /** An index into TYPES, or the type itself when restic reports one this code does not know. */
  type: number | string;
  uid: number;
  gid: number;
  size: number;
  mode: number;
  mtime: string;
  atime: string | null;
  ctime: string | null;
  link_target: string | null;
}

/** The row a node is stored as. */
export function encodeNode(node: TreeNode, name: string): NodeRow {
  return {
    name,
    type: TYPE_CODES.get(node.type) ?? node.type,
    uid: node.uid,
    gid: node.gid,
    size: node.size,
    mode: node.mode,
    mtime: node.mtime,
    atime: node.atime === node.mtime ? null : node.atime,
    ctime: node.ctime === node.mtime ? null : node.ctime,
    link_target: node.linkTarget === "" ? null : node.linkTarget,
  };
}

/** The node a row of folder `parent` stands for. */
export function decodeNode(row: NodeRow, parent: string): TreeNode {
  return {
    name: row.name,
    type: typeof row.type === "number" ? (TYPES[row.type] ?? String(row.type)) : row.type,
    path: joinPath(parent, row.name),
    uid: row.uid,
    gid: row.gid,
    size: row.size,
    mode: row.mode,
    mtime: row.mtime,
    atime: row.atime ?? row.mtime,
    ctime: row.ctime ?? row.mtime,
    linkTarget: row.link_target ?? "",
  };
}

/** True for a row of a folder. */
export const isDirRow = (row: NodeRow): boolean => row.type === TYPE_CODES.get("dir");
