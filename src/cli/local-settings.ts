/**
 * The daemon's local paths for commands that work on this machine without a daemon
 * (config validate, doctor, import-backrest), with the same flags, environment variables and
 * defaults as `restwell serve`.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { dataFiles } from "../data-files.js";
import { createRestic, type Restic } from "../restic/index.js";
import { type FlagValues, flag } from "./args.js";

/** Flags of the local commands (the same as `restwell serve`'s). */
export const LOCAL_OPTIONS = {
  "config-file": { type: "string" },
  "data-dir": { type: "string" },
  "restic-cmd": { type: "string" },
} as const;

/** Help text of LOCAL_OPTIONS. */
export const LOCAL_HELP = `Local settings (as for \`restwell serve\`):
  --config-file PATH    config file (env RESTWELL_CONFIG; default ~/.config/restwell/config.json)
  --data-dir PATH       data directory (env RESTWELL_DATA; default ~/.local/share/restwell)
  --restic-cmd PATH     restic executable (env RESTWELL_RESTIC_COMMAND; default restic)
`;

/** Where the daemon keeps its config and data, and how it runs restic. */
export interface LocalSettings {
  configPath: string;
  dataDir: string;
  resticCommand: string;
  /** The environment restic runs with: ours minus RESTWELL_* settings. */
  resticEnv: Record<string, string>;
}

type Env = Record<string, string | undefined>;

/** Default config file: $XDG_CONFIG_HOME/restwell/config.json or ~/.config/restwell/config.json. */
export function defaultConfigPath(env: Env): string {
  return join(env.XDG_CONFIG_HOME || join(home(env), ".config"), "restwell", "config.json");
}

/** Default data directory: $XDG_DATA_HOME/restwell or ~/.local/share/restwell. */
export function defaultDataDir(env: Env): string {
  return join(env.XDG_DATA_HOME || join(home(env), ".local", "share"), "restwell");
}

/** The environment restic inherits: everything but our own RESTWELL_* settings. */
export function resticEnvOf(env: Env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (e): e is [string, string] => e[1] !== undefined && !e[0].startsWith("RESTWELL_"),
    ),
  );
}

/** The user's home directory ($HOME, else from the system). */
export function home(env: Env): string {
  return env.HOME || homedir();
}

/** Resolves flags, then environment, then defaults. */
export function localSettings(values: FlagValues, env: Env): LocalSettings {
  return {
    configPath: flag(values, "config-file") ?? env.RESTWELL_CONFIG ?? defaultConfigPath(env),
    dataDir: flag(values, "data-dir") ?? env.RESTWELL_DATA ?? defaultDataDir(env),
    resticCommand: flag(values, "restic-cmd") ?? env.RESTWELL_RESTIC_COMMAND ?? "restic",
    resticEnv: resticEnvOf(env),
  };
}

/** restic as the daemon runs it (cache in the data directory). */
export function localRestic(settings: LocalSettings): Restic {
  return createRestic({
    command: settings.resticCommand,
    env: { RESTIC_CACHE_DIR: dataFiles(settings.dataDir).resticCache, ...settings.resticEnv },
  });
}
