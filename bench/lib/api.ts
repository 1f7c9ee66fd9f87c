/**
 * The daemon's API as curl and scripts use it (Connect JSON over plain HTTP), timed for
 * benchmarks.
 */
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { BenchDaemon } from "./daemon.js";

/**
 * How long the daemon's `restic backup` ran, from its debug line "restic backup exited with
 * code 0 after N ms" (spawn to exit, output drained); undefined when the log has no such
 * line (e.g. its wording changed).
 */
export function resticBackupMs(log: string): number | undefined {
  return resticCommandMs(log, "backup");
}

/**
 * The run times of every `restic <command>` in `log`, from the daemon's debug lines
 * "restic <command> exited with code 0 after N ms", in order.
 */
export function resticCommandTimes(log: string, command: string): number[] {
  const re = new RegExp(`restic ${command} exited with code \\d+ after (\\d+) ms`, "g");
  return [...log.matchAll(re)].map((m) => Number(m[1]));
}

/** The first of resticCommandTimes, undefined when there is none. */
export function resticCommandMs(log: string, command: string): number | undefined {
  return resticCommandTimes(log, command)[0];
}

/** The fields of a finished backup operation the benchmark checks (Connect JSON). */
export interface BackupOperation {
  status: string;
  snapshotId?: string;
  displayMessage?: string;
  operationBackup?: {
    lastStatus?: { summary?: { totalFilesProcessed?: string; totalBytesProcessed?: string } };
  };
}

/**
 * `POST /v1.Backrest/Backup {"value": planId}`, which blocks until restic is done. Returns
 * the wall time from sending the request to having read the whole response, and the
 * operation. Rejects on a non-200 answer or after `timeoutMs`.
 */
export async function timedApiBackup(
  baseUrl: string,
  planId: string,
  timeoutMs: number,
): Promise<{ ms: number; op: BackupOperation }> {
  const started = performance.now();
  let res: Response;
  let text: string;
  try {
    res = await fetch(`${baseUrl}/v1.Backrest/Backup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ value: planId }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await res.text();
  } catch (err) {
    if (err instanceof Error && err.name === "TimeoutError") {
      throw new Error(`the API backup of plan ${planId} took longer than ${timeoutMs / 1000} s`);
    }
    throw err;
  }
  const ms = performance.now() - started;
  if (res.status !== 200) {
    throw new Error(`the API backup of plan ${planId} answered ${res.status}: ${text}`);
  }
  return { ms, op: JSON.parse(text) as BackupOperation };
}

/** A backup through the API: its wall time, the operation, and how long restic itself ran. */
export interface PlanBackup {
  ms: number;
  op: BackupOperation;
  /** The daemon's own timing of its `restic backup` child; undefined when not logged. */
  resticMs: number | undefined;
}

/**
 * Runs timedApiBackup against `daemon` and reads, from its debug log, how long the
 * `restic backup` it started ran, so the time the daemon spends outside restic is known
 * without the noise of comparing two separate restic runs.
 */
export async function timedPlanBackup(
  daemon: BenchDaemon,
  planId: string,
  timeoutMs: number,
): Promise<PlanBackup> {
  const capture = daemon.capture();
  try {
    const { ms, op } = await timedApiBackup(daemon.url, planId, timeoutMs);
    // The log line is written before the response, but comes over another pipe.
    for (let waited = 0; resticBackupMs(capture.text()) === undefined && waited < 500; waited += 10)
      await sleep(10);
    return { ms, op, resticMs: resticBackupMs(capture.text()) };
  } finally {
    capture.stop();
  }
}

/**
 * `POST /v1.Backrest/<method>` with a JSON body, Connect JSON style. Returns the wall time
 * from sending the request to having read the whole response, and the parsed answer.
 * Rejects on a non-200 answer or after `timeoutMs`.
 */
export async function timedCall<T>(
  baseUrl: string,
  method: string,
  body: unknown,
  timeoutMs: number,
): Promise<{ ms: number; body: T }> {
  const started = performance.now();
  let res: Response;
  let text: string;
  try {
    res = await fetch(`${baseUrl}/v1.Backrest/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await res.text();
  } catch (err) {
    if (err instanceof Error && err.name === "TimeoutError") {
      throw new Error(`${method} took longer than ${timeoutMs / 1000} s`);
    }
    throw err;
  }
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`${method} answered ${res.status}: ${text}`);
  return { ms, body: JSON.parse(text) as T };
}
