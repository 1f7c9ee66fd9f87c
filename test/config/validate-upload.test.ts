/** Validation of the upload size limit setting. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validateConfig } from "../../src/config/index.js";
import { configFrom } from "./helpers.js";

function issuesOf(settings: object) {
  return validateConfig(configFrom({ instance: "a", settings }));
}

describe("validateConfig: upload limit", () => {
  it("accepts the default (0), a number of bytes and -1 (no limit)", () => {
    for (const uploadMaxBytes of ["0", "1048576", "-1"])
      assert.deepEqual(issuesOf({ uploadMaxBytes }), [], uploadMaxBytes);
  });

  it("refuses a limit below -1, saying what is allowed", () => {
    const issues = issuesOf({ uploadMaxBytes: "-2" });
    assert.deepEqual(
      issues.map((i) => i.path),
      ["settings.uploadMaxBytes"],
    );
    assert.match(issues[0]?.message ?? "", /0 for the default \(10 GiB\) or -1 for no limit/);
  });
});
