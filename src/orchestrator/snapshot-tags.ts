/**
 * The tags Restwell puts on snapshots and what they mean: which plan a snapshot belongs to,
 * which installation made it, and whether it sits in the recycle bin.
 */

const PLAN = "plan:";
const CREATED_BY = "created-by:";
/** Marks a snapshot in the recycle bin. */
export const RECYCLED = "restwell:recycled";
/** When it was recycled (unix ms), so old ones can be purged. */
const RECYCLED_AT = "restwell:recycled-at:";
/** The plan tag of a recycled snapshot, renamed so retention and plan listings skip it. */
const RECYCLED_PLAN = "restwell:recycled-plan:";

/** Marks a snapshot made from a stream (a database dump or an upload) rather than the plan's paths. */
const SOURCE = "restwell:source:";

/** Tags of a new snapshot of `planId` made by `instance`. */
export function backupTags(planId: string, instance: string): string[] {
  return [`${PLAN}${planId}`, `${CREATED_BY}${instance}`];
}

/**
 * Tags of a plan's snapshot of a stream: the plan's tags plus one naming the source, so that
 * retention (grouped by tags) keeps each source's snapshots apart from the paths' ones.
 * `source` is "upload" or "db:<database source name>".
 */
export function sourceBackupTags(planId: string, instance: string, source: string): string[] {
  return [...backupTags(planId, instance), `${SOURCE}${source}`];
}

/** The stream source of a snapshot ("upload", "db:<name>"), or "" for the plan's paths. */
export function sourceOfTags(tags: readonly string[]): string {
  return tagValue(tags, SOURCE);
}

function tagValue(tags: readonly string[], prefix: string): string {
  return tags.find((t) => t.startsWith(prefix))?.slice(prefix.length) ?? "";
}

/** The plan of a snapshot, including a recycled one. */
export function planOfTags(tags: readonly string[]): string {
  return tagValue(tags, PLAN) || tagValue(tags, RECYCLED_PLAN);
}

/** The installation that made a snapshot. */
export function instanceOfTags(tags: readonly string[]): string {
  return tagValue(tags, CREATED_BY);
}

export function isRecycled(tags: readonly string[]): boolean {
  return tags.includes(RECYCLED);
}

/** Unix ms when a snapshot was recycled, or 0. */
export function recycledAt(tags: readonly string[]): number {
  return Number(tagValue(tags, RECYCLED_AT)) || 0;
}

/** The tag change that moves a snapshot into the recycle bin. */
export function recycleChange(
  tags: readonly string[],
  nowMs: number,
): { add: string[]; remove: string[] } {
  const plan = tagValue(tags, PLAN);
  return {
    add: [RECYCLED, `${RECYCLED_AT}${nowMs}`, ...(plan ? [`${RECYCLED_PLAN}${plan}`] : [])],
    remove: plan ? [`${PLAN}${plan}`] : [],
  };
}

/** The tag change that takes a snapshot back out of the recycle bin. */
export function unrecycleChange(tags: readonly string[]): { add: string[]; remove: string[] } {
  const plan = tagValue(tags, RECYCLED_PLAN);
  return {
    add: plan ? [`${PLAN}${plan}`] : [],
    remove: tags.filter(
      (t) => t === RECYCLED || t.startsWith(RECYCLED_AT) || t.startsWith(RECYCLED_PLAN),
    ),
  };
}
