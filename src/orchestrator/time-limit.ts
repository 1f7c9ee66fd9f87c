/**
 * Operation time limits. A backend that stops answering leaves restic waiting forever, and
 * operations on a repository run one at a time, so one stalled call would hold every later
 * backup of that repository. Each operation therefore runs under a limit
 * (settings.operationTimeoutSeconds); when it passes, the operation's signal aborts with a
 * TimeLimitReason and restic is stopped the same way as on a cancel (SIGINT, then SIGKILL).
 */
import type { Config } from "../../gen/v1/config_pb.js";
import { UnavailableError } from "../errors.js";

/** The limit when settings.operationTimeoutSeconds is 0 (unset). */
export const DEFAULT_OPERATION_TIMEOUT_SECONDS = 24 * 60 * 60;

/**
 * The longest a best-effort cleanup call (e.g. `restic unlock` after a stop) may take: it
 * talks to the same backend that may just have stalled.
 */
export const CLEANUP_TIME_LIMIT_MS = 60_000;

/** The longest delay Node's timers support. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The abort reason of an operation that ran out of time: neither a user cancel nor a shutdown. */
export class TimeLimitReason {
  constructor(readonly limitMs: number) {}
}

/**
 * The configured limit in milliseconds; undefined when it is turned off (-1). 0 or unset
 * means the default of 24 hours.
 */
export function operationTimeLimitMs(cfg: Config): number | undefined {
  const seconds = cfg.settings?.operationTimeoutSeconds ?? 0;
  if (seconds < 0) return undefined;
  return (seconds || DEFAULT_OPERATION_TIMEOUT_SECONDS) * 1000;
}

/**
 * Aborts `controller` with a TimeLimitReason after `limitMs` (never when undefined).
 * Returns the function that clears the timer; call it once the work is over.
 */
export function startTimeLimit(
  controller: AbortController,
  limitMs: number | undefined,
): () => void {
  if (limitMs === undefined) return () => {};
  // Longer delays would fire at once (validation refuses them; this is a last guard).
  const delay = Math.min(limitMs, MAX_TIMER_MS);
  const timer = setTimeout(() => controller.abort(new TimeLimitReason(delay)), delay);
  timer.unref();
  return () => clearTimeout(timer);
}

/** A signal that aborts with a TimeLimitReason after the configured limit, and a way to stop it. */
export function timeLimitSignal(cfg: Config): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const clear = startTimeLimit(controller, operationTimeLimitMs(cfg));
  return { signal: controller.signal, clear };
}

/** "90 s", "5 min", "2 h" or "1 h 30 min". */
export function formatLimit(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}

/**
 * What a user reads when an operation ran out of time: what happened, what restic said
 * last (when it said anything), and what to do.
 */
export function timeoutMessage(reason: TimeLimitReason, err: unknown): string {
  const last = lastStderrLine(err);
  const said = last ? `; restic's last message was: ${last}` : "";
  return `timed out after ${formatLimit(reason.limitMs)} and was stopped${said}; the repository's backend did not answer in time: check that it is up and reachable, then retry (or raise settings.operationTimeoutSeconds if the operation just needs longer)`;
}

/**
 * The last text line restic printed on stderr before it was told to stop (or, when it printed
 * nothing before, after), masked already and capped. Progress JSON is skipped.
 */
function lastStderrLine(err: unknown): string {
  const tail = (err as { stderrTail?: unknown } | undefined)?.stderrTail;
  if (typeof tail !== "string") return "";
  const lines = tail
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("{"));
  // Past restic's "signal interrupt received" come only its cleanup's complaints.
  const stop = lines.findLastIndex((l) => /signal \w+ received/.test(l));
  const line = (stop > 0 ? lines[stop - 1] : lines.filter((_, i) => i !== stop).at(-1)) ?? "";
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/**
 * Runs `work` under the operation time limit outside the runner (snapshot listing and
 * indexing, adding a repository). When the limit passes, rejects with an UnavailableError
 * carrying the timeout message instead of the bare cancellation.
 */
export async function withTimeLimit<T>(
  cfg: Config,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const { signal, clear } = timeLimitSignal(cfg);
  try {
    return await work(signal);
  } catch (err) {
    if (signal.aborted && signal.reason instanceof TimeLimitReason)
      throw new UnavailableError(timeoutMessage(signal.reason, err), { cause: err });
    throw err;
  } finally {
    clear();
  }
}
