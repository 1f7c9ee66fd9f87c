/**
 * Test-only fault points. Crash tests start the daemon with a hook that stops at one of these
 * points (main.ts reads RESTWELL_TEST_PAUSE_AT), then kill the process there. In production
 * there is no hook and nothing waits.
 */

/** Steps of a password rotation after which a crash must leave a working config. */
export const FAULT_POINTS = ["rotate:key-added", "rotate:verified", "rotate:config-saved"] as const;

export type FaultPoint = (typeof FAULT_POINTS)[number];

/** Called at each fault point; a test's hook may never resolve (the daemon waits there to be killed). */
export type FaultHook = (point: FaultPoint) => Promise<void>;

/** True when `value` names a fault point. */
export function isFaultPoint(value: string): value is FaultPoint {
  return (FAULT_POINTS as readonly string[]).includes(value);
}
