/** Flag parsing shared by every command (node:util parseArgs) and the help it prints. */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { CliError, EXIT } from "./context.js";

/** parseArgs option definitions. */
export type OptionSpecs = NonNullable<ParseArgsConfig["options"]>;
/** Parsed flag values by name. */
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

/** Flags every command takes. */
export const COMMON_OPTIONS = {
  help: { type: "boolean", short: "h" },
  json: { type: "boolean" },
} as const satisfies OptionSpecs;

/** Flags of commands that talk to a running daemon. */
export const CONNECTION_OPTIONS = {
  server: { type: "string", short: "s" },
  token: { type: "string" },
  user: { type: "string", short: "u" },
  password: { type: "string" },
} as const satisfies OptionSpecs;

/** Help text of CONNECTION_OPTIONS. */
export const CONNECTION_HELP = `Connection:
  -s, --server URL      the daemon (env RESTWELL_SERVER; default http://127.0.0.1:9898)
  --token TOKEN         an API key (rw_...) or session token (env RESTWELL_TOKEN)
  -u, --user NAME       a user name (env RESTWELL_USER), with the password in RESTWELL_PASSWORD
                        (or --password, which other local users can see in the process list;
                        asked for when stdin is a terminal)
`;

/** Help text of COMMON_OPTIONS. */
export const COMMON_HELP = `  --json                print machine-readable JSON on stdout
  -h, --help            show this help
`;

/** The parsed command line of one command. */
export interface Parsed {
  values: FlagValues;
  positionals: string[];
}

/**
 * Parses `args` against `options` (plus --help and --json); too few or too many positionals
 * and unknown flags throw CliError(USAGE) with `usage` appended.
 */
export function parseCommand(
  args: string[],
  options: OptionSpecs,
  usage: string,
  positionals: { min: number; max: number },
): Parsed | "help" {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      options: { ...COMMON_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw usageError(err instanceof Error ? err.message : String(err), usage);
  }
  if (parsed.values.help) return "help";
  const n = parsed.positionals.length;
  if (n < positionals.min) throw usageError("missing arguments", usage);
  if (n > positionals.max)
    throw usageError(`unexpected argument "${parsed.positionals[positionals.max]}"`, usage);
  return { values: parsed.values as FlagValues, positionals: parsed.positionals };
}

/** A usage error: the message, then the command's help. */
export function usageError(message: string, usage: string): CliError {
  return new CliError(`${message}\n\n${usage}`, EXIT.USAGE);
}

/** A string flag's value, or undefined. */
export function flag(values: FlagValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

/** A positive integer operation id. */
export function parseOperationId(text: string, usage: string): bigint {
  if (!/^[1-9][0-9]{0,18}$/.test(text))
    throw usageError(`"${text}" is not an operation id (a positive number)`, usage);
  return BigInt(text);
}
