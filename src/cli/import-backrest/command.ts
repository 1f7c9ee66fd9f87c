/** `restwell import-backrest`: moves a Backrest installation's config and history to Restwell. */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Config } from "../../../gen/v1/config_pb.js";
import { realFs, writeFileAtomic } from "../../config/atomic-write.js";
import { HISTORY_DIR, keepVersion } from "../../config/config-history.js";
import { serializeConfig } from "../../config/index.js";
import { COMMON_HELP, flag, parseCommand } from "../args.js";
import { type Command, printHelp, wantsJson } from "../command.js";
import { checkConfigText, issueText } from "../config-check.js";
import { type CliContext, CliError, EXIT } from "../context.js";
import {
  home,
  LOCAL_HELP,
  LOCAL_OPTIONS,
  type LocalSettings,
  localSettings,
} from "../local-settings.js";
import { writeJson } from "../output.js";
import { type Dropped, findDropped } from "./carry-over.js";
import { indexRepositories, type RepoIndexResult } from "./index-repos.js";

const HELP = `Usage: restwell import-backrest [options]

Moves a Backrest installation to Restwell: reads Backrest's config.json, reports everything
that cannot be carried over, writes it as Restwell's config (--config-file), and indexes every
repository's snapshots into the data directory (--data-dir) so their history is there on
first start. Stop Backrest first. Exits 1 when nothing was written, or when a repository could
not be indexed (the config is written then; the daemon indexes it after its next backup).

Options:
  --from PATH           Backrest's config (env BACKREST_CONFIG; default
                        ~/.config/backrest/config.json)
  --force               replace an existing Restwell config (it is kept in config-history/)
  --no-index            write the config only, index no snapshots
${COMMON_HELP}
${LOCAL_HELP}`;

const OPTIONS = {
  ...LOCAL_OPTIONS,
  from: { type: "string" },
  force: { type: "boolean" },
  "no-index": { type: "boolean" },
} as const;

/** The outcome, as printed with --json. */
interface ImportReport {
  from: string;
  configPath: string;
  dataDir: string;
  repos: number;
  plans: number;
  users: number;
  dropped: Dropped[];
  indexed: RepoIndexResult[];
}

export const importBackrestCommand: Command = {
  name: "import-backrest",
  help: HELP,
  async run(args, ctx) {
    const parsed = parseCommand(args, OPTIONS, HELP, { min: 0, max: 0 });
    if (parsed === "help") return printHelp(ctx, HELP);
    const settings = localSettings(parsed.values, ctx.env);
    const from = resolve(flag(parsed.values, "from") ?? defaultBackrestConfig(ctx.env));
    const { config, dropped } = readBackrestConfig(from);
    writeConfig(settings, config, parsed.values.force === true);
    const report: ImportReport = {
      from,
      configPath: settings.configPath,
      dataDir: settings.dataDir,
      repos: config.repos.length,
      plans: config.plans.length,
      users: config.auth?.users.length ?? 0,
      dropped,
      indexed: parsed.values["no-index"] ? [] : await indexRepositories(settings),
    };
    if (wantsJson(parsed.values)) writeJson(ctx.stdout, report);
    else print(ctx, report, settings);
    return report.indexed.some((r) => r.error) ? EXIT.FAILED : EXIT.OK;
  },
};

/** $BACKREST_CONFIG, else Backrest's default $XDG_CONFIG_HOME/backrest/config.json. */
function defaultBackrestConfig(env: Record<string, string | undefined>): string {
  return (
    env.BACKREST_CONFIG ??
    join(env.XDG_CONFIG_HOME || join(home(env), ".config"), "backrest", "config.json")
  );
}

/** Reads, migrates and validates Backrest's file; any problem stops the import. */
function readBackrestConfig(from: string): { config: Config; dropped: Dropped[] } {
  let text: string;
  try {
    text = readFileSync(from, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new CliError(
      `cannot read Backrest's config ${from} (${code}); pass its location with --from`,
      EXIT.FAILED,
    );
  }
  const check = checkConfigText(text);
  if (!check.config || check.issues.length > 0)
    throw new CliError(
      `${from} cannot be imported; nothing was written. Fix these in Backrest first:\n${check.issues.map((i) => `  ${issueText(i)}`).join("\n")}`,
      EXIT.FAILED,
    );
  return { config: check.config, dropped: findDropped(JSON.parse(text), check.config) };
}

/** Writes the config atomically (mode 0600); an existing one is replaced only with --force. */
function writeConfig(settings: LocalSettings, config: Config, force: boolean): void {
  const path = settings.configPath;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (existsSync(path)) {
    if (!force)
      throw new CliError(
        `${path} already exists; nothing was written. Pass --force to replace it (the current file is kept in ${HISTORY_DIR}/), or choose another --config-file`,
        EXIT.FAILED,
      );
    const current = readFileSync(path);
    keepVersion(realFs, join(dirname(path), HISTORY_DIR), modnoOf(current), current, 10);
  }
  writeFileAtomic(realFs, path, serializeConfig(config));
}

function modnoOf(content: Buffer): number {
  try {
    return Number((JSON.parse(content.toString("utf8")) as { modno?: unknown }).modno) || 0;
  } catch {
    return 0;
  }
}

function print(ctx: CliContext, r: ImportReport, settings: LocalSettings): void {
  const out = ctx.stdout;
  out.write(`read ${r.from}: ${r.repos} repos, ${r.plans} plans, ${r.users} users\n`);
  if (r.dropped.length === 0) out.write("everything carries over\n");
  else {
    out.write(`not carried over (${r.dropped.length}):\n`);
    for (const d of r.dropped) out.write(`  ${d.path}: ${d.message}\n`);
  }
  out.write(`wrote ${r.configPath}\n`);
  for (const repo of r.indexed) {
    if (repo.error)
      ctx.stderr.write(`restwell: could not index repo ${repo.repoId}: ${repo.error}\n`);
    else
      out.write(
        `indexed repo ${repo.repoId}: ${repo.snapshots} snapshots (${repo.added} new) into ${r.dataDir}\n`,
      );
  }
  if (r.indexed.some((repo) => repo.error))
    ctx.stderr.write(
      "restwell: a repository that could not be indexed gets its history after its next backup, or from DoRepoTask TASK_INDEX_SNAPSHOTS once the daemon runs\n",
    );
  out.write(
    `start Restwell with: restwell serve --config-file ${settings.configPath} --data-dir ${settings.dataDir}\n`,
  );
}
