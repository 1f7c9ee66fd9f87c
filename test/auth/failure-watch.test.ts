import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createFailureWatch } from "../../src/auth/failure-watch.js";

describe("failed sign-in watch", () => {
  it("alerts once when one address fails `limit` times within the window, again after it", () => {
    let now = 0;
    const alerts: [string, number][] = [];
    const watch = createFailureWatch({
      limit: 3,
      windowMs: 1000,
      now: () => now,
      onAlert: (a, n) => alerts.push([a, n]),
    });
    watch.failed("10.0.0.1");
    watch.failed("10.0.0.2");
    now = 100;
    watch.failed("10.0.0.1");
    assert.deepEqual(alerts, []);
    watch.failed("10.0.0.1");
    assert.deepEqual(alerts, [["10.0.0.1", 3]]);
    watch.failed("10.0.0.1");
    assert.equal(alerts.length, 1, "one alert per window");
    now = 5000;
    watch.failed("10.0.0.1");
    watch.failed("10.0.0.1");
    assert.equal(alerts.length, 1, "old failures fell out of the window");
    watch.failed("10.0.0.1");
    assert.deepEqual(alerts.at(-1), ["10.0.0.1", 3]);
  });
});
