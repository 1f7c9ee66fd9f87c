/** Mapping restic's snapshots to the API's, and listing a repository's snapshots. */
import { create } from "@bufbuild/protobuf";
import type { Repo } from "../../gen/v1/config_pb.js";
import { type ResticSnapshot, ResticSnapshotSchema } from "../../gen/v1/restic_pb.js";
import type { Snapshot } from "../restic/types.js";
import type { OrchestratorDeps } from "./deps.js";
import { resticRepoOf } from "./repo-target.js";
import { isRecycled, planOfTags } from "./snapshot-tags.js";

/** The API form of a restic snapshot, with its plan taken from its tags. */
export function toResticSnapshot(s: Snapshot): ResticSnapshot {
  return create(ResticSnapshotSchema, {
    id: s.id,
    shortId: s.shortId,
    unixTimeMs: BigInt(s.unixTimeMs),
    hostname: s.hostname,
    username: s.username,
    tree: s.tree,
    parent: s.parent,
    paths: s.paths,
    tags: s.tags,
    planId: planOfTags(s.tags),
  });
}

/**
 * The repository's snapshots straight from restic (so snapshots made elsewhere show),
 * oldest first: those of one plan when `planId` is set, and either the live ones or the
 * ones in the recycle bin.
 */
export async function listSnapshots(
  deps: OrchestratorDeps,
  repo: Repo,
  filter: { planId?: string; recycled: boolean },
  signal?: AbortSignal,
): Promise<ResticSnapshot[]> {
  const all = await deps.restic.snapshots(resticRepoOf(repo), undefined, { signal });
  return all
    .filter((s) => isRecycled(s.tags) === filter.recycled)
    .filter((s) => !filter.planId || planOfTags(s.tags) === filter.planId)
    .sort((a, b) => a.unixTimeMs - b.unixTimeMs)
    .map(toResticSnapshot);
}
