/** The checks a plan passes before the form sends it; the daemon checks again. */
import type { Config, Plan } from "../../../../gen/v1/config_pb";
import { hookProblems } from "../../components/hooks-editor";
import { scheduleProblems } from "../../components/schedule-editor";
import { databaseProblems } from "./database-checks";
import { retentionProblems } from "./retention-editor";

/** The id pattern of plans, repos and the instance. */
export const ID_PATTERN = /^[A-Za-z0-9_.-]+$/;

/**
 * Problems of a plan, keyed by field ("id", "paths", "paths[1]", "schedule.cron", "hooks[0]",
 * "databases[0].port").
 */
export function planProblems(plan: Plan, config: Config | undefined, isNew: boolean) {
  const out = new Map<string, string>();
  if (!ID_PATTERN.test(plan.id)) out.set("id", "Use letters, digits, dots, dashes or underscores.");
  else if (isNew && config?.plans.some((p) => p.id === plan.id))
    out.set("id", `A plan "${plan.id}" already exists; choose another id.`);
  if (!plan.repo) out.set("repo", "Choose the repo to back up to.");
  if (plan.paths.length === 0 && plan.databases.length === 0)
    out.set("paths", "Add at least one path or database to back up.");
  plan.paths.forEach((p, i) => {
    if (!p.startsWith("/")) out.set(`paths[${i}]`, "Use an absolute path (starting with /).");
  });
  plan.excludes.forEach((p, i) => {
    if (!p.trim()) out.set(`excludes[${i}]`, "Enter a pattern or remove the entry.");
  });
  plan.iexcludes.forEach((p, i) => {
    if (!p.trim()) out.set(`iexcludes[${i}]`, "Enter a pattern or remove the entry.");
  });
  plan.backupFlags.forEach((f, i) => {
    if (!f.startsWith("-"))
      out.set(`backup_flags[${i}]`, "A flag starts with -, e.g. --one-file-system.");
  });
  for (const [field, message] of scheduleProblems(plan.schedule))
    out.set(`schedule.${field}`, message);
  for (const [field, message] of retentionProblems(plan.retention))
    out.set(`retention.${field}`, message);
  plan.databases.forEach((d, i) => {
    for (const [field, message] of databaseProblems(d, plan.databases, i))
      out.set(`databases[${i}].${field}`, message);
  });
  plan.hooks.forEach((h, i) => {
    if (hookProblems(h).size > 0) out.set(`hooks[${i}]`, "This hook is incomplete.");
  });
  const pre = plan.precondition?.check;
  if (pre?.case === "tcpAddress" && !/^\S+:\d+$/.test(pre.value))
    out.set("precondition", "Enter host:port, e.g. nas.local:445.");
  if (pre?.case === "command" && !pre.value.trim()) out.set("precondition", "Enter a command.");
  return out;
}

/** Entries of a list field with problems, by index (for StringList). */
export function entryProblems(problems: Map<string, string>, field: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const [key, message] of problems) {
    const m = new RegExp(`^${field}\\[(\\d+)\\]$`).exec(key);
    if (m) out.set(Number(m[1]), message);
  }
  return out;
}
