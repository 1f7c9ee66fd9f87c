import { join } from "node:path";
import { type ConfigFs, writeFileAtomic } from "./atomic-write.js";

/** Name of the folder, beside config.json, that keeps previous versions. */
export const HISTORY_DIR = "config-history";

const HISTORY_FILE = /^config\.(\d+)(?:\.(\d+))?\.json$/;

interface HistoryEntry {
  name: string;
  modno: number;
  seq: number;
  mtimeMs: number;
}

/**
 * Keeps `content` (the config file about to be replaced, whose modno is `modno`) as
 * `<historyDir>/config.<modno>.json` with mode 0600, then deletes all but the newest `keep`
 * kept versions. If a different file of that modno is already kept (e.g. the modno was reset
 * by hand), the new copy becomes `config.<modno>.<n>.json` instead of overwriting it.
 * `keep` 0 keeps nothing.
 */
export function keepVersion(
  fs: ConfigFs,
  historyDir: string,
  modno: number,
  content: Buffer,
  keep: number,
): void {
  if (keep <= 0) return;
  fs.mkdirSync(historyDir, { recursive: true, mode: 0o700 });
  writeFileAtomic(
    fs,
    join(historyDir, freeName(fs, historyDir, modno, content)),
    content.toString("utf8"),
  );
  pruneHistory(fs, historyDir, keep);
}

function freeName(fs: ConfigFs, dir: string, modno: number, content: Buffer): string {
  for (let seq = 0; ; seq++) {
    const name = seq === 0 ? `config.${modno}.json` : `config.${modno}.${seq}.json`;
    const path = join(dir, name);
    if (!fs.existsSync(path) || fs.readFileSync(path).equals(content)) return name;
  }
}

/**
 * Lists kept versions, newest first: by modification time, then by modno and sequence
 * (saves within the same millisecond still order correctly).
 */
export function listHistory(fs: ConfigFs, historyDir: string): string[] {
  if (!fs.existsSync(historyDir)) return [];
  const entries: HistoryEntry[] = [];
  for (const name of fs.readdirSync(historyDir)) {
    const m = HISTORY_FILE.exec(name);
    if (!m) continue;
    const { mtimeMs } = fs.statSync(join(historyDir, name));
    entries.push({ name, modno: Number(m[1]), seq: Number(m[2] ?? 0), mtimeMs });
  }
  entries.sort((a, b) => b.mtimeMs - a.mtimeMs || b.modno - a.modno || b.seq - a.seq);
  return entries.map((e) => e.name);
}

function pruneHistory(fs: ConfigFs, historyDir: string, keep: number): void {
  for (const name of listHistory(fs, historyDir).slice(keep)) {
    fs.unlinkSync(join(historyDir, name));
  }
}
