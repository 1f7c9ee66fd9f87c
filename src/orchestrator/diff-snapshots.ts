/** Comparing two snapshots of a repository (restic diff), for the snapshots view. */
import { create } from "@bufbuild/protobuf";
import type { Repo } from "../../gen/v1/config_pb.js";
import {
  type DiffSnapshotsResponse,
  DiffSnapshotsResponseSchema,
} from "../../gen/v1/service_pb.js";
import { MAX_DIFF_CHANGES } from "../restic/diff.js";
import type { DiffResult } from "../restic/types.js";
import type { OrchestratorDeps } from "./deps.js";
import { resticRepoOf } from "./repo-target.js";

/**
 * What changed from `snapshotA` (the older) to `snapshotB` (the newer): at most
 * MAX_DIFF_CHANGES paths in restic's order (`truncated` when there were more) and restic's
 * totals. Rejects with ResticError kind "snapshot-not-found" when either id is not in the
 * repository.
 */
export async function diffSnapshots(
  deps: Pick<OrchestratorDeps, "restic">,
  repo: Repo,
  snapshotA: string,
  snapshotB: string,
  signal?: AbortSignal,
): Promise<DiffSnapshotsResponse> {
  const diff = await deps.restic.diff(resticRepoOf(repo), snapshotA, snapshotB, {
    signal,
    maxChanges: MAX_DIFF_CHANGES,
  });
  return toDiffResponse(diff);
}

/** The API form of a diff. */
export function toDiffResponse(diff: DiffResult): DiffSnapshotsResponse {
  const { added, removed } = diff.statistics;
  return create(DiffSnapshotsResponseSchema, {
    changes: diff.changes.map((c) => ({ path: c.path, modifier: c.modifier })),
    truncated: diff.truncated,
    filesAdded: BigInt(added.files),
    filesRemoved: BigInt(removed.files),
    filesChanged: BigInt(diff.statistics.changedFiles),
    dirsAdded: BigInt(added.dirs),
    dirsRemoved: BigInt(removed.dirs),
    bytesAdded: BigInt(added.bytes),
    bytesRemoved: BigInt(removed.bytes),
  });
}
