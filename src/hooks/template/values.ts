/**
 * Template values with Go-like printing and truthiness: durations print as Go's
 * time.Duration, conditions as their CONDITION_* name, times as Go's time.Time.
 */

/** An object that resolves `.Name` lookups itself (e.g. summary numbers). */
export interface FieldSource {
  templateField(name: string): unknown;
}

/** True when `v` resolves its own fields. */
export function isFieldSource(v: unknown): v is FieldSource {
  return (
    typeof v === "object" && v !== null && typeof (v as FieldSource).templateField === "function"
  );
}

/** A duration that prints like Go's time.Duration ("1m2.5s", "300ms", "0s"). */
export class GoDuration {
  constructor(readonly ms: number) {}
  toString(): string {
    return formatGoDuration(this.ms);
  }
  toJSON(): number {
    // Go marshals time.Duration as nanoseconds.
    return this.ms * 1e6;
  }
}

/** A hook condition: prints as its proto name, compares equal to that name or its number. */
export class ConditionValue {
  constructor(
    readonly value: number,
    readonly name: string,
  ) {}
  toString(): string {
    return this.name;
  }
  toJSON(): number {
    return this.value;
  }
}

/** Go's time.Duration.String() for a whole number of milliseconds. */
export function formatGoDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "0s";
  const sign = ms < 0 ? "-" : "";
  const abs = Math.round(Math.abs(ms));
  if (abs === 0) return "0s";
  if (abs < 1000) return `${sign}${abs}ms`;
  const hours = Math.floor(abs / 3_600_000);
  const minutes = Math.floor((abs % 3_600_000) / 60_000);
  const millis = abs % 60_000;
  const whole = Math.floor(millis / 1000);
  const frac = String(millis % 1000)
    .padStart(3, "0")
    .replace(/0+$/, "");
  const seconds = frac ? `${whole}.${frac}s` : `${whole}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}`;
  return `${sign}${seconds}`;
}

/** Go's default time.Time print form, in UTC: "2006-01-02 15:04:05.123 +0000 UTC". */
export function formatGoTime(d: Date): string {
  const iso = d.toISOString();
  const ms = iso.slice(20, 23).replace(/0+$/, "");
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${ms ? `.${ms}` : ""} +0000 UTC`;
}

/** RFC 3339 in UTC without fractional seconds, like Go's time.RFC3339 layout. */
export function formatRfc3339(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/** How `{{ v }}` prints a value; nil/unknown prints as the empty string. */
export function printValue(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return String(v);
  if (v instanceof Date) return formatGoTime(v);
  if (Array.isArray(v)) return `[${v.map(printValue).join(" ")}]`;
  if (typeof v === "function") return "";
  if (v instanceof GoDuration || v instanceof ConditionValue) return v.toString();
  const own = (v as { toString?: () => string }).toString;
  if (typeof own === "function" && own !== Object.prototype.toString) return own.call(v);
  return jsonMarshal(v);
}

/** Go's notion of truth: false, 0, nil, empty string/list/map are false. */
export function isTruthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === "" || v === 0n) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof GoDuration) return v.ms !== 0;
  if (v instanceof ConditionValue) return v.value !== 0;
  if (v instanceof Date) return !Number.isNaN(v.getTime());
  if (typeof v === "object" && !isFieldSource(v) && Object.getPrototypeOf(v) === Object.prototype)
    return Object.keys(v).length > 0;
  return true;
}

/** JSON text of a value (bigints as numbers' text, dates as RFC 3339); "" when it cannot be encoded. */
export function jsonMarshal(v: unknown): string {
  try {
    return (
      JSON.stringify(v, (_key, value: unknown) =>
        typeof value === "bigint" ? bigintJson(value) : value,
      ) ?? "null"
    );
  } catch {
    return "";
  }
}

function bigintJson(v: bigint): number | string {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v.toString();
}
