/** One AbortSignal per hook run that fires on the caller's cancel or on the hook's timeout. */
import { HookError } from "./errors.js";

/** The combined signal of a hook run and how to tell why it fired. */
export interface Deadline {
  signal: AbortSignal;
  timeoutMs: number;
  /** True once the timeout (not the caller) aborted the run. */
  readonly timedOut: boolean;
  /** The HookError for an aborted run: "timed out after Ns" or "was cancelled". */
  abortError(action: string, hint?: string): HookError;
  /** Stops the timer and detaches from the caller's signal. */
  dispose(): void;
}

/** Seconds as shown to users: "60s", "0.3s". */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}

/** Starts a deadline of `timeoutMs`, also ending when `outer` aborts. */
export function createDeadline(timeoutMs: number, outer?: AbortSignal): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`timed out after ${formatSeconds(timeoutMs)}`));
  }, timeoutMs);
  const onAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) onAbort();
  else outer?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    timeoutMs,
    get timedOut() {
      return timedOut;
    },
    abortError(action, hint) {
      const tail = hint ? `; ${hint}` : "";
      if (timedOut)
        return new HookError(`${action} hook timed out after ${formatSeconds(timeoutMs)}${tail}`, {
          action,
          timedOut: true,
        });
      return new HookError(`${action} hook was cancelled`, { action, cause: outer?.reason });
    },
    dispose() {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onAbort);
    },
  };
}
