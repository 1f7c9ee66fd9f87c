/**
 * snapshotIndexState: what indexing a repository reads from the log. Both stores answer the
 * same; the SQLite one from indexes only, never the repository's whole history.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { type Operation, OperationStatus } from "../../gen/v1/operations_pb.js";
import type { AnalyticsOpStore } from "../../src/oplog/analytics.js";
import { createMemoryOpStore } from "../../src/oplog/memory-store.js";
import { BACKUPS_SQL, INDEXED_SQL } from "../../src/oplog/sqlite-snapshot-index.js";
import { openSqliteOpStore } from "../../src/oplog/sqlite-store.js";
import { newOp, tempDir } from "./fixtures.js";

const tmp = tempDir();
after(() => tmp.cleanup());

const full = (c: string) => c.repeat(64);

function indexOp(guid: string, snapshotId: string, forgot = false): Operation {
  return newOp({
    repoId: "r1",
    repoGuid: guid,
    planId: "p1",
    status: OperationStatus.STATUS_SUCCESS,
    snapshotId,
    op: { case: "operationIndexSnapshot", value: { forgot } },
  });
}

function backupOf(guid: string, snapshotId: string): Operation {
  return newOp({
    repoId: "r1",
    repoGuid: guid,
    planId: "p1",
    status: OperationStatus.STATUS_SUCCESS,
    snapshotId,
    op: { case: "operationBackup", value: {} },
  });
}

/** A repo g1 with history: live, forgotten and other repos' snapshots, backups of each. */
function seed(store: AnalyticsOpStore) {
  store.add(
    backupOf("g1", full("a").slice(0, 8)), // restic 0.14: short id
    indexOp("g1", full("a")),
    backupOf("g1", full("b")), // later restic: full id
    indexOp("g1", full("b")),
    indexOp("g1", full("c")), // live in the log, gone from the repo
    indexOp("g1", full("d"), true), // forgotten long ago
    indexOp("g1", full("e"), true), // forgotten, but listed again
    backupOf("g1", "ffffffff"), // a backup of a snapshot not listed
    indexOp("g2", full("a")), // same id in another repo
    backupOf("g2", full("a").slice(0, 8)),
  );
}

const summary = (store: AnalyticsOpStore, ids: string[]) => {
  const state = store.snapshotIndexState("g1", ids);
  return {
    indexed: state.indexed.map((op) => `${op.snapshotId[0]}:${op.repoGuid}`).sort(),
    backups: state.backups.map((op) => `${op.snapshotId.slice(0, 1)}${op.snapshotId.length}`),
  };
};

for (const [name, open] of [
  ["memory", () => createMemoryOpStore()],
  ["sqlite", () => openSqliteOpStore(join(tmp.dir, "state.sqlite"))],
] as const) {
  describe(`snapshotIndexState (${name} store)`, () => {
    it("returns the listed snapshots' index ops, the live ones, and the listed snapshots' backups", () => {
      const store = open();
      seed(store);
      assert.deepEqual(summary(store, [full("a"), full("b"), full("e"), full("9")]), {
        // c is live (to be marked forgotten); d is forgotten and not listed; g2's is another repo's.
        indexed: ["a:g1", "b:g1", "c:g1", "e:g1"],
        backups: ["a8", "b64"],
      });
      assert.deepEqual(summary(store, []), { indexed: ["a:g1", "b:g1", "c:g1"], backups: [] });
      store.close();
    });
  });
}

describe("snapshotIndexState SQL", () => {
  it("reads through indexes, never scanning the repository's operations", () => {
    const store = openSqliteOpStore(join(tmp.dir, "plan.sqlite"));
    store.close();
    const db = new Database(join(tmp.dir, "plan.sqlite"));
    const plan = (sql: string) =>
      (
        db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ ids: '["a"]', guid: "g1" }) as {
          detail: string;
        }[]
      )
        .map((r) => r.detail)
        .join(" | ");
    for (const sql of [INDEXED_SQL, BACKUPS_SQL]) {
      const details = plan(sql);
      assert.doesNotMatch(details, /SCAN operations(?! USING)/, details);
      assert.match(details, /USING INDEX operations_snapshot_id/, details);
    }
    assert.match(plan(INDEXED_SQL), /operations_repo_live_snapshots/);
    db.close();
  });
});
