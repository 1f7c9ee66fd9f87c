/** The failure watch's live limit and its per-failure observer (the failed sign-in rate limit). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createFailureWatch } from "../../src/auth/failure-watch.js";

describe("failed sign-in watch: live limit and observer", () => {
  it("reads the limit on every failure and reports every failure to onFailed", () => {
    let limit = 5;
    const seen: string[] = [];
    const alerts: [string, number][] = [];
    const watch = createFailureWatch({
      limit: () => limit,
      now: () => 0,
      onAlert: (a, n) => alerts.push([a, n]),
      onFailed: (a) => seen.push(a),
    });
    watch.failed("10.0.0.1");
    watch.failed("10.0.0.2");
    assert.deepEqual(alerts, []);
    limit = 2;
    watch.failed("10.0.0.1");
    assert.deepEqual(alerts, [["10.0.0.1", 2]]);
    assert.deepEqual(seen, ["10.0.0.1", "10.0.0.2", "10.0.0.1"]);
  });
});
