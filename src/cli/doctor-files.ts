/** File-system checks of `restwell doctor`: the restic executable, the data directory, the config's mode. */
import { accessSync, constants, rmSync, statSync, writeFileSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";

/** One finding of `restwell doctor`. */
export interface Check {
  name: string;
  status: "ok" | "warn" | "fail";
  message: string;
  /** What to do about it (for warn and fail). */
  fix?: string;
}

/** Where `command` is run from: itself when it is a path, else the first match on `path`. */
export function findExecutable(command: string, path: string | undefined): string | undefined {
  const candidates = command.includes("/")
    ? [command]
    : (path ?? "/usr/bin:/bin")
        .split(delimiter)
        .filter(isAbsolute)
        .map((dir) => join(dir, command));
  for (const file of candidates) {
    try {
      if (statSync(file).isFile()) {
        accessSync(file, constants.X_OK);
        return file;
      }
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The data directory must exist (or be creatable), be private (0700 or tighter) and writable. */
export function checkDataDir(dir: string): Check {
  const name = "data directory";
  let mode: number;
  try {
    const stats = statSync(dir);
    if (!stats.isDirectory())
      return {
        name,
        status: "fail",
        message: `${dir} is not a directory`,
        fix: `remove it or choose another --data-dir`,
      };
    mode = stats.mode & 0o777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT")
      return {
        name,
        status: "warn",
        message: `${dir} does not exist yet`,
        fix: `\`restwell serve\` creates it (mode 0700); or create it now: mkdir -p -m 700 ${dir}`,
      };
    return {
      name,
      status: "fail",
      message: `cannot read ${dir}: ${String(err)}`,
      fix: "check its permissions",
    };
  }
  if (mode & 0o077)
    return {
      name,
      status: "fail",
      message: `${dir} is mode ${octal(mode)}: other users can read the operation log and restic cache`,
      fix: `chmod 700 ${dir}`,
    };
  const probe = join(dir, `.doctor-${process.pid}`);
  try {
    writeFileSync(probe, "", { mode: 0o600 });
    rmSync(probe);
  } catch (err) {
    return {
      name,
      status: "fail",
      message: `${dir} is not writable (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      fix: `give the user running restwell the directory: chown -R "$(id -un)" ${dir}`,
    };
  }
  return { name, status: "ok", message: `${dir} (mode ${octal(mode)}) is private and writable` };
}

/** The config file holds repository passwords: a warning when others can read it. */
export function checkConfigMode(file: string): Check | undefined {
  try {
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077)
      return {
        name: "config permissions",
        status: "warn",
        message: `${file} is mode ${octal(mode)} but holds repository passwords`,
        fix: `chmod 600 ${file}`,
      };
  } catch {
    // reported by the config check
  }
  return undefined;
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, "0")}`;
}
