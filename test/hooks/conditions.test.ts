import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Hook_Condition as C } from "../../gen/v1/config_pb.js";
import { eventName, hookMatches } from "../../src/hooks/index.js";
import { hook } from "./helpers.js";

describe("hookMatches", () => {
  test("a condition matches itself only", () => {
    const h = hook({ conditions: [C.SNAPSHOT_START] });
    assert.equal(hookMatches(h, C.SNAPSHOT_START), true);
    assert.equal(hookMatches(h, C.SNAPSHOT_SUCCESS), false);
    assert.equal(hookMatches(h, C.PRUNE_START), false);
  });

  test("ANY_ERROR matches every *_ERROR and nothing else", () => {
    const h = hook({ conditions: [C.ANY_ERROR] });
    for (const c of [C.SNAPSHOT_ERROR, C.PRUNE_ERROR, C.CHECK_ERROR, C.FORGET_ERROR])
      assert.equal(hookMatches(h, c), true, C[c]);
    for (const c of [
      C.SNAPSHOT_START,
      C.SNAPSHOT_SUCCESS,
      C.SNAPSHOT_WARNING,
      C.SNAPSHOT_SKIPPED,
      C.PRUNE_SUCCESS,
    ])
      assert.equal(hookMatches(h, c), false, C[c]);
  });

  test("SNAPSHOT_END matches the success, warning and error ends of a backup", () => {
    const h = hook({ conditions: [C.SNAPSHOT_END] });
    for (const c of [C.SNAPSHOT_SUCCESS, C.SNAPSHOT_WARNING, C.SNAPSHOT_ERROR])
      assert.equal(hookMatches(h, c), true, C[c]);
    for (const c of [C.SNAPSHOT_START, C.SNAPSHOT_SKIPPED, C.PRUNE_ERROR, C.CHECK_SUCCESS])
      assert.equal(hookMatches(h, c), false, C[c]);
  });

  test("any of several conditions; none never matches", () => {
    const h = hook({ conditions: [C.PRUNE_SUCCESS, C.CHECK_ERROR] });
    assert.equal(hookMatches(h, C.CHECK_ERROR), true);
    assert.equal(hookMatches(h, C.PRUNE_SUCCESS), true);
    assert.equal(hookMatches(h, C.PRUNE_ERROR), false);
    assert.equal(hookMatches(hook({}), C.SNAPSHOT_ERROR), false);
  });
});

describe("eventName", () => {
  test("maps every condition", () => {
    const expected: Array<[C, string]> = [
      [C.SNAPSHOT_START, "backup.started"],
      [C.SNAPSHOT_SUCCESS, "backup.completed"],
      [C.SNAPSHOT_ERROR, "backup.failed"],
      [C.SNAPSHOT_WARNING, "backup.warning"],
      [C.SNAPSHOT_SKIPPED, "backup.skipped"],
      [C.SNAPSHOT_END, "backup.ended"],
      [C.PRUNE_START, "prune.started"],
      [C.PRUNE_SUCCESS, "prune.completed"],
      [C.PRUNE_ERROR, "prune.failed"],
      [C.CHECK_START, "check.started"],
      [C.CHECK_SUCCESS, "check.completed"],
      [C.CHECK_ERROR, "check.failed"],
      [C.FORGET_START, "forget.started"],
      [C.FORGET_SUCCESS, "forget.completed"],
      [C.FORGET_ERROR, "forget.failed"],
      [C.ANY_ERROR, "operation.failed"],
      [C.UNKNOWN, "unknown"],
    ];
    for (const [c, name] of expected) assert.equal(eventName(c), name, C[c]);
  });
});
