/**
 * Query limits from outside input: GetOperations passes the client's int64 `lastN` on, so any
 * number must work, beyond what SQLite can bind as an integer too (it failed with "datatype
 * mismatch", an internal error at the API). Run against both stores.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createMemoryOpStore } from "../../src/oplog/memory-store.js";
import { openSqliteOpStore } from "../../src/oplog/sqlite-store.js";
import type { OpStore } from "../../src/oplog/types.js";
import { newOp } from "./fixtures.js";

const stores: [string, () => OpStore][] = [
  ["sqlite", () => openSqliteOpStore(":memory:")],
  ["memory", () => createMemoryOpStore()],
];

for (const [name, open] of stores) {
  describe(`${name} store: lastN from outside input`, () => {
    it("treats any lastN as the newest n, all, or none beyond", () => {
      const store = open();
      store.add(newOp(), newOp(), newOp());
      for (const lastN of [
        2 ** 63,
        Number(2n ** 63n - 1n),
        1e308,
        Number.MAX_SAFE_INTEGER,
        Infinity,
      ])
        assert.equal(store.query({ lastN }).length, 3, `lastN ${lastN}`);
      for (const lastN of [0, -1, -(2 ** 63), Number.NaN])
        assert.equal(store.query({ lastN }).length, 3, `lastN ${lastN} means all`);
      assert.equal(store.query({ lastN: 2.9 }).length, 2);
    });
  });
}
