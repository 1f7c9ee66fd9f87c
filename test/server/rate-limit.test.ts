/** The fixed-window limiter with a fake clock. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createRateLimiter,
  rateLimitHeaders,
  retryAfterSeconds,
} from "../../src/server/rate-limit.js";

function fakeClock(start = 1_000_000) {
  const clock = { t: start, now: () => clock.t };
  return clock;
}

describe("rate limiter", () => {
  it("allows `limit` requests a window, refuses the next without counting it, resets after the window", () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ windowMs: 60_000, now: clock.now });
    const remaining = [];
    for (let i = 0; i < 3; i++) {
      const d = limiter.take("user:alice", 3);
      assert.equal(d.allowed, true);
      remaining.push(d.remaining);
      clock.t += 1_000;
    }
    assert.deepEqual(remaining, [2, 1, 0]);
    const refused = limiter.take("user:alice", 3);
    assert.deepEqual(refused, { allowed: false, limit: 3, remaining: 0, resetMs: 57_000 });
    assert.equal(retryAfterSeconds(refused), 57);
    clock.t += 56_999;
    assert.equal(limiter.take("user:alice", 3).allowed, false, "1 ms before the window ends");
    clock.t += 1;
    const fresh = limiter.take("user:alice", 3);
    assert.deepEqual(fresh, { allowed: true, limit: 3, remaining: 2, resetMs: 60_000 });
  });

  it("keeps keys apart", () => {
    const limiter = createRateLimiter({ now: fakeClock().now });
    assert.equal(limiter.take("a", 1).allowed, true);
    assert.equal(limiter.take("a", 1).allowed, false);
    assert.equal(limiter.take("b", 1).allowed, true);
  });

  it("peek reports without counting", () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ windowMs: 10_000, now: clock.now });
    assert.deepEqual(limiter.peek("k", 2), {
      allowed: true,
      limit: 2,
      remaining: 2,
      resetMs: 10_000,
    });
    assert.equal(limiter.size(), 0, "peek of an unknown key stores nothing");
    limiter.take("k", 2);
    limiter.take("k", 2);
    clock.t += 4_000;
    assert.deepEqual(limiter.peek("k", 2), {
      allowed: false,
      limit: 2,
      remaining: 0,
      resetMs: 6_000,
    });
    assert.deepEqual(limiter.peek("k", 2), limiter.peek("k", 2));
  });

  it("applies a changed limit to the current window at once", () => {
    const limiter = createRateLimiter({ now: fakeClock().now });
    for (let i = 0; i < 3; i++) limiter.take("k", 10);
    assert.equal(limiter.take("k", 3).allowed, false);
    assert.equal(limiter.take("k", 5).remaining, 1);
  });

  it("drops ended windows and caps the number of keys, oldest window first", () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ windowMs: 1_000, maxKeys: 3, now: clock.now });
    for (const key of ["a", "b", "c"]) {
      limiter.take(key, 1);
      clock.t += 100;
    }
    assert.equal(limiter.size(), 3);
    limiter.take("d", 1);
    assert.equal(limiter.size(), 3, "at the cap");
    assert.equal(limiter.take("a", 1).allowed, true, "a, the oldest, was dropped");
    assert.equal(limiter.take("c", 1).allowed, false, "c is still counted");
    clock.t += 5_000;
    limiter.take("e", 1);
    assert.equal(limiter.size(), 1, "every ended window was dropped");
  });

  it("renders the X-RateLimit-* headers, and Retry-After only when refused", () => {
    assert.deepEqual(
      rateLimitHeaders({ allowed: true, limit: 600, remaining: 599, resetMs: 59_001 }),
      {
        "x-ratelimit-limit": "600",
        "x-ratelimit-remaining": "599",
        "x-ratelimit-reset": "60",
      },
    );
    assert.deepEqual(rateLimitHeaders({ allowed: false, limit: 5, remaining: 0, resetMs: 200 }), {
      "x-ratelimit-limit": "5",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": "1",
      "retry-after": "1",
    });
  });
});
