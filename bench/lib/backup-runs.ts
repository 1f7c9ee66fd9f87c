/**
 * Real backups through the daemon for the benchmarks that need several: fresh repositories
 * made before timing, a config of one plan per repository, and starting, awaiting and draining
 * backups over Connect JSON (StartBackup, WaitOperation, then the follow-up snapshot index).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { timedCall } from "./api.js";
import { PASSWORD } from "./cli.js";
import { type DirectRestic, initRepo } from "./restic.js";

/** A repository made for one measured backup, and the plan that backs `paths` up to it. */
export interface BenchRepo {
  repoId: string;
  planId: string;
  uri: string;
  guid: string;
  paths: string[];
}

/**
 * Initializes one repository per entry of `plans` under `dir`, two at a time (init is
 * CPU-bound key derivation). Entry i becomes repo `r-<name>` and plan `p-<name>`.
 */
export async function initRepos(
  restic: DirectRestic,
  dir: string,
  plans: { name: string; paths: string[] }[],
): Promise<BenchRepo[]> {
  mkdirSync(dir, { recursive: true });
  const repos: BenchRepo[] = [];
  for (let i = 0; i < plans.length; i += 2) {
    const pair = plans.slice(i, i + 2);
    repos.push(
      ...(await Promise.all(
        pair.map(async ({ name, paths }) => {
          const uri = join(dir, name);
          const guid = await initRepo(restic, uri);
          return { repoId: `r-${name}`, planId: `p-${name}`, uri, guid, paths };
        }),
      )),
    );
  }
  return repos;
}

/**
 * Writes a daemon config with `repos` (guids pre-filled, as a long-running install knows
 * them) and their plans, without schedules or retention, authentication off. Returns its path.
 */
export function writeBackupConfig(dir: string, repos: BenchRepo[]): string {
  const config = {
    version: 4,
    instance: "bench",
    repos: repos.map((r) => ({ id: r.repoId, uri: r.uri, password: PASSWORD, guid: r.guid })),
    plans: repos.map((r) => ({ id: r.planId, repo: r.repoId, paths: r.paths })),
    auth: { disabled: true },
  };
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "config.json");
  writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
  return path;
}

/** The parts of a finished backup operation the benchmarks read (Connect JSON). */
export interface FinishedBackup {
  id: string;
  modno: string;
  status: string;
  displayMessage?: string;
  unixTimeStartMs: string;
  unixTimeEndMs: string;
  snapshotId?: string;
  operationBackup?: {
    lastStatus?: { summary?: { totalFilesProcessed?: string } };
  };
}

const MINUTE = 60_000;

/**
 * Starts the backups of `planIds` at once (StartBackup each) and waits for all of them
 * (WaitOperation each). Returns the wall time from the first request to the last answer and
 * the finished operations (with their end times). Rejects when one does not succeed.
 */
export async function runBackups(
  url: string,
  planIds: string[],
): Promise<{ ms: number; ops: FinishedBackup[] }> {
  const started = performance.now();
  const ops = await Promise.all(
    planIds.map(async (planId) => {
      const start = await timedCall<{ operationId: string }>(
        url,
        "StartBackup",
        { value: planId },
        MINUTE,
      );
      const done = await timedCall<FinishedBackup>(
        url,
        "WaitOperation",
        { operationId: start.body.operationId, timeoutSeconds: 900 },
        16 * MINUTE,
      );
      return done.body;
    }),
  );
  const ms = performance.now() - started;
  for (const op of ops) {
    if (op.status !== "STATUS_SUCCESS") {
      throw new Error(`backup ${op.id} ended ${op.status}: ${op.displayMessage ?? ""}`);
    }
  }
  return { ms, ops: await Promise.all(ops.map((op) => finalState(url, op))) };
}

/**
 * The operation once its end time is written. WaitOperation can answer a moment before: the
 * runner's last progress write already carries the backup's final status (restwell's
 * throttled progress updater flushes the op object after the task set its result), and the
 * write with the end time follows.
 */
async function finalState(url: string, op: FinishedBackup): Promise<FinishedBackup> {
  const deadline = performance.now() + MINUTE;
  let current = op;
  while (!current.unixTimeEndMs || current.unixTimeEndMs === "0") {
    if (performance.now() > deadline) throw new Error(`backup ${op.id} has no end time`);
    await sleep(20);
    const list = await timedCall<{ operations?: FinishedBackup[] }>(
      url,
      "GetOperations",
      { selector: { ids: [op.id] } },
      MINUTE,
    );
    current = list.body.operations?.[0] ?? current;
  }
  return current;
}

/**
 * Waits until the daemon has indexed the snapshot of each backup (the follow-up every backup
 * queues on its repository), so the next measurement does not share the CPU with it.
 */
export async function awaitIndexed(url: string, ops: FinishedBackup[]): Promise<void> {
  const deadline = performance.now() + 5 * MINUTE;
  for (const op of ops) {
    for (;;) {
      const list = await timedCall<{ operations?: { operationIndexSnapshot?: unknown }[] }>(
        url,
        "GetOperations",
        { selector: { flowId: op.id } },
        MINUTE,
      );
      if (list.body.operations?.some((o) => o.operationIndexSnapshot !== undefined)) break;
      if (performance.now() > deadline) {
        throw new Error(`the snapshot of backup ${op.id} was not indexed within 5 minutes`);
      }
      await sleep(100);
    }
  }
}

/** The operation's own duration (end - start, as the daemon recorded it), in ms. */
export function operationMs(op: FinishedBackup): number {
  return Number(op.unixTimeEndMs) - Number(op.unixTimeStartMs);
}
