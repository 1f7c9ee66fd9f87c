/**
 * restic's human-readable output (prune, check, restore on 0.14, user commands): lines are
 * cleaned and masked before anyone sees them, and only a bounded tail is kept.
 */
import { maskSecrets } from "./mask.js";
import { stripTerminalEscapes } from "./run.js";

/** Text output kept per call for prune and check (characters, about 1 MB): the tail wins. */
export const MAX_TEXT_OUTPUT_CHARS = 1024 * 1024;

/** Receives lines of text output and keeps their tail. */
export interface TextOutput {
  /** Takes one raw line (from stdout or stderr). */
  onLine(line: string): void;
  /** The kept lines, newline-joined; the oldest are dropped beyond the cap. */
  text(): string;
}

/**
 * Creates a TextOutput. Each line is stripped of terminal escapes and masked, then passed
 * to `onOutput` and kept (up to `capChars`, 0 keeps nothing). A throwing `onOutput` is
 * reported to `onCallbackError` and does not stop restic: a log viewer's bug must not fail
 * a prune halfway.
 */
export function createTextOutput(
  secrets: readonly string[],
  onOutput: ((line: string) => void) | undefined,
  onCallbackError: (error: unknown) => void,
  capChars = MAX_TEXT_OUTPUT_CHARS,
): TextOutput {
  let tail = "";
  return {
    onLine(raw) {
      const line = maskSecrets(stripTerminalEscapes(raw), secrets);
      if (onOutput) callSafely(() => onOutput(line), onCallbackError);
      if (capChars <= 0) return;
      tail += `${line}\n`;
      // Trim only when well past the cap, so long runs do not re-slice on every line.
      if (tail.length > capChars * 2) tail = wholeLinesTail(tail, capChars);
    },
    text: () => wholeLinesTail(tail, capChars).replace(/\n$/, ""),
  };
}

/** Runs a caller's callback; what it throws goes to `onError` instead of up the stack. */
export function callSafely(callback: () => void, onError: (error: unknown) => void): void {
  try {
    callback();
  } catch (error) {
    onError(error);
  }
}

/**
 * Returns a logger for callbacks that threw: one masked log line naming the call and the
 * callback, so the bug is visible without failing the restic call.
 */
export function callbackErrorLogger(
  log: ((line: string) => void) | undefined,
  secrets: readonly string[],
  what: string,
): (error: unknown) => void {
  return (error) => log?.(maskSecrets(`${what} threw: ${String(error)}`, secrets));
}

// The last `cap` characters or fewer, starting where a line starts so no half line leads
// (a single line longer than `cap` is cut).
function wholeLinesTail(text: string, cap: number): string {
  if (text.length <= cap) return text;
  const start = text.length - cap;
  if (text[start - 1] === "\n") return text.slice(start);
  const nextLine = text.indexOf("\n", start);
  return nextLine < 0 ? text.slice(start) : text.slice(nextLine + 1);
}
