/**
 * `restwell doctor`: checks this machine's setup without a daemon (restic, config file, data
 * directory, every repository) and says how to fix each problem.
 */
import type { Config } from "../../gen/v1/config_pb.js";
import { maskUri } from "../hooks/redact.js";
import { resticRepoOf } from "../orchestrator/repo-target.js";
import { type Restic, ResticError, versionAtLeast } from "../restic/index.js";
import { COMMON_HELP, parseCommand } from "./args.js";
import { type Command, printHelp, wantsJson } from "./command.js";
import { checkConfigFile, issueText } from "./config-check.js";
import { type CliContext, EXIT } from "./context.js";
import { type Check, checkConfigMode, checkDataDir, findExecutable } from "./doctor-files.js";
import {
  LOCAL_HELP,
  LOCAL_OPTIONS,
  type LocalSettings,
  localRestic,
  localSettings,
} from "./local-settings.js";
import { writeJson } from "./output.js";

const HELP = `Usage: restwell doctor [options]

Checks the setup on this machine, without a daemon: restic (found, version 0.14 or newer),
the config file (loads and validates), the data directory (exists, mode 0700 or tighter,
writable) and every repository in the config (reachable, password opens it). Prints what to
fix; exits 1 when something must be fixed.

Options:
  --repo-timeout SECONDS  longest wait for each repository (default 60)
${COMMON_HELP}
${LOCAL_HELP}`;

const OPTIONS = { ...LOCAL_OPTIONS, "repo-timeout": { type: "string" } } as const;

export const doctorCommand: Command = {
  name: "doctor",
  help: HELP,
  async run(args, ctx) {
    const parsed = parseCommand(args, OPTIONS, HELP, { min: 0, max: 0 });
    if (parsed === "help") return printHelp(ctx, HELP);
    const timeout = Number(parsed.values["repo-timeout"] ?? 60);
    const settings = localSettings(parsed.values, ctx.env);
    const checks = await runChecks(
      settings,
      Number.isFinite(timeout) && timeout > 0 ? timeout : 60,
    );
    const failed = checks.filter((c) => c.status === "fail").length;
    if (wantsJson(parsed.values)) writeJson(ctx.stdout, { ok: failed === 0, checks });
    else print(ctx, checks, failed);
    return failed === 0 ? EXIT.OK : EXIT.FAILED;
  },
};

/** Runs every check in order; repositories are checked only when restic and the config work. */
export async function runChecks(
  settings: LocalSettings,
  repoTimeoutSeconds: number,
): Promise<Check[]> {
  const restic = localRestic(settings);
  const resticCheck = await checkRestic(restic, settings);
  const config = checkConfigFile(settings.configPath);
  const checks: Check[] = [resticCheck];
  if (config.missing) {
    checks.push({
      name: "config",
      status: "warn",
      message: `no config file at ${settings.configPath}`,
      fix: "`restwell serve` writes a default one on first start; or bring Backrest's with `restwell import-backrest`",
    });
  } else if (config.issues.length > 0) {
    checks.push({
      name: "config",
      status: "fail",
      message: `${settings.configPath} has ${config.issues.length} problem(s): ${config.issues.map(issueText).join("; ")}`,
      fix: "edit the file (`restwell config validate` lists the problems with their paths)",
    });
  } else {
    const cfg = config.config as Config;
    checks.push({
      name: "config",
      status: "ok",
      message: `${settings.configPath} is valid (${cfg.repos.length} repos, ${cfg.plans.length} plans)`,
    });
    const mode = checkConfigMode(settings.configPath);
    if (mode) checks.push(mode);
  }
  checks.push(checkDataDir(settings.dataDir));
  if (resticCheck.status === "ok" && config.config && config.issues.length === 0) {
    for (const repo of config.config.repos) {
      checks.push(await checkRepo(restic, repo, repoTimeoutSeconds));
    }
  }
  return checks;
}

async function checkRestic(restic: Restic, settings: LocalSettings): Promise<Check> {
  const path = findExecutable(settings.resticCommand, settings.resticEnv.PATH);
  const fix =
    "install restic 0.14 or newer (e.g. `apt-get install restic`), or point --restic-cmd / RESTWELL_RESTIC_COMMAND at it";
  if (!path)
    return {
      name: "restic",
      status: "fail",
      message: `"${settings.resticCommand}" was not found${settings.resticCommand.includes("/") ? "" : " on PATH"}`,
      fix,
    };
  try {
    const version = await restic.version();
    if (!versionAtLeast(version, 0, 14))
      return {
        name: "restic",
        status: "fail",
        message: `restic ${version.version} at ${path} is too old`,
        fix,
      };
    return { name: "restic", status: "ok", message: `restic ${version.version} (${path})` };
  } catch (err) {
    return {
      name: "restic",
      status: "fail",
      message: `${path} does not work: ${errorText(err)}`,
      fix,
    };
  }
}

async function checkRepo(
  restic: Restic,
  repo: Config["repos"][number],
  timeoutSeconds: number,
): Promise<Check> {
  const name = `repo ${repo.id}`;
  const where = maskUri(repo.uri);
  try {
    await restic.repoId(resticRepoOf(repo), { signal: AbortSignal.timeout(timeoutSeconds * 1000) });
    return { name, status: "ok", message: `${where} is reachable and the password opens it` };
  } catch (err) {
    if (err instanceof ResticError && err.kind === "repo-not-found") {
      return repo.autoInitialize
        ? {
            name,
            status: "ok",
            message: `${where} does not exist yet; it is created on first use (autoInitialize)`,
          }
        : {
            name,
            status: "fail",
            message: `there is no repository at ${where}`,
            fix: `create it (\`restic init\`), set "autoInitialize": true on repo "${repo.id}", or fix its uri`,
          };
    }
    if (err instanceof ResticError && err.kind === "wrong-password")
      return {
        name,
        status: "fail",
        message: `the password does not open ${where}`,
        fix: `fix the password of repo "${repo.id}" (or its RESTIC_PASSWORD_* env entries)`,
      };
    return {
      name,
      status: "fail",
      message: `${where} cannot be reached: ${errorText(err)}`,
      fix: "check the uri, the network and the credentials in the repo's env entries",
    };
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error && err.name === "TimeoutError") return "no answer in time";
  return err instanceof Error ? err.message : String(err);
}

const MARK = { ok: "ok  ", warn: "warn", fail: "FAIL" } as const;

function print(ctx: CliContext, checks: Check[], failed: number): void {
  for (const c of checks) {
    ctx.stdout.write(`${MARK[c.status]}  ${c.name}: ${c.message}\n`);
    if (c.fix && c.status !== "ok") ctx.stdout.write(`      fix: ${c.fix}\n`);
  }
  ctx.stdout.write(failed === 0 ? "no problems found\n" : `${failed} problem(s) to fix\n`);
}
