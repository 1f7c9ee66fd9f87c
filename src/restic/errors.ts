/**
 * The two errors a restic call can end in. Both carry only masked text, so they can be
 * logged and shown as they are.
 */

/**
 * Why a restic call failed, as far as callers need to react differently:
 * - `wrong-password`: the repo exists but the password opens no key (or none was given);
 * - `locked`: another (possibly dead) restic process holds a conflicting lock;
 * - `repo-not-found`: there is no repository at the URI;
 * - `repo-exists`: `init` found a repository already there;
 * - `backend-unreachable`: the repository's server (rest:, sftp:...) could not be reached;
 * - `backend-unauthorized`: the repository's server refused its credentials (HTTP 401/403,
 *   ssh key) - not the repository password, which is `wrong-password`;
 * - `failed`: anything else, including restic not starting at all.
 */
export type ResticErrorKind =
  | "wrong-password"
  | "locked"
  | "repo-not-found"
  | "repo-exists"
  | "snapshot-not-found"
  | "backend-unreachable"
  | "backend-unauthorized"
  | "failed";

/** Fields of a ResticError; every string must already be masked. */
export interface ResticErrorInit {
  kind: ResticErrorKind;
  message: string;
  exitCode: number | undefined;
  args: string[];
  stderrTail: string;
  cause?: unknown;
}

/**
 * restic ran (or could not be started) and did not do what was asked. `message` is one
 * sentence saying what went wrong and what to do; `args` (argv after the command),
 * `stderrTail` (last ~2 KB of stderr) and `message` contain no secrets.
 */
export class ResticError extends Error {
  override name = "ResticError";
  readonly kind: ResticErrorKind;
  /** restic's exit code; undefined when it was killed by a signal or never started. */
  readonly exitCode: number | undefined;
  readonly args: string[];
  readonly stderrTail: string;

  constructor(init: ResticErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.exitCode = init.exitCode;
    this.args = init.args;
    this.stderrTail = init.stderrTail;
  }
}

/**
 * The call's AbortSignal fired before the call completed. restic got SIGINT (and SIGKILL
 * after the grace period) and has exited by the time this is thrown; if the signal fired
 * in the last instant, restic may have finished its work anyway (a backup's snapshot can
 * exist). `reason` is the signal's reason, so callers can tell a user cancel from a shutdown.
 */
export class ResticCancelledError extends Error {
  override name = "ResticCancelledError";
  readonly reason: unknown;
  /** Masked argv of the cancelled call. */
  readonly args: string[];
  /** Masked last ~2 KB of what restic printed on stderr before it was stopped ("" if nothing). */
  readonly stderrTail: string;

  constructor(reason: unknown, args: string[], subcommand: string, stderrTail = "") {
    super(`restic ${subcommand} was cancelled before it finished`);
    this.reason = reason;
    this.args = args;
    this.stderrTail = stderrTail;
  }
}
