/** The checks a repo passes before the form sends it; the daemon checks again. */
import type { Config, Repo } from "../../../../gen/v1/config_pb";
import { hookProblems } from "../../components/hooks-editor";
import { scheduleProblems } from "../../components/schedule-editor";
import { ID_PATTERN } from "../plans/plan-checks";

/** Problems of a repo, keyed by field. */
export function repoProblems(repo: Repo, config: Config | undefined, isNew: boolean) {
  const out = new Map<string, string>();
  if (!ID_PATTERN.test(repo.id)) out.set("id", "Use letters, digits, dots, dashes or underscores.");
  else if (isNew && config?.repos.some((r) => r.id === repo.id))
    out.set("id", `A repo "${repo.id}" already exists; choose another id.`);
  if (!repo.uri) out.set("uri", "Enter where the repository is.");
  if (!repo.password) out.set("password", "Enter the repository's password.");
  repo.env.forEach((e, i) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(e)) out.set(`env[${i}]`, "Use NAME=value.");
  });
  repo.flags.forEach((f, i) => {
    if (!f.startsWith("-")) out.set(`flags[${i}]`, "A flag starts with -.");
  });
  const schedules = {
    "prunePolicy.schedule": repo.prunePolicy?.schedule,
    "checkPolicy.schedule": repo.checkPolicy?.schedule,
    "forgetPolicy.schedule": repo.forgetPolicy?.schedule,
  };
  for (const [path, schedule] of Object.entries(schedules))
    for (const [field, message] of scheduleProblems(schedule)) out.set(`${path}.${field}`, message);
  const pct = repo.prunePolicy?.maxUnusedPercent ?? 0;
  if (pct < 0 || pct > 100) out.set("prunePolicy.maxUnusedPercent", "Use 0 to 100.");
  const mode = repo.checkPolicy?.mode;
  if (mode?.case === "readDataSubsetPercent" && !(mode.value > 0 && mode.value <= 100))
    out.set("checkPolicy.readDataSubsetPercent", "Use more than 0, at most 100.");
  repo.hooks.forEach((h, i) => {
    if (hookProblems(h).size > 0) out.set(`hooks[${i}]`, "This hook is incomplete.");
  });
  return out;
}

/** Fields of a repo that decide whether restic can open it: what a connection test needs. */
const CONNECTION_FIELD = /^(uri|password|env\[\d+\]|flags\[\d+\])$/;

/** The problems among `problems` (from repoProblems) that keep a connection test from running. */
export function connectionProblems(problems: ReadonlyMap<string, string>): Map<string, string> {
  return new Map([...problems].filter(([field]) => CONNECTION_FIELD.test(field)));
}
