import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ValidationError } from "../../src/errors.js";
import { restoreTarget, snapshotPath } from "../../src/orchestrator/paths.js";

/** The message of the ValidationError that `fn` throws for `field`. */
function refusal(fn: () => unknown, field: string): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ValidationError);
    assert.equal(e.issues[0]?.path, field);
    return e.issues[0]?.message ?? "";
  }
  assert.fail("expected a ValidationError");
}

describe("snapshotPath", () => {
  it("takes the root and absolute paths, without a trailing slash", () => {
    assert.equal(snapshotPath("", "path"), "/");
    assert.equal(snapshotPath("/", "path"), "/");
    assert.equal(snapshotPath("/home/a/", "path"), "/home/a");
  });

  it("refuses NUL characters, relative paths and dot segments", () => {
    assert.match(
      refusal(() => snapshotPath("/a\0b", "path"), "path"),
      /NUL/,
    );
    assert.match(
      refusal(() => snapshotPath("home", "path"), "path"),
      /absolute/,
    );
    assert.match(
      refusal(() => snapshotPath("/a/../b", "path"), "path"),
      /"\.\." segments/,
    );
  });

  it("refuses a path longer than the system's 4096 characters without echoing it", () => {
    const longest = `/${"a".repeat(4095)}`;
    assert.equal(snapshotPath(longest, "path"), longest);
    const message = refusal(() => snapshotPath(`/${"a".repeat(200_000)}`, "path"), "path");
    assert.equal(message, "is 200001 characters long; a path has at most 4096");
    assert.match(
      refusal(() => restoreTarget(`/${"b".repeat(5000)}`), "target"),
      /at most 4096/,
    );
  });
});
