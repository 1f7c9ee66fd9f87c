/**
 * Snapshot indexing: brings the operation log in step with the repository. Snapshots made
 * elsewhere get an index operation (plan from their plan: tag); ones no longer in the
 * repository are marked forgotten; changed tags (recycle bin) are updated.
 */
import { create, equals } from "@bufbuild/protobuf";
import type { Repo } from "../../../gen/v1/config_pb.js";
import { type Operation, OperationSchema, OperationStatus } from "../../../gen/v1/operations_pb.js";
import { ResticSnapshotSchema } from "../../../gen/v1/restic_pb.js";
import type { Snapshot } from "../../restic/types.js";
import type { OrchestratorDeps } from "../deps.js";
import { resticRepoOf } from "../repo-target.js";
import { instanceOfTags } from "../snapshot-tags.js";
import { toResticSnapshot } from "../snapshots.js";

export interface IndexResult {
  added: number;
  forgotten: number;
  updated: number;
  /** The repository's snapshots as restic listed them. */
  snapshots: Snapshot[];
}

/** Indexes `repo` (whose guid is known) against `restic snapshots`. */
export async function indexSnapshots(
  deps: OrchestratorDeps,
  repo: Repo,
  signal?: AbortSignal,
): Promise<IndexResult> {
  const snapshots = await deps.restic.snapshots(resticRepoOf(repo), undefined, { signal });
  // Only the index operations of these snapshots and of those still live, and the backups
  // that made new ones: a long history is never read in full.
  const state = deps.ops.snapshotIndexState(
    repo.guid,
    snapshots.map((s) => s.id),
  );
  const indexed = new Map<string, Operation>();
  for (const op of state.indexed) indexed.set(op.snapshotId, op);
  // The first backup of each snapshot id, so a new snapshot finds its flow.
  const backups = new Map<string, Operation>();
  for (const op of state.backups) if (!backups.has(op.snapshotId)) backups.set(op.snapshotId, op);
  const added: Operation[] = [];
  const changed: Operation[] = [];
  const live = new Set<string>();
  for (const s of snapshots) {
    live.add(s.id);
    const existing = indexed.get(s.id);
    if (!existing) added.push(newIndexOp(repo, s, backups.get(s.shortId) ?? backups.get(s.id)));
    else if (refresh(existing, s)) changed.push(existing);
  }
  for (const op of indexed.values()) {
    if (
      op.op.case === "operationIndexSnapshot" &&
      !live.has(op.snapshotId) &&
      !op.op.value.forgot
    ) {
      op.op.value.forgot = true;
      changed.push(op);
    }
  }
  if (added.length > 0) deps.ops.add(...added);
  if (changed.length > 0) deps.ops.update(...changed);
  deps.trees.retainOnly(repo.guid, [...live]);
  const forgotten = changed.filter(
    (op) => op.op.case === "operationIndexSnapshot" && op.op.value.forgot,
  ).length;
  return { added: added.length, forgotten, updated: changed.length - forgotten, snapshots };
}

/**
 * The index operation of a snapshot seen for the first time. A snapshot this daemon made
 * joins the flow of `backup`, its backup operation (restic 0.14 reports short ids).
 */
function newIndexOp(repo: Repo, s: Snapshot, backup: Operation | undefined): Operation {
  const snapshot = toResticSnapshot(s);
  return create(OperationSchema, {
    status: OperationStatus.STATUS_SUCCESS,
    repoId: repo.id,
    repoGuid: repo.guid,
    planId: snapshot.planId,
    instanceId: instanceOfTags(s.tags),
    snapshotId: s.id,
    flowId: backup?.flowId ?? 0n,
    unixTimeStartMs: BigInt(s.unixTimeMs),
    unixTimeEndMs: BigInt(s.unixTimeMs),
    op: { case: "operationIndexSnapshot", value: { snapshot } },
  });
}

/** Updates an index op whose snapshot changed (tags) or came back; true when it changed. */
function refresh(op: Operation, s: Snapshot): boolean {
  if (op.op.case !== "operationIndexSnapshot") return false;
  const snapshot = toResticSnapshot(s);
  const old = op.op.value.snapshot ?? create(ResticSnapshotSchema);
  if (equals(ResticSnapshotSchema, old, snapshot) && !op.op.value.forgot) return false;
  op.op.value.snapshot = snapshot;
  op.op.value.forgot = false;
  op.planId = snapshot.planId;
  return true;
}
