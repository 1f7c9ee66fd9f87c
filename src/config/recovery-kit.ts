/**
 * The recovery kit: one text file with every repository's location, password, environment
 * and flags, and the restic commands to reach the backups without Restwell. It IS the secret
 * the rest of the daemon guards, so it is built only on an admin's confirmed request.
 */
import type { Config, Plan, Repo } from "../../gen/v1/config_pb.js";

/** A file to download. */
export interface RecoveryKitFile {
  filename: string;
  content: string;
}

const RULE = "-".repeat(72);
/** A name bash accepts after `export`. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Builds the kit for `cfg` as of `nowMs`. Pure: reads nothing but its arguments. */
export function buildRecoveryKit(cfg: Config, nowMs: number): RecoveryKitFile {
  const created = new Date(nowMs).toISOString();
  const lines = [
    "RESTWELL RECOVERY KIT",
    "=====================",
    `Instance: ${cfg.instance}`,
    `Created:  ${created}`,
    "",
    "WARNING: this file holds the passwords (and any cloud credentials) of your backups.",
    "Anyone who has it can read and delete them. Print it or keep it offline (a password",
    "manager, a safe), never next to the backups, and delete downloaded copies you do not keep.",
    "If a repository's password is rotated later, this kit no longer opens it: make a new one.",
    "",
    "To restore without Restwell, install restic (https://restic.net) and run the commands",
    "under each repository in a bash shell. Snapshots Restwell made carry the tag",
    "plan:<plan id>.",
  ];
  if (cfg.repos.length === 0) lines.push("", "There are no repositories in the config.");
  for (const repo of cfg.repos) {
    lines.push(
      "",
      ...repoSection(
        repo,
        cfg.plans.filter((p) => p.repo === repo.id),
      ),
    );
  }
  return {
    filename: `restwell-recovery-kit-${fileSafe(cfg.instance)}-${created.slice(0, 10)}.txt`,
    content: `${lines.join("\n")}\n`,
  };
}

/** One repository: its settings as stored, then the commands. */
function repoSection(repo: Repo, plans: Plan[]): string[] {
  const lines = [
    RULE,
    `Repository "${repo.id}"`,
    RULE,
    `URI:           ${repo.uri}`,
    `Password:      ${repo.password || "(not in the config: restic gets it from the environment below)"}`,
  ];
  if (repo.guid) lines.push(`Repository id: ${repo.guid}`);
  if (repo.env.length > 0) lines.push("Environment:", ...repo.env.map((e) => `  ${e}`));
  if (repo.env.some((e) => /^RESTIC_PASSWORD_FILE=/.test(e)))
    lines.push("  (RESTIC_PASSWORD_FILE names a file: keep a copy of that file with this kit)");
  if (repo.flags.length > 0) lines.push(`Flags:         ${repo.flags.join(" ")}`);
  for (const plan of plans) lines.push(`Plan:          ${plan.id} (${plan.paths.join(", ")})`);
  return [...lines, "", "Commands:", "", ...repoCommands(repo, plans).map((c) => `  ${c}`)];
}

/** Copy-paste bash commands: the environment, then listing, restoring and mounting. */
export function repoCommands(repo: Repo, plans: Plan[]): string[] {
  const restic = ["restic", ...repo.flags.map(shellQuote)].join(" ");
  const target = `./restore-${fileSafe(repo.id)}`;
  const lines = [`export RESTIC_REPOSITORY=${shellQuote(repo.uri)}`];
  if (repo.password) lines.push(`export RESTIC_PASSWORD=${shellQuote(repo.password)}`);
  for (const entry of repo.env) {
    const eq = entry.indexOf("=");
    const name = entry.slice(0, eq);
    if (eq > 0 && ENV_NAME.test(name))
      lines.push(`export ${name}=${shellQuote(entry.slice(eq + 1))}`);
  }
  lines.push(
    `${restic} snapshots`,
    `${restic} restore latest --target ${target}`,
    ...plans.map(
      (p) =>
        `${restic} restore latest --tag ${shellQuote(`plan:${p.id}`)} --target ${target}-${fileSafe(p.id)}`,
    ),
    `mkdir -p ./mnt-${fileSafe(repo.id)} && ${restic} mount ./mnt-${fileSafe(repo.id)}`,
  );
  return lines;
}

/** `value` as one bash word: single-quoted unless it is plainly safe. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `value` reduced to characters safe in a file name; "restwell" when nothing is left. */
function fileSafe(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+|-+$/g, "") || "restwell";
}
