/**
 * Tolerant reading of restic's line-oriented output: text is split into lines with a
 * length cap, and only lines that are JSON objects count as messages.
 */

/** A JSON object from restic, fields not yet checked. */
export type JsonObject = Record<string, unknown>;

/** Feeds decoded text in arbitrary chunks; calls back once per complete line. */
export interface LineSplitter {
  push(chunk: string): void;
  /** Flushes a last line that had no trailing newline. */
  end(): void;
}

/**
 * Splits text into lines (without the `\n` or a trailing `\r`). A line longer than
 * `maxLineLength` is dropped whole, and `onOversized` is told, so one runaway line cannot
 * grow memory without bound.
 */
export function createLineSplitter(
  onLine: (line: string) => void,
  maxLineLength = 1024 * 1024,
  onOversized: (length: number) => void = () => {},
): LineSplitter {
  let pending = "";
  let dropping = 0;
  const emit = (line: string) => {
    if (dropping > 0 || line.length > maxLineLength) {
      onOversized(dropping + line.length);
      dropping = 0;
      return;
    }
    onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
  };
  return {
    push(chunk) {
      const parts = (pending + chunk).split("\n");
      pending = parts.pop() ?? "";
      for (const part of parts) emit(part);
      if (pending.length > maxLineLength) {
        dropping += pending.length;
        pending = "";
      }
    },
    end() {
      if (pending !== "" || dropping > 0) emit(pending);
      pending = "";
    },
  };
}

/**
 * Parses one line as a JSON object. Anything else (text, arrays, malformed JSON) yields
 * undefined: restic mixes text warnings into its JSON streams, and newer versions may add
 * message types we do not know.
 */
export function parseJsonObject(line: string): JsonObject | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith("{")) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** True for a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `obj[key]` if it is a finite number, else `fallback`. */
export function numberField(obj: JsonObject, key: string, fallback = 0): number {
  const value = obj[key];
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

/** `obj[key]` if it is a string, else `fallback`. */
export function stringField(obj: JsonObject, key: string, fallback = ""): string {
  const value = obj[key];
  return typeof value === "string" ? value : fallback;
}

/** The string elements of `obj[key]` if it is an array, else []. */
export function stringArrayField(obj: JsonObject, key: string): string[] {
  const value = obj[key];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}
