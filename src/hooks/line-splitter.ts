/** Splits streamed text into lines with a cap on the length of one line. */

/** Lines longer than this are cut (the rest up to the newline is dropped). */
export const MAX_LINE_CHARS = 8 * 1024;

/** A push/end line splitter; a trailing "\r" is removed from each line. */
export interface LineSplitter {
  push(chunk: string): void;
  /** Emits the last line when it has no newline. */
  end(): void;
}

/** Calls `onLine` for every complete line pushed, never holding more than `maxChars` of a line. */
export function createLineSplitter(
  onLine: (line: string) => void,
  maxChars = MAX_LINE_CHARS,
): LineSplitter {
  let partial = "";
  let dropping = false;
  const emit = (line: string) => onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
  return {
    push(chunk) {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      for (const part of parts) {
        if (!dropping) emit(part);
        dropping = false;
      }
      if (!dropping && partial.length > maxChars) {
        emit(`${partial.slice(0, maxChars)}…`);
        dropping = true;
      }
      if (dropping) partial = "";
    },
    end() {
      if (partial && !dropping) emit(partial);
      partial = "";
      dropping = false;
    },
  };
}
