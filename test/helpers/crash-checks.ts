/**
 * What the crash rounds check after every kill and restart (see crash-rounds.ts): the
 * repository, the config file, the operation log, and that backups work again.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import { HISTORY_DIR, parseConfigJson } from "../../src/config/index.js";
import type { DaemonProcess } from "./daemon.js";
import { restic } from "./data.js";
import { callJson, type OpJson, waitFor } from "./http.js";

/** Statuses of an operation that has not finished. */
export const UNFINISHED = new Set(["STATUS_PENDING", "STATUS_INPROGRESS", "STATUS_UNKNOWN"]);
const RECOVERED = /daemon stopped while this operation was running/;
/** Longest wait for any one request of a round (a backup, a check). */
export const STEP_TIMEOUT_MS = 120_000;

/** The round's files: the config, the data directory, the repository and the backed-up folders. */
export interface Setup {
  dir: string;
  configPath: string;
  dataDir: string;
  repoPath: string;
  sources: string[];
}

/** The state before a kill that the restarted daemon is checked against. */
export interface BeforeKill {
  /** Every config.json the file may hold after the kill (the one on disk, then each save sent). */
  candidates: string[];
  /** Operations that had finished, by id, with their status. */
  finished: Map<string, string>;
  /** Operations still pending or running when last listed. */
  unfinished: Set<string>;
}

/** Removes nothing: checks the repository with the locks the kill left (the daemon clears them). */
export async function repoPassesCheck(setup: Setup): Promise<void> {
  const check = await restic(setup.repoPath, ["check", "--no-lock"]);
  assert.equal(check.exitCode, 0, `restic check failed:\n${check.stdout}\n${check.stderr}`);
}

/**
 * Checks the restarted daemon against the state before the kill; returns how many operations
 * it found interrupted (pending or running at the kill, now marked failed).
 */
export async function verifyRecovered(
  setup: Setup,
  daemon: DaemonProcess,
  before: BeforeKill,
): Promise<number> {
  const saved = readFileSync(setup.configPath, "utf8");
  const index = before.candidates.indexOf(saved);
  assert.ok(
    index >= 0,
    `config.json is none of the ${before.candidates.length} versions being saved:\n${saved}`,
  );
  const configDir = dirname(setup.configPath);
  const strays = readdirSync(configDir).filter((n) => n.includes(".tmp-"));
  assert.deepEqual(strays, [], "the restarted daemon removed interrupted saves' temp files");
  for (const name of readdirSync(join(configDir, HISTORY_DIR))) {
    const text = readFileSync(join(configDir, HISTORY_DIR, name), "utf8");
    assert.doesNotThrow(() => parseConfigJson(text), `config-history/${name} is a whole config`);
  }
  assertDatabaseIntact(join(setup.dataDir, "oplog.sqlite"));

  const ops = await listOps(daemon.url);
  const byId = new Map(ops.map((op) => [op.id, op]));
  const left = ops.filter((op) => UNFINISHED.has(op.status));
  assert.deepEqual(
    left.map((op) => `${op.id}: ${op.status}`),
    [],
    "no operation is left pending or in progress after the restart",
  );
  for (const [id, status] of before.finished) {
    const op = byId.get(id);
    assert.ok(op, `finished operation ${id} (${status}) is still in the log`);
    assert.equal(op.status, status, `operation ${id} kept its status`);
  }
  let interrupted = 0;
  for (const id of before.unfinished) {
    const op = byId.get(id);
    // (A scheduled run's pending placeholder is planned anew by each start; there are no
    // schedules here, so every operation must still be there.)
    assert.ok(op, `operation ${id}, unfinished at the kill, is still in the log`);
    if (RECOVERED.test(op.displayMessage ?? "")) interrupted += 1;
  }
  return interrupted;
}

/** A quick integrity check of a SQLite file, read-only beside the running daemon. */
function assertDatabaseIntact(path: string): void {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma("quick_check") as { quick_check: string }[];
    assert.deepEqual(
      rows.map((r) => r.quick_check),
      ["ok"],
      `${path} passes PRAGMA quick_check`,
    );
  } finally {
    db.close();
  }
}

/**
 * A blocking Backup succeeds; then, once its follow-ups (retention) have finished, every
 * operation since the restart succeeded and no lock is left in the repository: the daemon
 * cleared what the kill left behind.
 */
export async function backupSucceeds(setup: Setup, daemon: DaemonProcess): Promise<void> {
  const known = new Set((await listOps(daemon.url)).map((op) => op.id));
  const res = await callJson(
    daemon.url,
    "v1.Backrest/Backup",
    { value: "plan1" },
    { signal: AbortSignal.timeout(STEP_TIMEOUT_MS) },
  );
  assert.equal(res.status, 200, `Backup after the restart: ${res.text}`);
  assert.equal((res.body as OpJson).status, "STATUS_SUCCESS", res.text);
  const ops = await waitFor(
    async () => {
      const all = await listOps(daemon.url);
      return all.every((op) => !UNFINISHED.has(op.status)) ? all : undefined;
    },
    STEP_TIMEOUT_MS,
    "the backup's follow-ups to finish",
  );
  const failed = ops.filter((op) => !known.has(op.id) && op.status !== "STATUS_SUCCESS");
  assert.deepEqual(
    failed.map(
      (op) =>
        `${op.id} ${Object.keys(op).find((k) => k.startsWith("operation"))}: ${op.status} ${op.displayMessage ?? ""}`,
    ),
    [],
    "every operation since the restart succeeded",
  );
  const locks = await restic(setup.repoPath, ["list", "locks", "--no-lock"]);
  assert.equal(locks.exitCode, 0, locks.stderr);
  assert.equal(locks.stdout.trim(), "", "no lock is left in the repository");
}

export async function listOps(url: string): Promise<OpJson[]> {
  const res = await callJson(
    url,
    "v1.Backrest/GetOperations",
    {},
    {
      signal: AbortSignal.timeout(STEP_TIMEOUT_MS),
    },
  );
  assert.equal(res.status, 200, `GetOperations: ${res.text}`);
  return (res.body as { operations?: OpJson[] }).operations ?? [];
}
