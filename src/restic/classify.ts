/**
 * Turning a failed restic run into a ResticError: which kind it is (restic 0.14's text
 * errors and newer restic's exit codes and `exit_error` JSON), and a message that says
 * what to do.
 */
import { ResticError, type ResticErrorKind } from "./errors.js";
import { parseJsonObject } from "./json-lines.js";

/** How much of stderr a ResticError keeps. */
export const ERROR_STDERR_TAIL_CHARS = 2048;

/** What is known about a failed run. All strings must already be masked. */
export interface FailedRun {
  /** e.g. "backup", "cat config". */
  subcommand: string;
  command: string;
  args: string[];
  exitCode: number | undefined;
  signal?: string | undefined;
  stderr: string;
  startError?: Error | undefined;
}

/** The `exit_error` message newer restic (0.17+) prints on stderr with --json. */
export interface ExitErrorMessage {
  code: number;
  message: string;
}

// Newer restic's documented exit codes.
const EXIT_CODE_KINDS: Partial<Record<number, ResticErrorKind>> = {
  10: "repo-not-found",
  11: "locked",
  12: "wrong-password",
};

// The server of a rest: or sftp: repository refused the credentials (not the repository password).
const BACKEND_UNAUTHORIZED =
  /unexpected HTTP response \((401|403)\)|permission denied \(publickey/i;
// Network errors as Go's net package and OpenSSH print them.
const BACKEND_UNREACHABLE =
  /connection refused|no route to host|network is unreachable|no such host|i\/o timeout|connection timed out|connection reset by peer|could not resolve hostname|TLS handshake timeout/i;

// restic's sftp backend could not talk to the ssh it started; the cause is ssh's to tell.
const SFTP_SESSION_FAILED = /unable to start the sftp session/i;

// restic 0.14 exits 1 for all of these, so the text is all there is to go by.
const TEXT_KINDS: [ResticErrorKind, RegExp][] = [
  ["wrong-password", /wrong password or no key found|empty password is not a password/i],
  ["locked", /repository is already locked|unable to create lock in backend/i],
  // Before repo-not-found: 0.14 reports a backend it cannot reach as a config it cannot open.
  ["backend-unauthorized", BACKEND_UNAUTHORIZED],
  ["backend-unreachable", BACKEND_UNREACHABLE],
  // 0.14 prints "Is there a repository..." for any config read error, so the cause must say "missing".
  [
    "repo-not-found",
    /repository does not exist|unable to open config file:.*(no such file or directory|does not exist|not found)/i,
  ],
  ["repo-exists", /config file already exists|master key and config already initialized/i],
  ["snapshot-not-found", /no matching ID found for prefix/i],
];

/** Kinds whose message is built from the run (see resticErrorFor). */
type DynamicKind = "failed" | "snapshot-not-found" | "backend-unreachable" | "backend-unauthorized";

const MESSAGES: Record<Exclude<ResticErrorKind, DynamicKind>, string> = {
  "wrong-password":
    "restic could not open the repository: wrong password or no key found; check the repo's password",
  locked:
    "the repository is locked by another restic process; wait for it to finish, or unlock the repo if that process is gone",
  "repo-not-found":
    "there is no restic repository at the repo's URI; check the URI, or initialize the repository first",
  "repo-exists":
    "a restic repository already exists at the repo's URI; use it as it is, or choose another location to initialize",
};

/** The last `exit_error` JSON message on stderr, if restic printed one. */
export function parseExitError(stderr: string): ExitErrorMessage | undefined {
  let found: ExitErrorMessage | undefined;
  for (const line of stderr.split("\n")) {
    const msg = parseJsonObject(line);
    if (msg?.message_type !== "exit_error") continue;
    const code = typeof msg.code === "number" ? msg.code : 1;
    found = { code, message: typeof msg.message === "string" ? msg.message : "" };
  }
  return found;
}

/** The non-JSON, non-empty lines of stderr: the text part restic's errors are in. */
export function textLines(stderr: string): string[] {
  return stderr
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && parseJsonObject(line) === undefined);
}

/**
 * Classifies a failed run: an exit code of 10/11/12 (from the process or `exit_error`)
 * decides; otherwise known error texts; anything else is "failed".
 */
export function classifyFailure(exitCode: number | undefined, stderr: string): ResticErrorKind {
  const exitError = parseExitError(stderr);
  const byCode = EXIT_CODE_KINDS[exitError?.code ?? -1] ?? EXIT_CODE_KINDS[exitCode ?? -1];
  if (byCode) return byCode;
  const text = [...textLines(stderr), exitError?.message ?? ""].join("\n");
  for (const [kind, pattern] of TEXT_KINDS) {
    if (pattern.test(text)) return kind;
  }
  return "failed";
}

