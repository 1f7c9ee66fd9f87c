import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { OperationStatus } from "../../gen/v1/operations_pb.js";
import {
  MIGRATIONS,
  type Migration,
  migrate,
  SchemaVersionError,
} from "../../src/oplog/migrations.js";
import { recoverInterrupted } from "../../src/oplog/recover.js";
import { effectiveSelector } from "../../src/oplog/selector.js";
import { selectSql } from "../../src/oplog/sqlite-query.js";
import { openSqliteOpStore } from "../../src/oplog/sqlite-store.js";
import type { OpSelector } from "../../src/oplog/types.js";
import { idsOf, newOp, tempDir } from "./fixtures.js";
import { runOpStoreContract } from "./op-store-contract.js";

const tmp = tempDir();
after(() => tmp.cleanup());
let dbCount = 0;
const newDbPath = () => join(tmp.dir, `oplog-${++dbCount}.sqlite`);

runOpStoreContract("sqlite", (opts) => openSqliteOpStore(newDbPath(), opts));

describe("sqlite op store", () => {
  it("keeps operations, ids and modnos across close and reopen", () => {
    const path = newDbPath();
    const first = openSqliteOpStore(path);
    const [a, b] = first.add(newOp({ snapshotId: "s1" }), newOp());
    assert.ok(a && b);
    first.delete([b.id]);
    first.close();

    const second = openSqliteOpStore(path);
    try {
      assert.deepEqual(second.get(a.id), a);
      const [c] = second.add(newOp());
      assert.ok(c !== undefined && c.id > b.id && c.modno > b.modno);
      assert.deepEqual(idsOf(second.query({ selector: { snapshotId: "s1" } })), [a.id]);
    } finally {
      second.close();
    }
  });

  it("queryShared repeats its answer while the log is unchanged, and not after a write by any connection", () => {
    const path = newDbPath();
    let nowMs = 1_000_000;
    const store = openSqliteOpStore(path, { now: () => nowMs });
    const other = openSqliteOpStore(path);
    try {
      const [a] = store.add(newOp({ planId: "p1" }));
      assert.ok(a);
      const q = { selector: { planId: "p1" }, lastN: 10 };
      const first = store.queryShared(q);
      assert.equal(store.queryShared({ selector: { planId: "p1" }, lastN: 10 }), first);
      assert.notEqual(store.queryShared({ selector: { planId: "p1" }, lastN: 9 }), first);
      // Queries that differ only in an int64 field or a list are different questions.
      const byIds = (ids: bigint[]) => store.queryShared({ selector: { ids } });
      assert.equal(byIds([a.id]), byIds([a.id]));
      assert.notEqual(byIds([a.id]), byIds([a.id, a.id + 1n]));
      assert.notEqual(
        store.queryShared({ selector: { planId: "p1", beforeId: 5n } }),
        store.queryShared({ selector: { planId: "p1", beforeId: 6n } }),
      );
      // A write through this store.
      store.update({ ...a, displayMessage: "mine" });
      const afterOwn = store.queryShared(q);
      assert.notEqual(afterOwn, first);
      assert.equal(afterOwn[0]?.displayMessage, "mine");
      // A write through another connection to the same file: looked for at most every 10 ms.
      other.update({ ...a, displayMessage: "theirs", modno: afterOwn[0]?.modno ?? 0n });
      nowMs += 9;
      assert.equal(store.queryShared(q), afterOwn, "other connections are not checked yet");
      nowMs += 1;
      const afterOther = store.queryShared(q);
      assert.notEqual(afterOther, afterOwn);
      assert.equal(afterOther[0]?.displayMessage, "theirs");
      assert.equal(store.queryShared(q), afterOther);
    } finally {
      other.close();
      store.close();
    }
  });

  it("uses WAL and records the schema version", () => {
    const path = newDbPath();
    openSqliteOpStore(path).close();
    const db = new Database(path, { readonly: true });
    try {
      assert.equal(db.pragma("user_version", { simple: true }), MIGRATIONS.length);
      assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
    } finally {
      db.close();
    }
  });

  it("refuses a database written by a newer Restwell, without changing it", () => {
    const path = newDbPath();
    openSqliteOpStore(path).close();
    const db = new Database(path);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    assert.throws(
      () => openSqliteOpStore(path),
      (error: unknown) =>
        error instanceof SchemaVersionError &&
        error.found === MIGRATIONS.length + 1 &&
        /written by a newer Restwell/.test(error.message),
    );
    const check = new Database(path, { readonly: true });
    assert.equal(check.pragma("user_version", { simple: true }), MIGRATIONS.length + 1);
    check.close();
  });

  it("migrate applies only missing steps, in order, and rolls back a failed one", () => {
    const db = new Database(":memory:");
    const applied: number[] = [];
    const steps: Migration[] = [1, 2, 3].map((n) => (d) => {
      applied.push(n);
      d.exec(`CREATE TABLE t${n} (x)`);
    });
    migrate(db, steps.slice(0, 2));
    migrate(db, steps);
    assert.deepEqual(applied, [1, 2, 3]);
    assert.equal(db.pragma("user_version", { simple: true }), 3);

    const failing: Migration = (d) => {
      d.exec("CREATE TABLE t4 (x)");
      throw new Error("step 4 failed");
    };
    assert.throws(() => migrate(db, [...steps, failing]), /step 4 failed/);
    assert.equal(db.pragma("user_version", { simple: true }), 3);
    const t4 = db.prepare("SELECT name FROM sqlite_master WHERE name = 't4'").get();
    assert.equal(t4, undefined);
    db.close();
  });

  it("serves every selector field from an index (EXPLAIN QUERY PLAN)", () => {
    const path = newDbPath();
    openSqliteOpStore(path).close();
    const db = new Database(path, { readonly: true });
    db.defaultSafeIntegers(true);
    const selectors: OpSelector[] = [
      { ids: [1n, 2n] },
      { repoId: "r" },
      { repoGuid: "g" },
      { planId: "p" },
      { snapshotId: "s" },
      { flowId: 1n },
      { instanceId: "i" },
      { modnoGte: 5n },
      { statuses: [OperationStatus.STATUS_PENDING] },
      { repoId: "r", planId: "p", modnoGte: 5n },
    ];
    try {
      for (const selector of selectors) {
        for (const lastN of [0, 10]) {
          const { sql, params } = selectSql(effectiveSelector(selector), lastN);
          const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[];
          const details = plan.map((row) => row.detail).join(" | ");
          assert.doesNotMatch(
            details,
            /SCAN operations/,
            `${JSON.stringify(Object.keys(selector))}: ${details}`,
          );
          assert.match(details, /SEARCH operations USING (INDEX|INTEGER PRIMARY KEY)/, details);
        }
      }
    } finally {
      db.close();
    }
  });

  it("reads a page before a cursor as a range of ids, in id order (EXPLAIN QUERY PLAN)", () => {
    const path = newDbPath();
    openSqliteOpStore(path).close();
    const db = new Database(path, { readonly: true });
    db.defaultSafeIntegers(true);
    const selectors: OpSelector[] = [
      { beforeId: 100n },
      { beforeId: 100n, planId: "p" },
      { beforeId: 100n, repoId: "r" },
      { beforeId: 100n, repoId: "r", planId: "p" },
      { beforeId: 100n, flowId: 1n },
      { beforeId: 100n, modnoGte: 5n },
    ];
    try {
      for (const selector of selectors) {
        const { sql, params } = selectSql(effectiveSelector(selector), 500);
        assert.match(sql, /ORDER BY id DESC LIMIT @lastN$/);
        const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[];
        const details = plan.map((row) => row.detail).join(" | ");
        const what = `${JSON.stringify(Object.keys(selector))}: ${details}`;
        // The primary key's range (or an index's, whose entries end in the rowid), walked in
        // order and stopped after the page: no scan, no sort of everything below the cursor.
        assert.match(
          details,
          /^SEARCH operations USING (INTEGER PRIMARY KEY|INDEX \w+) \(.*rowid<\?\)$/,
          what,
        );
        assert.doesNotMatch(details, /SCAN|TEMP B-TREE/, what);
      }
    } finally {
      db.close();
    }
  });

  it("recoverInterrupted finds interrupted operations after a reopen", () => {
    const path = newDbPath();
    const before = openSqliteOpStore(path);
    const [running] = before.add(newOp({ status: OperationStatus.STATUS_INPROGRESS }));
    before.add(newOp({ status: OperationStatus.STATUS_SUCCESS }));
    before.close();

    const store = openSqliteOpStore(path);
    try {
      const recovered = recoverInterrupted(store, "Restwell stopped while this ran", 1_000);
      assert.deepEqual(idsOf(recovered), [running?.id]);
      assert.equal(store.get(running?.id ?? 0n)?.status, OperationStatus.STATUS_ERROR);
    } finally {
      store.close();
    }
  });

  it("holds 10,000 operations and still answers selective queries correctly", () => {
    const store = openSqliteOpStore(newDbPath());
    try {
      const batch = Array.from({ length: 10_000 }, (_, i) =>
        newOp({
          repoId: `r${i % 10}`,
          planId: `p${i % 7}`,
          snapshotId: i === 4321 ? "needle" : "",
        }),
      );
      const added = store.add(...batch);
      assert.equal(added.length, 10_000);
      assert.equal(store.query({ selector: { repoId: "r3" } }).length, 1_000);
      assert.deepEqual(idsOf(store.query({ selector: { snapshotId: "needle" } })), [
        added[4321]?.id,
      ]);
      const newest = store.query({ selector: { repoId: "r9" }, lastN: 3 });
      assert.deepEqual(
        idsOf(newest),
        idsOf([added[9979], added[9989], added[9999]].filter((o) => o !== undefined)),
      );
      const since = added[9_990]?.modno ?? 0n;
      assert.equal(store.query({ selector: { modnoGte: since } }).length, 10);
      assert.equal(store.query().length, 10_000);
    } finally {
      store.close();
    }
  });
});
