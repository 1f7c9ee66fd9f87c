/** Formatting of sizes, durations and times for display. */

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/** 1536 -> "1.5 KiB". */
export function formatBytes(value: bigint | number): string {
  let n = Number(value);
  if (!Number.isFinite(n) || n < 0) return "-";
  let unit = 0;
  while (n >= 1024 && unit < UNITS.length - 1) {
    n /= 1024;
    unit++;
  }
  return `${unit === 0 ? n : n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0)} ${UNITS[unit]}`;
}

/** 3725000 ms -> "1h 2m 5s"; under a minute with one decimal when short. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "-";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)}s`;
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  if (h > 0) return `${h}h ${m}m`;
  return `${m}m ${sec}s`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateTimeSeconds = new Intl.DateTimeFormat(undefined, {
  dateStyle: "medium",
  timeStyle: "medium",
});
const shortDate = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

/** A point in time (Unix ms) as local date and time; "-" for 0. */
export function formatTime(ms: bigint | number, seconds = false): string {
  const n = Number(ms);
  if (!n) return "-";
  return (seconds ? dateTimeSeconds : dateTime).format(new Date(n));
}

/** A day as "Mar 4". */
export function formatDay(ms: number): string {
  return shortDate.format(new Date(ms));
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

/** "in 5 minutes", "3 hours ago". */
export function formatRelative(ms: bigint | number, now = Date.now()): string {
  const n = Number(ms);
  if (!n) return "-";
  const diff = n - now;
  const abs = Math.abs(diff);
  const steps: [number, Intl.RelativeTimeFormatUnit][] = [
    [60_000, "second"],
    [3_600_000, "minute"],
    [86_400_000, "hour"],
    [30 * 86_400_000, "day"],
    [365 * 86_400_000, "month"],
  ];
  const divisors: Record<string, number> = {
    second: 1000,
    minute: 60_000,
    hour: 3_600_000,
    day: 86_400_000,
    month: 30 * 86_400_000,
    year: 365 * 86_400_000,
  };
  const unit = steps.find(([limit]) => abs < limit)?.[1] ?? "year";
  return relative.format(Math.round(diff / (divisors[unit] ?? 1)), unit);
}

/** A rate in bytes per second as "12.3 MiB/s". */
export function formatRate(bytes: number, seconds: number): string {
  if (seconds <= 0) return "-";
  return `${formatBytes(bytes / seconds)}/s`;
}
