/** The messages used when a hook has no template of its own. */
import { operationOf } from "./conditions.js";
import type { HookEvent } from "./event.js";
import { formatSizeIec, summaryNumber } from "./format.js";
import { formatGoDuration } from "./template/values.js";

function subject(event: HookEvent): string {
  const op = operationOf(event.event);
  if (op === "backup" && event.plan)
    return `backup of plan ${event.plan.id} to repo ${event.repo.id}`;
  const plan = event.plan ? ` (plan ${event.plan.id})` : "";
  return `${op} of repo ${event.repo.id}${plan}`;
}

/** Whole seconds once past a second ("5s", "1m2s"), milliseconds below. */
function roundedDuration(ms: number): string {
  return formatGoDuration(ms >= 1000 ? Math.round(ms / 1000) * 1000 : ms);
}

function stats(event: HookEvent): string[] {
  const parts: string[] = [];
  const count = (key: string, label: string) => {
    const n = summaryNumber(event.summary, key);
    if (n !== undefined) parts.push(`${n} ${n === 1 ? label.replace("files", "file") : label}`);
  };
  count("filesNew", "files new");
  count("filesChanged", "files changed");
  const added = summaryNumber(event.summary, "dataAdded");
  if (added !== undefined) parts.push(`${formatSizeIec(added)} added`);
  return parts;
}

function completed(event: HookEvent, verb: string): string {
  const details = stats(event).join(", ");
  const took = event.durationMs === undefined ? "" : ` in ${roundedDuration(event.durationMs)}`;
  if (details) return `${verb}: ${details}${took}`;
  return `${verb}${took}`;
}

/**
 * A one-line message for the event, e.g. "Restwell backup of plan daily to repo nas completed:
 * 12 files new, 3.4 MiB added in 5s" or "Restwell prune of repo nas failed: <error>".
 */
export function defaultMessage(event: HookEvent): string {
  const head = `Restwell ${subject(event)}`;
  const outcome = event.event.split(".")[1] ?? event.event;
  const error = event.error ? `: ${event.error}` : "";
  switch (outcome) {
    case "started":
      return `${head} started`;
    case "completed":
    case "ended":
      return event.error ? `${head} failed${error}` : `${head} ${completed(event, "completed")}`;
    case "warning":
      return `${head} ${completed(event, "completed with warnings")}${error}`;
    case "failed":
      return `${head} failed${error || ": unknown error"}`;
    case "skipped":
      return `${head} skipped${error}`;
    default:
      return `${head}: ${event.event}${error}`;
  }
}

/** A short title for services that have one (gotify, ntfy): "Restwell: backup.failed (plan daily)". */
export function defaultTitle(event: HookEvent): string {
  const where = event.plan ? `plan ${event.plan.id}` : `repo ${event.repo.id}`;
  return `Restwell: ${event.event} (${where})`;
}

/** The default e-mail subject: "[Restwell] backup.failed: plan daily". */
export function defaultSubject(event: HookEvent): string {
  const where = event.plan ? `plan ${event.plan.id}` : `repo ${event.repo.id}`;
  return `[Restwell] ${event.event}: ${where}`;
}
