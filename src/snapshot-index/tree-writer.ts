/**
 * Writes one snapshot's tree into a not yet complete `trees` row, in batched transactions,
 * and makes it visible in one final transaction.
 */
import type Database from "better-sqlite3";
import { ConflictError } from "../errors.js";
import { encodeNode } from "./node-codec.js";
import { evictLeastRecentlyUsed } from "./retention.js";
import {
  type DirRow,
  deleteTreeRows,
  type KeyedNodeRow,
  type TreeStatements,
} from "./statements.js";
import { normalizePath, ROOT, splitPath } from "./tree-paths.js";
import type { TreeWriter } from "./types.js";

/** Nodes per write transaction: large enough to amortize commits, small enough for memory. */
export const BATCH_NODES = 10_000;

/** What a writer needs from its store. */
export interface TreeWriterContext {
  db: Database.Database;
  s: TreeStatements;
  now: () => number;
  maxNodes: number;
}

/**
 * Starts writing the tree of (repoGuid, snapshotId) into a new incomplete tree row. Folders
 * are interned in memory while writing (one entry per folder, not per node) and stored with
 * their direct file totals at commit.
 */
export function beginTree(ctx: TreeWriterContext, repoGuid: string, snapshotId: string) {
  const { db, s } = ctx;
  const { id: treeId } = s.insertTree.get(repoGuid, snapshotId, ctx.now()) as { id: number };
  const dirs = new Map<string, DirRow>();
  let buffer: KeyedNodeRow[] = [];
  let nodeCount = 0;
  let state: "open" | "committed" | "aborted" = "open";

  const intern = (path: string): DirRow => {
    let dir = dirs.get(path);
    if (dir === undefined) {
      dir = { path, id: dirs.size + 1, files: 0, bytes: 0 };
      dirs.set(path, dir);
    }
    return dir;
  };
  intern(ROOT);

  const writeBuffer = () => {
    if (s.treeExists.get(treeId) === undefined) {
      throw new ConflictError(
        `the tree of snapshot ${snapshotId} was dropped while being written; list it again`,
      );
    }
    for (const row of buffer) s.insertNode.run(row);
    buffer = [];
  };
  const flush = db.transaction(writeBuffer);
  const finish = db.transaction(() => {
    writeBuffer();
    for (const d of dirs.values()) s.insertDir.run(treeId, d.path, d.id, d.files, d.bytes);
    s.completeTree.run(nodeCount, ctx.now(), treeId);
    for (const old of s.otherCopies.all(repoGuid, snapshotId, treeId) as number[]) {
      deleteTreeRows(s, old);
    }
    evictLeastRecentlyUsed(s, ctx.maxNodes, treeId);
  });
  const drop = db.transaction(() => deleteTreeRows(s, treeId));
  const release = (next: "committed" | "aborted") => {
    state = next;
    buffer = [];
    dirs.clear();
  };

  const writer: TreeWriter = {
    add(node) {
      if (state !== "open") throw new Error(`tree writer is already ${state}`);
      const path = normalizePath(node.path);
      const split = splitPath(path);
      if (split === undefined) return;
      const parent = intern(split.parent);
      if (node.type === "dir") intern(path);
      if (node.type === "file") {
        parent.files++;
        parent.bytes += node.size;
      }
      buffer.push({ ...encodeNode(node, split.name), tree_id: treeId, parent_id: parent.id });
      nodeCount++;
      if (buffer.length >= BATCH_NODES) runOrAbort(() => flush.immediate());
    },
    commit() {
      if (state !== "open") throw new Error(`tree writer is already ${state}`);
      runOrAbort(() => finish.immediate());
      release("committed");
    },
    abort() {
      if (state !== "open") return;
      release("aborted");
      // After close() the leftovers are dropped when the file is next opened.
      if (db.open) drop.immediate();
    },
  };
  /** A failed write aborts the writer, so a caller's later commit() cannot publish a gap. */
  const runOrAbort = (fn: () => void) => {
    try {
      fn();
    } catch (error) {
      writer.abort();
      throw error;
    }
  };
  return writer;
}
