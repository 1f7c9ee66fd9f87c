/** The shape of a CLI command and the helper client commands share. */
import type { FlagValues } from "./args.js";
import { type Connection, connect, describeCallError } from "./connection.js";
import type { CliContext } from "./context.js";

/** One `restwell <name>` command. */
export interface Command {
  name: string;
  /** Everything `restwell <name> --help` prints. */
  help: string;
  /** Runs the command with the arguments after its name; resolves with the exit code. */
  run(args: string[], ctx: CliContext): Promise<number>;
}

/** Runs `fn` with a connection to the daemon; failed calls become CliErrors with a clear message. */
export async function withDaemon<T>(
  values: FlagValues,
  ctx: CliContext,
  fn: (conn: Connection) => Promise<T>,
): Promise<T> {
  const conn = await connect(values, ctx);
  try {
    return await fn(conn);
  } catch (err) {
    throw describeCallError(err, conn.server);
  }
}

/** Prints a command's help on stdout; exit code 0. */
export function printHelp(ctx: CliContext, help: string): number {
  ctx.stdout.write(help);
  return 0;
}

/** True when --json was given. */
export function wantsJson(values: FlagValues): boolean {
  return values.json === true;
}
