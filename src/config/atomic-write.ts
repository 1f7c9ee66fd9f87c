import { randomBytes } from "node:crypto";
import * as nodeFs from "node:fs";
import { basename, dirname, join } from "node:path";

/** The synchronous fs calls the config store makes; a seam so tests can inject failures. */
export type ConfigFs = Pick<
  typeof nodeFs,
  | "closeSync"
  | "existsSync"
  | "fsyncSync"
  | "mkdirSync"
  | "openSync"
  | "readdirSync"
  | "readFileSync"
  | "renameSync"
  | "statSync"
  | "unlinkSync"
  | "writeSync"
>;

/** The real file system. */
export const realFs: ConfigFs = nodeFs;

const tmpPrefix = (target: string): string => `${basename(target)}.tmp-`;

/**
 * Replaces `target` with `data` so that a reader (or a crash) sees either the old or the new
 * content, never a mix: writes `<target>.tmp-<pid>-<rand>` with `mode`, fsyncs it, renames it
 * over `target`, then fsyncs the directory so the rename itself is durable. On failure the
 * temp file is removed (best effort) and the error is rethrown; `target` is untouched.
 */
export function writeFileAtomic(fs: ConfigFs, target: string, data: string, mode = 0o600): void {
  const tmp = `${target}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
  try {
    const fd = fs.openSync(tmp, "wx", mode);
    try {
      const bytes = Buffer.from(data, "utf8");
      for (let off = 0; off < bytes.length; ) off += fs.writeSync(fd, bytes, off);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, target);
  } catch (err) {
    try {
      fs.unlinkSync(tmp);
    } catch {
      // Already gone, or never created; a leftover is removed by removeStrayTempFiles.
    }
    throw err;
  }
  fsyncDir(fs, dirname(target));
}

function fsyncDir(fs: ConfigFs, dir: string): void {
  // Windows cannot open a directory for fsync; NTFS renames are journaled anyway.
  if (process.platform === "win32") return;
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Deletes temp files left by an interrupted {@link writeFileAtomic} of `target` (same
 * directory, named `<target>.tmp-*`). They never hold the live config, so they are safe to
 * drop. Returns the paths removed.
 */
export function removeStrayTempFiles(fs: ConfigFs, target: string): string[] {
  const dir = dirname(target);
  if (!fs.existsSync(dir)) return [];
  const prefix = tmpPrefix(target);
  const removed: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith(prefix)) continue;
    const path = join(dir, name);
    fs.unlinkSync(path);
    removed.push(path);
  }
  return removed;
}
