/** `restwell config get|set|validate`. */
import { readFileSync } from "node:fs";
import { parseConfigJson, serializeConfig } from "../config/index.js";
import { ValidationError } from "../errors.js";
import {
  COMMON_HELP,
  CONNECTION_HELP,
  CONNECTION_OPTIONS,
  parseCommand,
  usageError,
} from "./args.js";
import { type Command, printHelp, wantsJson, withDaemon } from "./command.js";
import { checkConfigFile, issueText } from "./config-check.js";
import { type CliContext, CliError, EXIT } from "./context.js";
import { LOCAL_HELP, LOCAL_OPTIONS, localSettings } from "./local-settings.js";
import { writeJson } from "./output.js";

const HELP = `Usage: restwell config get|set|validate [options]

  restwell config get               print the daemon's config (secrets shown as <redacted>)
  restwell config set FILE          replace the daemon's config with FILE (- for stdin)
  restwell config validate [FILE]   check a config file here, without a daemon

\`restwell config COMMAND --help\` tells more.
`;

const GET_HELP = `Usage: restwell config get [options]

Prints the running daemon's config as JSON (Backrest's config.json format). Secrets come back
as "<redacted>"; \`config set\` keeps the stored value wherever the marker is left in place.

Options:
${COMMON_HELP}
${CONNECTION_HELP}`;

const SET_HELP = `Usage: restwell config set FILE [options]

Replaces the running daemon's config with FILE (- reads stdin), typically an edited copy of
\`restwell config get\`. The daemon validates it and reports every problem; it refuses the
change when the config was changed since FILE's "modno" (run config get again). A file
without a modno replaces whatever config is current.

Options:
${COMMON_HELP}
${CONNECTION_HELP}`;

const VALIDATE_HELP = `Usage: restwell config validate [FILE] [options]

Checks a config file here, without a daemon, as \`restwell serve\` would at start-up, and
prints every problem with its path. FILE defaults to the configured config file. Exits 1
when there are problems.

Options:
${COMMON_HELP}
${LOCAL_HELP}`;

export const configCommand: Command = {
  name: "config",
  help: HELP,
  async run(args, ctx) {
    const [sub, ...rest] = args;
    switch (sub) {
      case "get":
        return get(rest, ctx);
      case "set":
        return set(rest, ctx);
      case "validate":
        return validate(rest, ctx);
      case undefined:
      case "-h":
      case "--help":
        if (sub === undefined) throw usageError("missing subcommand", HELP);
        return printHelp(ctx, HELP);
      default:
        throw usageError(`unknown config subcommand "${sub}"`, HELP);
    }
  },
};

async function get(args: string[], ctx: CliContext): Promise<number> {
  const parsed = parseCommand(args, CONNECTION_OPTIONS, GET_HELP, { min: 0, max: 0 });
  if (parsed === "help") return printHelp(ctx, GET_HELP);
  return withDaemon(parsed.values, ctx, async ({ client }) => {
    ctx.stdout.write(serializeConfig(await client.backrest.getConfig({})));
    return EXIT.OK;
  });
}

async function set(args: string[], ctx: CliContext): Promise<number> {
  const parsed = parseCommand(args, CONNECTION_OPTIONS, SET_HELP, { min: 1, max: 1 });
  if (parsed === "help") return printHelp(ctx, SET_HELP);
  const file = parsed.positionals[0] as string;
  const text = file === "-" ? await readAll(ctx) : readFile(file);
  let next: ReturnType<typeof parseConfigJson>;
  try {
    next = parseConfigJson(text);
  } catch (err) {
    if (err instanceof ValidationError)
      throw new CliError(`${file}: ${err.issues.map(issueText).join("; ")}`, EXIT.FAILED);
    throw err;
  }
  return withDaemon(parsed.values, ctx, async ({ client }) => {
    if (next.modno === 0) next.modno = (await client.backrest.getConfig({})).modno;
    const saved = await client.backrest.setConfig(next);
    if (wantsJson(parsed.values)) ctx.stdout.write(serializeConfig(saved));
    else ctx.stdout.write(`config saved (modno ${saved.modno})\n`);
    return EXIT.OK;
  });
}

async function validate(args: string[], ctx: CliContext): Promise<number> {
  const parsed = parseCommand(args, LOCAL_OPTIONS, VALIDATE_HELP, { min: 0, max: 1 });
  if (parsed === "help") return printHelp(ctx, VALIDATE_HELP);
  const file = parsed.positionals[0] ?? localSettings(parsed.values, ctx.env).configPath;
  const check = checkConfigFile(file);
  if (check.missing) throw new CliError(`${file} does not exist`, EXIT.FAILED);
  const valid = check.issues.length === 0;
  if (wantsJson(parsed.values)) {
    writeJson(ctx.stdout, { file, valid, issues: check.issues });
  } else if (valid) {
    const cfg = check.config ?? { repos: [], plans: [] };
    ctx.stdout.write(`${file} is valid: ${cfg.repos.length} repos, ${cfg.plans.length} plans\n`);
  } else {
    ctx.stdout.write(`${file} has ${check.issues.length} problem(s):\n`);
    for (const issue of check.issues) ctx.stdout.write(`  ${issueText(issue)}\n`);
  }
  return valid ? EXIT.OK : EXIT.FAILED;
}

function readFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw new CliError(
      `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      EXIT.FAILED,
    );
  }
}

async function readAll(ctx: CliContext): Promise<string> {
  let text = "";
  for await (const chunk of ctx.stdin) text += chunk.toString();
  return text;
}
