/** Errors of the hook runtime. Messages never contain secrets. */

/** What a failed hook was doing, for callers that want more than the message. */
export interface HookErrorDetails {
  /** The action kind, e.g. "command", "webhook", "email". */
  action?: string;
  /** Exit code of a command hook. */
  exitCode?: number;
  /** HTTP status of a failed request. */
  status?: number;
  /** True when the hook ran longer than its timeout. */
  timedOut?: boolean;
  cause?: unknown;
}

/** A hook did not succeed; the message says what failed and what to check. */
export class HookError extends Error {
  override name = "HookError";
  readonly action: string | undefined;
  readonly exitCode: number | undefined;
  readonly status: number | undefined;
  readonly timedOut: boolean;

  constructor(message: string, details: HookErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.action = details.action;
    this.exitCode = details.exitCode;
    this.status = details.status;
    this.timedOut = details.timedOut === true;
  }
}

/** A template could not be parsed or executed; the message points at the problem. */
export class TemplateError extends Error {
  override name = "TemplateError";
  constructor(
    message: string,
    /** 1-based line of the problem, when known. */
    readonly line?: number,
    /** 1-based column of the problem, when known. */
    readonly column?: number,
  ) {
    super(line === undefined ? message : `template line ${line}, column ${column}: ${message}`);
  }
}
