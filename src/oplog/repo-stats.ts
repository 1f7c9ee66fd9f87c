/** The repository size a stats run recorded, as the dashboard, metrics and alerts read it. */
import type { RepoStats } from "../../gen/v1/restic_pb.js";
import type { OpStore } from "./types.js";

/** How many of a repo's newest operations are searched for its latest stats run. */
const WINDOW = 500;

/**
 * The stats of the repo's newest stats run that recorded some (optionally only runs older
 * than operation `beforeId`), or undefined when none is among its newest operations.
 */
export function latestRepoStats(
  store: OpStore,
  repoId: string,
  beforeId?: bigint,
): RepoStats | undefined {
  const ops = store.query({ selector: { repoId }, lastN: WINDOW });
  for (let i = ops.length - 1; i >= 0; i--) {
    const op = ops[i];
    if (!op || (beforeId !== undefined && op.id >= beforeId)) continue;
    if (op.op.case === "operationStats" && op.op.value.stats) return op.op.value.stats;
  }
  return undefined;
}