/** Builds the ResticError for a run that ended in failure. */
export function resticErrorFor(run: FailedRun): ResticError {
  const kind = run.startError ? "failed" : classifyFailure(run.exitCode, run.stderr);
  return new ResticError({
    kind,
    message: messageFor(kind, run),
    exitCode: run.exitCode,
    args: run.args,
    stderrTail: run.stderr.slice(-ERROR_STDERR_TAIL_CHARS),
    cause: run.startError,
  });
}

function messageFor(kind: ResticErrorKind, run: FailedRun): string {
  switch (kind) {
    case "failed":
      return failureMessage(run);
    case "snapshot-not-found":
      return snapshotNotFoundMessage(run.stderr);
    case "backend-unreachable":
      return `restic ${run.subcommand} could not reach the repository's backend (${backendProblem(run.stderr, BACKEND_UNREACHABLE)}); check that the server in the repo's URI is running and reachable, then retry`;
    case "backend-unauthorized":
      return `the repository's backend refused restic's credentials (${backendProblem(run.stderr, BACKEND_UNAUTHORIZED)}); check the user name and password or key for that server in the repo's URI, env or flags`;
    default:
      return MESSAGES[kind];
  }
}

/**
 * The line of stderr that shows a backend problem: restic's own "Fatal:" line when it
 * matches, otherwise the last matching line (retry notices, ssh's complaints), capped.
 */
function backendProblem(stderr: string, pattern: RegExp): string {
  const matching = textLines(stderr).filter((line) => pattern.test(line));
  const line = matching.findLast((l) => l.includes("Fatal: ")) ?? matching.at(-1) ?? "";
  // restic 0.14 sometimes prints "Fatal:" right after another message, on the same line.
  const fatal = line.lastIndexOf("Fatal: ");
  const gist = (fatal >= 0 ? line.slice(fatal + "Fatal: ".length) : line).replace(
    /^subprocess ssh: /,
    "ssh: ",
  );
  return gist.length > 300 ? `${gist.slice(0, 297)}...` : gist;
}

/** Names the snapshot id restic could not find. */
function snapshotNotFoundMessage(stderr: string): string {
  const id = /no matching ID found for prefix "([^"]*)"/i.exec(stderr)?.[1] ?? "";
  return `snapshot "${id}" does not exist in the repository; list the snapshots to find its id`;
}

/**
 * A ResticError for a snapshot id restic did not find even though it exited 0 (0.14's
 * `ls` only prints "Ignoring ..."); undefined when stderr does not say so.
 */
export function snapshotNotFoundError(run: FailedRun): ResticError | undefined {
  if (classifyFailure(undefined, run.stderr) !== "snapshot-not-found") return undefined;
  return new ResticError({
    kind: "snapshot-not-found",
    message: snapshotNotFoundMessage(run.stderr),
    exitCode: run.exitCode,
    args: run.args,
    stderrTail: run.stderr.slice(-ERROR_STDERR_TAIL_CHARS),
  });
}

/** A ResticError for a run that exited fine but printed something we cannot use. */
export function badOutputError(run: FailedRun, problem: string): ResticError {
  return new ResticError({
    kind: "failed",
    message: `restic ${run.subcommand} ${problem}; check that the installed restic version is supported`,
    exitCode: run.exitCode,
    args: run.args,
    stderrTail: run.stderr.slice(-ERROR_STDERR_TAIL_CHARS),
  });
}

function failureMessage(run: FailedRun): string {
  if (run.startError) {
    const code = (run.startError as { code?: unknown }).code;
    if (code === "E2BIG")
      return `could not start restic ${run.subcommand}: its arguments and environment are longer than the system allows (E2BIG); shorten the repo's flags and env or the plan's paths, excludes and flags`;
    return `could not start restic as "${run.command}" (${String(code ?? run.startError.message)}); check that restic is installed and the command path is right`;
  }
  if (run.exitCode === undefined) {
    return `restic ${run.subcommand} was killed by ${run.signal ?? "a signal"}; check whether the system ran out of memory or something else stopped it`;
  }
  if (SFTP_SESSION_FAILED.test(run.stderr)) {
    // ssh gave up (no reachable server, key refused, no sftp subsystem) and restic 0.14 may
    // exit before it has relayed ssh's own complaint, so say what to try.
    return `restic ${run.subcommand} could not start an sftp session with the repository's server (${backendProblem(run.stderr, SFTP_SESSION_FAILED)}); check that ssh can log in to it without a prompt with the repo's user and key (run the ssh command by hand) and that the server offers sftp`;
  }
  const detail = failureDetail(run.stderr);
  return `restic ${run.subcommand} failed with exit code ${run.exitCode}${detail ? `: ${detail}` : "; see its output in the log"}`;
}

/** The gist of stderr for a message: the exit_error text, or the last few text lines. */
function failureDetail(stderr: string): string {
  const exitError = parseExitError(stderr);
  const detail = exitError?.message || textLines(stderr).slice(-3).join(" / ");
  return detail.length > 500 ? `${detail.slice(0, 497)}...` : detail;
}
