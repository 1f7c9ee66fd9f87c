/** `restic tag`: adding and removing tags on given snapshots. */
import { buildCallEnv } from "./env.js";
import { type InvokeContext, invoke } from "./invoke.js";
import { refusedError } from "./refuse.js";
import type { CallOptions, ResticRepo } from "./types.js";

/** Tags to add to and remove from snapshots. */
export interface TagChange {
  add?: string[];
  remove?: string[];
}

/**
 * The argv for `tag [--add=t]... [--remove=t]... -- ids...`, one flag per tag, or
 * undefined when there is nothing to do (no ids or no tags). Without ids restic would
 * retag every snapshot in the repository, so an empty list must never reach it.
 */
export function tagArgs(snapshotIds: readonly string[], change: TagChange): string[] | undefined {
  const add = change.add ?? [];
  const remove = change.remove ?? [];
  if (snapshotIds.length === 0 || add.length + remove.length === 0) return undefined;
  return [
    "tag",
    ...add.map((tag) => `--add=${tag}`),
    ...remove.map((tag) => `--remove=${tag}`),
    "--",
    ...snapshotIds,
  ];
}

/**
 * Runs `restic tag`. Does nothing for no ids or no tags. Rejects (without running restic)
 * a tag containing a comma, which restic would split into two tags. restic rewrites each
 * changed snapshot under a new id (the old id is kept in the new one's `original`).
 */
export async function runTag(
  ctx: InvokeContext,
  repo: ResticRepo,
  snapshotIds: string[],
  change: TagChange,
  opts?: CallOptions,
): Promise<void> {
  const args = tagArgs(snapshotIds, change);
  if (!args) return;
  const withComma = [...(change.add ?? []), ...(change.remove ?? [])].find((t) => t.includes(","));
  if (withComma !== undefined) {
    const { secrets } = buildCallEnv(ctx.baseEnv, repo);
    throw refusedError(
      `the tag "${withComma}" contains a comma, which restic reads as two tags; use a tag without commas`,
      args,
      secrets,
    );
  }
  await invoke(ctx, repo, { subcommand: "tag", args, signal: opts?.signal });
}
