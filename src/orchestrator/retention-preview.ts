/**
 * Which snapshots a retention policy keeps, computed the way `restic forget` decides
 * (restic's ApplyPolicy): snapshots newest first; each keep rule (last, hourly, daily,
 * weekly, monthly, yearly) keeps a snapshot when its bucket differs from the previous kept
 * bucket of that rule, until the rule's count is used up. Buckets use the daemon's local
 * time, as restic does for snapshots made on this machine. A preview only: the real forget
 * is always restic's own.
 */
import type { Config, RetentionPolicy } from "../../gen/v1/config_pb.js";
import type { ResticSnapshot } from "../../gen/v1/restic_pb.js";
import { NotFoundError } from "../errors.js";
import { instanceOfTags } from "./snapshot-tags.js";
import { keepRules } from "./tasks/forget.js";

/** A snapshot as the preview needs it. */
export interface PreviewSnapshot {
  id: string;
  unixTimeMs: number;
  /**
   * Its tags: snapshots are grouped by them like the plan's forget does (restic's
   * `--group-by tags`), and each group is decided on its own. Without tags, one group.
   */
  tags?: readonly string[];
}

/** The decision for one snapshot. */
export interface RetentionDecision<S = PreviewSnapshot> {
  snapshot: S;
  keep: boolean;
  /** Why it is kept, e.g. ["last snapshot", "daily snapshot"]; empty when removed. */
  reasons: string[];
}

type Bucket = (d: Date, index: number) => number;

/** ISO-8601 year and week, as Go's Time.ISOWeek. */
function isoWeek(d: Date): { year: number; week: number } {
  const t = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  const weekday = (t.getDay() + 6) % 7; // Monday = 0
  t.setDate(t.getDate() - weekday + 3); // the Thursday of this week decides the year
  const firstThursday = new Date(t.getFullYear(), 0, 4);
  const firstWeekday = (firstThursday.getDay() + 6) % 7;
  firstThursday.setDate(firstThursday.getDate() - firstWeekday + 3);
  const week = 1 + Math.round((t.getTime() - firstThursday.getTime()) / (7 * 86_400_000));
  return { year: t.getFullYear(), week };
}

const RULES: {
  key: "last" | "hourly" | "daily" | "weekly" | "monthly" | "yearly";
  reason: string;
  bucket: Bucket;
}[] = [
  { key: "last", reason: "last snapshot", bucket: (_d, i) => i },
  {
    key: "hourly",
    reason: "hourly snapshot",
    bucket: (d) =>
      d.getFullYear() * 1_000_000 + (d.getMonth() + 1) * 10_000 + d.getDate() * 100 + d.getHours(),
  },
  {
    key: "daily",
    reason: "daily snapshot",
    bucket: (d) => d.getFullYear() * 10_000 + (d.getMonth() + 1) * 100 + d.getDate(),
  },
  {
    key: "weekly",
    reason: "weekly snapshot",
    bucket: (d) => {
      const w = isoWeek(d);
      return w.year * 100 + w.week;
    },
  },
  {
    key: "monthly",
    reason: "monthly snapshot",
    bucket: (d) => d.getFullYear() * 100 + d.getMonth() + 1,
  },
  { key: "yearly", reason: "yearly snapshot", bucket: (d) => d.getFullYear() },
];

/**
 * The group of a snapshot under restic's `--group-by tags`: its set of tags (restic sorts
 * them before comparing, so their order does not matter).
 */
function tagGroup(s: PreviewSnapshot): string {
  return JSON.stringify([...(s.tags ?? [])].sort());
}

/**
 * Decides for every snapshot whether `policy` keeps it; returns them newest first. Snapshots
 * are grouped by their tags (see PreviewSnapshot.tags) and each group gets the whole policy,
 * as restic's forget does. A policy without rules (none, keep all, or all counts 0) keeps
 * everything, as the daemon does.
 */
export function previewRetention<S extends PreviewSnapshot>(
  snapshots: readonly S[],
  policy: RetentionPolicy | undefined,
): RetentionDecision<S>[] {
  const sorted = [...snapshots].sort((a, b) => b.unixTimeMs - a.unixTimeMs);
  const keep = keepRules(policy);
  if (!keep)
    return sorted.map((snapshot) => ({ snapshot, keep: true, reasons: ["no retention rule"] }));
  const groups = new Map<string, S[]>();
  for (const s of sorted) {
    const key = tagGroup(s);
    const group = groups.get(key);
    if (group) group.push(s);
    else groups.set(key, [s]);
  }
  const decided = new Map<S, RetentionDecision<S>>();
  for (const group of groups.values()) {
    for (const d of decideGroup(group, keep)) decided.set(d.snapshot, d);
  }
  return sorted.map((s) => decided.get(s) as RetentionDecision<S>);
}

/** Decides one group (newest first) the way restic's ApplyPolicy does. */
function decideGroup<S extends PreviewSnapshot>(
  sorted: readonly S[],
  keep: NonNullable<ReturnType<typeof keepRules>>,
): RetentionDecision<S>[] {
  const state = RULES.map((r) => ({ ...r, count: Math.floor(keep[r.key] ?? 0), last: Number.NaN }));
  return sorted.map((snapshot, index) => {
    const date = new Date(snapshot.unixTimeMs);
    const reasons: string[] = [];
    for (const rule of state) {
      if (rule.count <= 0) continue;
      const value = rule.bucket(date, index);
      if (value !== rule.last) {
        rule.last = value;
        rule.count--;
        reasons.push(rule.reason);
      }
    }
    return { snapshot, keep: reasons.length > 0, reasons };
  });
}

/**
 * The retention preview of a plan: its live snapshots made by this instance (the ones its
 * forget applies to), with `policy` (or the plan's own) decided for each, newest first;
 * grouped by tags like the forget, so each database source's snapshots are counted apart.
 */
export async function previewPlanRetention(
  cfg: Config,
  planId: string,
  policy: RetentionPolicy | undefined,
  listSnapshots: (repoId: string, planId: string) => Promise<ResticSnapshot[]>,
): Promise<RetentionDecision<ResticSnapshot>[]> {
  const plan = cfg.plans.find((p) => p.id === planId);
  if (!plan) throw new NotFoundError("plan", planId);
  const snapshots = (await listSnapshots(plan.repo, plan.id)).filter(
    (s) => instanceOfTags(s.tags) === cfg.instance,
  );
  const byId = new Map(snapshots.map((s) => [s.id, s]));
  return previewRetention(
    snapshots.map((s) => ({ id: s.id, unixTimeMs: Number(s.unixTimeMs), tags: s.tags })),
    policy ?? plan.retention,
  ).map((d) => ({ ...d, snapshot: byId.get(d.snapshot.id) as ResticSnapshot }));
}
