import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createSnapshotMatcher } from "../../src/oplog/snapshot-match.js";

const FULL = `abcd1234${"e".repeat(56)}`;

describe("createSnapshotMatcher", () => {
  it("matches equal ids and a short id against a full one, both ways", () => {
    const fromFull = createSnapshotMatcher([FULL]);
    assert.equal(fromFull(FULL), true);
    assert.equal(fromFull("abcd1234"), true);
    const fromShort = createSnapshotMatcher(["abcd1234"]);
    assert.equal(fromShort(FULL), true);
    assert.equal(fromShort("abcd1234"), true);
  });

  it("rejects ids that only share part of a prefix, and empty ids on either side", () => {
    const match = createSnapshotMatcher(["abcd1234", "", `ffff0000${"1".repeat(56)}`]);
    assert.equal(match("abcd1235"), false);
    assert.equal(match(`abcd1235${"e".repeat(56)}`), false);
    assert.equal(match("ffff0001"), false);
    assert.equal(match(""), false);
    assert.equal(createSnapshotMatcher([])("abcd1234"), false);
  });

  it("finds a match among many sorted neighbours", () => {
    const live = Array.from({ length: 1000 }, (_, i) => `${i}`.padStart(8, "0").padEnd(64, "a"));
    const match = createSnapshotMatcher(live);
    assert.equal(match("00000500"), true);
    assert.equal(match("00000999"), true);
    assert.equal(match("00001000"), false);
    assert.equal(match(`00000500${"a".repeat(55)}b`), false);
  });
});
