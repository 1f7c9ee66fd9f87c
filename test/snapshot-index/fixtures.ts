/**
 * Helpers shared by the snapshot index tests.
 */
import type { SnapshotTreeStore, TreeNode } from "../../src/snapshot-index/index.js";

const T = "2024-03-01T10:00:00.123456789+01:00";

/** A node at `path`; a "dir" unless a size is given, then a "file". */
export function node(path: string, init: Partial<TreeNode> = {}): TreeNode {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const isFile = init.size !== undefined || init.type === "file";
  return {
    name,
    type: isFile ? "file" : "dir",
    path,
    uid: 1000,
    gid: 1000,
    size: 0,
    mode: isFile ? 0o644 : 0x80000000 | 0o755,
    mtime: T,
    atime: T,
    ctime: T,
    linkTarget: "",
    ...init,
  };
}

/**
 * A small tree like restic 0.14 lists a backup of /srv/data: the ancestors first, then the
 * backed-up folder depth first.
 */
export function smallTree(): TreeNode[] {
  return [
    node("/srv"),
    node("/srv/data"),
    node("/srv/data/b-dir"),
    node("/srv/data/b-dir/deep.txt", { size: 7 }),
    node("/srv/data/a.txt", { size: 10, atime: "2024-03-02T00:00:00Z" }),
    node("/srv/data/c.txt", { size: 20, ctime: "2024-03-03T00:00:00Z" }),
    node("/srv/data/a-dir"),
    node("/srv/data/a-dir/x", { size: 1 }),
    node("/srv/data/empty"),
    node("/srv/data/link", { type: "symlink", linkTarget: "a.txt" }),
    node("/srv/data.txt", { size: 100 }),
  ];
}

/** Writes and commits `nodes` as the tree of (repo, snapshot). */
export function storeTree(
  store: SnapshotTreeStore,
  repo: string,
  snapshot: string,
  nodes: Iterable<TreeNode>,
): void {
  const writer = store.begin(repo, snapshot);
  for (const n of nodes) writer.add(n);
  writer.commit();
}

/** `folders` folders of `files` files each under /data, in restic's depth-first order. */
export function* syntheticTree(folders: number, files: number): Generator<TreeNode> {
  yield node("/data");
  for (let f = 0; f < folders; f++) {
    const dir = `/data/folder-${String(f).padStart(4, "0")}`;
    yield node(dir);
    for (let i = 0; i < files; i++) {
      yield node(`${dir}/file-${String(i).padStart(4, "0")}.bin`, { size: i + 1 });
    }
  }
}

/** Names of nodes, for compact assertions. */
export const namesOf = (nodes: readonly TreeNode[] | undefined) => nodes?.map((n) => n.name);
