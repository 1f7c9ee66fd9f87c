import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  optionalSnapshotId,
  snapshotId,
  snapshotIds,
} from "../../src/api/backrest/snapshot-ids.js";
import { ValidationError } from "../../src/errors.js";

/** The issues of the ValidationError that `fn` throws. */
function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ValidationError);
    return e.issues;
  }
  assert.fail("expected a ValidationError");
}

describe("snapshot ids from clients", () => {
  const full = "a".repeat(64);

  it("takes restic's ids, their prefixes and latest", () => {
    assert.equal(snapshotId(full, "snapshotId", "a snapshot"), full);
    assert.equal(snapshotId("1a2b3c4d", "snapshotId", "a snapshot"), "1a2b3c4d");
    assert.equal(snapshotId("latest", "snapshotId", "a snapshot"), "latest");
    assert.equal(optionalSnapshotId("", "snapshotId"), "");
    assert.deepEqual(snapshotIds(["1a2b3c4d", full]), ["1a2b3c4d", full]);
  });

  it("refuses a missing id, one too long to be an id, and NUL, naming the field", () => {
    assert.deepEqual(
      issuesOf(() => snapshotId("", "snapshotA", "the older snapshot")),
      [{ path: "snapshotA", message: "must name the older snapshot" }],
    );
    assert.deepEqual(
      issuesOf(() => snapshotId("a".repeat(200_000), "snapshotId", "a snapshot")),
      [{ path: "snapshotId", message: "is 200000 characters long; a snapshot id has at most 64" }],
    );
    assert.deepEqual(
      issuesOf(() => optionalSnapshotId("ab\0cd", "snapshotId")),
      [{ path: "snapshotId", message: "must not contain NUL characters" }],
    );
    assert.deepEqual(
      issuesOf(() => snapshotIds(["1a2b", `${full}0`, "x\0"])).map((i) => i.path),
      ["snapshotIds[1]", "snapshotIds[2]"],
    );
    assert.deepEqual(
      issuesOf(() => snapshotIds([])),
      [{ path: "snapshotIds", message: "must name at least one snapshot" }],
    );
  });
});
