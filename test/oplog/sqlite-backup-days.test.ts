/**
 * Migration 5's backup_days: kept equal to a fresh count of the backups by its triggers through
 * every kind of write, filled by the migration from an existing log, and giving the same
 * dashboard windows as the memory store at day boundaries.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { type Operation, OperationStatus } from "../../gen/v1/operations_pb.js";
import { createMemoryOpStore } from "../../src/oplog/memory-store.js";
import { openSqliteOpStore } from "../../src/oplog/sqlite-store.js";
import { createPrng, type Prng } from "../helpers/prng.js";
import { backupOp, DAY_MS, forgetOp, NOW_MS } from "./activity-fixtures.js";
import { tempDir } from "./fixtures.js";

const tmp = tempDir();
after(() => tmp.cleanup());
let dbCount = 0;
const newDbPath = () => join(tmp.dir, `days-${++dbCount}.sqlite`);

const S = OperationStatus;
const STATUSES = [
  S.STATUS_SUCCESS,
  S.STATUS_WARNING,
  S.STATUS_ERROR,
  S.STATUS_USER_CANCELLED,
  S.STATUS_INPROGRESS,
  S.STATUS_PENDING,
];
/** Midnight UTC a few days before NOW_MS: backups land on and around day boundaries. */
const MIDNIGHT = Math.floor(NOW_MS / DAY_MS) * DAY_MS - 5 * DAY_MS;

/** A backup near a day boundary, with or without restic's summary. */
function randomBackup(prng: Prng): Operation {
  const start = BigInt(MIDNIGHT + prng.int(-3, 3) * DAY_MS + prng.pick([-1, 0, 1, 3_600_000]));
  const summarized = prng.next() < 0.7;
  return backupOp({
    planId: prng.pick(["p1", "p2", "p3"]),
    repoId: prng.pick(["r1", "r2"]),
    start,
    status: prng.pick(STATUSES),
    ...(summarized
      ? {
          added: BigInt(prng.int(0, 1e6)),
          processed: BigInt(prng.int(0, 1e9)),
          durationS: prng.int(0, 5000) / 7,
        }
      : {}),
  });
}

/** backup_days as stored, and as a fresh count over the operations. */
function rollupAndRecount(path: string) {
  const db = new Database(path, { readonly: true });
  try {
    const order = "ORDER BY plan_id, day, repo_id, status";
    const stored = db.prepare(`SELECT * FROM backup_days ${order}`).all();
    const recount = db
      .prepare(
        `SELECT plan_id, repo_id, unix_time_start_ms / 86400000 AS day, status,
          count(*) AS backups, count(bytes_processed) AS processed_n,
          coalesce(sum(bytes_processed), 0) AS processed, count(bytes_added) AS added_n,
          coalesce(sum(bytes_added), 0) AS added, count(duration_ms) AS duration_n,
          coalesce(sum(duration_ms), 0) AS duration
        FROM operations WHERE kind = 'operationBackup'
        GROUP BY plan_id, repo_id, day, status ${order}`,
      )
      .all();
    return { stored, recount };
  } finally {
    db.close();
  }
}

describe("backup_days (migration 5)", () => {
  it("stays equal to a fresh count through adds, updates, deletes, prunes and clears", () => {
    const prng = createPrng(7);
    const path = newDbPath();
    const store = openSqliteOpStore(path);
    const check = (step: string) => {
      const { stored, recount } = rollupAndRecount(path);
      assert.deepEqual(stored, recount, step);
    };
    try {
      const added = store.add(...Array.from({ length: 400 }, () => randomBackup(prng)));
      store.add(forgetOp({ start: BigInt(MIDNIGHT) }));
      check("after adds");
      // Progress-like updates (nothing the rollup counts changes), then real changes.
      store.update(...added.slice(0, 50).map((op) => ({ ...op, displayMessage: "running" })));
      check("after updates that change nothing counted");
      const changed = added.slice(50, 250).map((op) => {
        const next = randomBackup(prng);
        return { ...next, id: op.id, flowId: op.flowId };
      });
      store.update(...changed);
      check("after updates of status, summary, start, plan and repo");
      const asForget = added
        .slice(250, 270)
        .map((op) => ({ ...forgetOp({ start: op.unixTimeStartMs }), id: op.id }));
      store.update(...asForget);
      check("after backups became another kind");
      store.delete(added.slice(270, 300).map((op) => op.id));
      check("after deletes");
      store.pruneHistory({ keepCount: 5, keepDays: 2, nowMs: NOW_MS, liveSnapshotIds: [] });
      check("after a prune");
      store.clearHistory({ selector: { planId: "p2" }, onlyFailed: true });
      check("after clearing failed backups");
      const { stored } = rollupAndRecount(path);
      assert.ok(stored.length > 10, "the rollup holds rows");
    } finally {
      store.close();
    }
  });

  it("is filled by the migration from the backups already in the log", () => {
    const prng = createPrng(11);
    const path = newDbPath();
    const store = openSqliteOpStore(path);
    store.add(...Array.from({ length: 300 }, () => randomBackup(prng)));
    store.close();
    // Back to schema version 4, as a database written before this migration.
    const db = new Database(path);
    db.exec(`
      DROP TRIGGER backup_days_insert; DROP TRIGGER backup_days_delete;
      DROP TRIGGER backup_days_update; DROP TABLE backup_days;
      PRAGMA user_version = 4;`);
    db.close();
    openSqliteOpStore(path).close();
    const { stored, recount } = rollupAndRecount(path);
    assert.ok(stored.length > 10);
    assert.deepEqual(stored, recount);
  });

  it("gives the memory store's windows when the window starts on, before or after midnight", () => {
    const prng = createPrng(3);
    const ops = Array.from({ length: 600 }, () => randomBackup(prng));
    const sqlite = openSqliteOpStore(newDbPath());
    const memory = createMemoryOpStore();
    try {
      sqlite.add(...ops);
      memory.add(...ops);
      for (const day of [-2, 0, 1]) {
        for (const offset of [-1, 0, 1, 3_600_000, 3_600_001]) {
          const query = {
            sinceMs: MIDNIGHT + day * DAY_MS + offset,
            planIds: ["p1", "p2", "p3", "p4"],
            repoIds: ["r1", "r2", "r3"],
          };
          assert.deepEqual(
            sqlite.summarizeActivity(query),
            memory.summarizeActivity(query),
            `since midnight ${day >= 0 ? "+" : ""}${day} d ${offset} ms`,
          );
        }
      }
    } finally {
      sqlite.close();
      memory.close();
    }
  });
});
