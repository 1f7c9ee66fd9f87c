/**
 * The `restwell` client and local commands. main.ts hands over argv (after the command name's
 * position) and the environment; nothing here reads process.argv or process.env.
 */
import type { Command } from "./command.js";
import { type CliContext, CliError, EXIT } from "./context.js";

export type { CliContext } from "./context.js";

/** A command's name and summary; its module (and what it imports) loads only when it runs. */
interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

const COMMANDS: readonly CommandEntry[] = [
  {
    name: "backup",
    summary: "run a plan's backup and show its progress",
    load: async () => (await import("./backup.js")).backupCommand,
  },
  {
    name: "ops",
    summary: "list operations (--plan, --repo, --last N)",
    load: async () => (await import("./ops.js")).opsCommand,
  },
  {
    name: "snapshots",
    summary: "list a repository's snapshots",
    load: async () => (await import("./snapshots.js")).snapshotsCommand,
  },
  {
    name: "restore",
    summary: "restore a path of a snapshot into a folder",
    load: async () => (await import("./restore.js")).restoreCommand,
  },
  {
    name: "cancel",
    summary: "cancel a pending or running operation",
    load: async () => (await import("./cancel.js")).cancelCommand,
  },
  {
    name: "config",
    summary: "get, set or validate the config",
    load: async () => (await import("./config.js")).configCommand,
  },
  {
    name: "hash-password",
    summary: "hash a password for auth.users[].passwordBcrypt",
    load: async () => (await import("./hash-password.js")).hashPasswordCommand,
  },
  {
    name: "doctor",
    summary: "check restic, the config, the data directory and every repository",
    load: async () => (await import("./doctor.js")).doctorCommand,
  },
  {
    name: "import-backrest",
    summary: "bring a Backrest config and its snapshot history over",
    load: async () => (await import("./import-backrest/command.js")).importBackrestCommand,
  },
];

/** True when `name` is one of the commands runCli handles (serve is main.ts's own). */
export function isCliCommand(name: string | undefined): boolean {
  return COMMANDS.some((c) => c.name === name);
}

/** `restwell --help`: every command with one line each. */
export function generalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), "serve".length);
  const line = (name: string, summary: string) => `  ${name.padEnd(width)}  ${summary}\n`;
  return `Usage: restwell COMMAND [options]

Commands:
${line("serve", "run the backup daemon (the default)")}${COMMANDS.map((c) => line(c.name, c.summary)).join("")}
\`restwell COMMAND --help\` shows a command's options. Client commands reach the daemon at
RESTWELL_SERVER (default http://127.0.0.1:9898) with RESTWELL_TOKEN, or RESTWELL_USER and
RESTWELL_PASSWORD. Exit codes: 0 ok, 1 failed, 2 bad usage, 3 backup finished with warnings,
4 daemon unreachable, 5 credentials refused.
`;
}

/**
 * Runs `restwell <name> <args...>` and resolves with the exit code. Errors are reported on
 * stderr as one `restwell: ...` message; unexpected ones keep their stack for bug reports.
 */
export async function runCli(name: string, args: string[], ctx: CliContext): Promise<number> {
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    ctx.stderr.write(`restwell: unknown command "${name}"\n\n${generalHelp()}`);
    return EXIT.USAGE;
  }
  try {
    return await (await entry.load()).run(args, ctx);
  } catch (err) {
    if (err instanceof CliError) {
      ctx.stderr.write(`restwell: ${err.message}\n`);
      return err.exitCode;
    }
    ctx.stderr.write(
      `restwell: ${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return EXIT.FAILED;
  }
}
