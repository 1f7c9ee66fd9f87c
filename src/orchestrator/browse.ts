/**
 * Browsing snapshots. A snapshot's whole tree is read once with a single `restic ls` and
 * kept in the tree index; every folder after that is served from the index.
 */
import { create } from "@bufbuild/protobuf";
import type { Repo } from "../../gen/v1/config_pb.js";
import { type LsEntry, LsEntrySchema } from "../../gen/v1/service_pb.js";
import { NotFoundError } from "../errors.js";
import type { OrchestratorDeps, TreeNode } from "./deps.js";
import { resticRepoOf } from "./repo-target.js";

/** Tree reads in flight, so concurrent first listings of one snapshot share one `restic ls`. */
const inFlight = new WeakMap<OrchestratorDeps, Map<string, Promise<void>>>();

/** Makes sure the snapshot's tree is in the index, reading it with `restic ls` if needed. */
export async function ensureTree(
  deps: OrchestratorDeps,
  repo: Repo,
  snapshotId: string,
  signal?: AbortSignal,
): Promise<void> {
  if (deps.trees.has(repo.guid, snapshotId)) return;
  const pending = inFlight.get(deps) ?? new Map<string, Promise<void>>();
  inFlight.set(deps, pending);
  const key = `${repo.guid}/${snapshotId}`;
  let read = pending.get(key);
  if (!read) {
    read = readTree(deps, repo, snapshotId, signal).finally(() => pending.delete(key));
    pending.set(key, read);
  }
  await read;
}

async function readTree(
  deps: OrchestratorDeps,
  repo: Repo,
  snapshotId: string,
  signal?: AbortSignal,
) {
  const writer = deps.trees.begin(repo.guid, snapshotId);
  try {
    await deps.restic.ls(resticRepoOf(repo), snapshotId, {
      signal,
      onNode: (node) => writer.add(node),
    });
    writer.commit();
  } catch (err) {
    writer.abort();
    throw err;
  }
}

/** One folder of a snapshot, folders first. Throws NotFoundError for a folder not in the snapshot. */
export async function listSnapshotFolder(
  deps: OrchestratorDeps,
  repo: Repo,
  snapshotId: string,
  folder: string,
  signal?: AbortSignal,
): Promise<LsEntry[]> {
  await ensureTree(deps, repo, snapshotId, signal);
  const nodes = deps.trees.listFolder(repo.guid, snapshotId, folder);
  if (!nodes) throw new NotFoundError("folder", `${folder}" in snapshot "${snapshotId}`);
  return nodes.map(toLsEntry);
}

/** The API form of a tree node. */
export function toLsEntry(n: TreeNode): LsEntry {
  return create(LsEntrySchema, {
    name: n.name,
    type: n.type,
    path: n.path,
    uid: BigInt(n.uid),
    gid: BigInt(n.gid),
    size: BigInt(n.size),
    mode: BigInt(n.mode),
    mtime: n.mtime,
    atime: n.atime,
    ctime: n.ctime,
    linkTarget: n.linkTarget,
  });
}
