/** Small formatting helpers shared by templates and default messages. */

/** Backrest's `.FormatSizeBytes`: decimal units with three decimals, e.g. "1.049 MB". */
export function formatSizeBackrest(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB", "PB"];
  let size = Number.isFinite(bytes) ? Math.trunc(bytes) : 0;
  let i = 0;
  while (size > 1000 && i < units.length - 1) {
    size /= 1000;
    i++;
  }
  return `${size.toFixed(3)} ${units[i]}`;
}

/** A short binary size for messages: "512 B", "3.4 MiB". */
export function formatSizeIec(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let size = bytes;
  let i = 0;
  while (size >= 1024 && i < units.length - 1) {
    size /= 1024;
    i++;
  }
  return i === 0 ? `${size} B` : `${size.toFixed(1)} ${units[i]}`;
}

/** Quotes `s` for a POSIX shell unless it is made of safe characters only (Backrest's `.ShellEscape`). */
export function shellEscape(s: string): string {
  if (s === "") return "''";
  if (!/[^\w@%+=:,./-]/.test(s)) return s;
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}

/** `text` cut to at most `max` characters (code points), ending in "…" when cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, max - 1).join("")}…`;
}

/** A summary number as a number, or undefined when absent or not numeric. */
export function summaryNumber(
  summary: Record<string, number | string> | undefined,
  key: string,
): number | undefined {
  const v = summary?.[key];
  if (v === undefined || v === "") return undefined;
  const n = typeof v === "number" ? v : Number(v);
  return Number.isFinite(n) ? n : undefined;
}
