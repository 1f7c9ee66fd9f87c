/** The readable multi-line summary behind `{{ .Summary }}`. */
import type { HookEvent } from "./event.js";
import { formatSizeIec, summaryNumber } from "./format.js";
import { maskUri } from "./redact.js";
import { formatGoDuration, formatRfc3339 } from "./template/values.js";

const LABELS: Array<[key: string, label: string, bytes?: boolean]> = [
  ["filesNew", "Files new"],
  ["filesChanged", "Files changed"],
  ["filesUnmodified", "Files unmodified"],
  ["dirsNew", "Dirs new"],
  ["dirsChanged", "Dirs changed"],
  ["dirsUnmodified", "Dirs unmodified"],
  ["dataBlobs", "Data blobs"],
  ["treeBlobs", "Tree blobs"],
  ["dataAdded", "Data added", true],
  ["totalFilesProcessed", "Total files processed"],
  ["totalBytesProcessed", "Total bytes processed", true],
  ["totalDuration", "Total duration (s)"],
];

/** Keys already shown elsewhere in the summary. */
const SKIPPED = new Set(["snapshotId"]);

/** "Label: value" lines for the event's summary numbers, known keys first. */
export function summaryLines(summary: Record<string, number | string> | undefined): string[] {
  if (!summary) return [];
  const known = new Set(LABELS.map(([k]) => k));
  const lines: string[] = [];
  for (const [key, label, bytes] of LABELS) {
    if (summary[key] === undefined) continue;
    const n = summaryNumber(summary, key);
    lines.push(`${label}: ${bytes && n !== undefined ? formatSizeIec(n) : String(summary[key])}`);
  }
  for (const [key, value] of Object.entries(summary)) {
    if (!known.has(key) && !SKIPPED.has(key)) lines.push(`${key}: ${String(value)}`);
  }
  return lines;
}

/** A readable multi-line summary of the event (no secrets: the repo URI is masked). */
export function readableSummary(event: HookEvent): string {
  const lines = [`Restwell ${event.event}`];
  if (event.instance) lines.push(`Instance: ${event.instance}`);
  if (event.plan) lines.push(`Plan: ${event.plan.id}`);
  lines.push(`Repo: ${event.repo.id}${event.repo.uri ? ` (${maskUri(event.repo.uri)})` : ""}`);
  if (event.snapshotId) lines.push(`Snapshot: ${event.snapshotId}`);
  lines.push(`Time: ${formatRfc3339(event.time)}`);
  if (event.durationMs !== undefined) lines.push(`Duration: ${formatGoDuration(event.durationMs)}`);
  if (event.error) lines.push(`Error: ${event.error}`);
  lines.push(...summaryLines(event.summary));
  return lines.join("\n");
}
