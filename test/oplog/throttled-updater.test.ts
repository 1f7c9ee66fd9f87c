import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import type { Operation } from "../../gen/v1/operations_pb.js";
import { NotFoundError } from "../../src/errors.js";
import { createMemoryOpStore } from "../../src/oplog/memory-store.js";
import { createThrottledUpdater } from "../../src/oplog/throttled-updater.js";
import type { OpStore } from "../../src/oplog/types.js";
import { createFakeTimers, newOp } from "./fixtures.js";

/** A memory store that records the display message of every update it receives. */
function recordingStore(): OpStore & { writes: string[] } {
  const store = createMemoryOpStore();
  const writes: string[] = [];
  return {
    ...store,
    update(...ops) {
      writes.push(...ops.map((op) => op.displayMessage));
      return store.update(...ops);
    },
    writes,
  };
}

const withMessage = (op: Operation, displayMessage: string): Operation => ({
  ...op,
  displayMessage,
});

describe("createThrottledUpdater", () => {
  let store: ReturnType<typeof recordingStore>;
  let timers: ReturnType<typeof createFakeTimers>;
  let op: Operation;
  const make = () =>
    createThrottledUpdater(store, { intervalMs: 1000, now: timers.now, setTimer: timers.setTimer });

  beforeEach(() => {
    store = recordingStore();
    timers = createFakeTimers(10_000);
    [op] = store.add(newOp()) as [Operation];
  });

  it("writes the first update at once", () => {
    make().update(withMessage(op, "a"));
    assert.deepEqual(store.writes, ["a"]);
    assert.equal(store.get(op.id)?.displayMessage, "a");
  });

  it("coalesces updates within the interval into one trailing write of the latest", () => {
    const updater = make();
    updater.update(withMessage(op, "a"));
    timers.advance(100);
    updater.update(withMessage(op, "b"));
    updater.update(withMessage(op, "c"));
    timers.advance(899);
    assert.deepEqual(store.writes, ["a"]);
    timers.advance(1);
    assert.deepEqual(store.writes, ["a", "c"]);
    assert.equal(store.get(op.id)?.displayMessage, "c");
  });

  it("writes each operation at most once per interval under a steady stream", () => {
    const writeTimes: number[] = [];
    store.subscribe((event) => {
      if (event.type === "updated") writeTimes.push(timers.now());
    });
    const updater = make();
    for (let i = 0; i < 50; i++) {
      updater.update(withMessage(op, `u${i}`));
      timers.advance(100);
    }
    // Updates every 100 ms for 5 s: the first at once, then the latest at each interval's end.
    assert.deepEqual(store.writes, ["u0", "u9", "u19", "u29", "u39", "u49"]);
    for (const [i, t] of writeTimes.entries()) {
      if (i > 0) assert.ok(t - (writeTimes[i - 1] ?? 0) >= 1000, `writes at ${writeTimes}`);
    }
    timers.advance(5000);
    assert.equal(store.writes.length, 6);
    assert.equal(store.get(op.id)?.displayMessage, "u49");
  });

  it("throttles each operation id on its own", () => {
    const [other] = store.add(newOp()) as [Operation];
    const updater = make();
    updater.update(withMessage(op, "a1"));
    updater.update(withMessage(other, "b1"));
    updater.update(withMessage(op, "a2"));
    assert.deepEqual(store.writes, ["a1", "b1"]);
    timers.advance(1000);
    assert.deepEqual(store.writes, ["a1", "b1", "a2"]);
  });

  it("leaves no timers behind once updates stop", () => {
    const updater = make();
    updater.update(withMessage(op, "a"));
    updater.update(withMessage(op, "b"));
    timers.advance(5000);
    assert.deepEqual(store.writes, ["a", "b"]);
    assert.equal(timers.pending(), 0);
    updater.update(withMessage(op, "c"));
    assert.deepEqual(store.writes, ["a", "b", "c"]);
  });

  it("flush(id) writes that operation's pending state now, and only once", () => {
    const [other] = store.add(newOp()) as [Operation];
    const updater = make();
    updater.update(withMessage(op, "a1"));
    updater.update(withMessage(other, "b1"));
    updater.update(withMessage(op, "a2"));
    updater.update(withMessage(other, "b2"));
    updater.flush(op.id);
    assert.deepEqual(store.writes, ["a1", "b1", "a2"]);
    updater.flush();
    assert.deepEqual(store.writes, ["a1", "b1", "a2", "b2"]);
    timers.advance(5000);
    assert.equal(store.writes.length, 4);
  });

  it("close flushes, cancels timers and refuses later updates", () => {
    const updater = make();
    updater.update(withMessage(op, "a"));
    updater.update(withMessage(op, "b"));
    updater.close();
    assert.deepEqual(store.writes, ["a", "b"]);
    assert.equal(timers.pending(), 0);
    assert.throws(() => updater.update(withMessage(op, "c")), /closed/);
  });

  it("reports a failed trailing write to onError", () => {
    const errors: unknown[] = [];
    const updater = createThrottledUpdater(store, {
      now: timers.now,
      setTimer: timers.setTimer,
      onError: (error) => errors.push(error),
    });
    updater.update(withMessage(op, "a"));
    updater.update(withMessage(op, "b"));
    store.delete([op.id]);
    timers.advance(1000);
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof NotFoundError);
  });

  it("does not stretch the interval when a timer fires late", () => {
    const lateTimers = { setTimer: () => () => {} }; // never fires
    const updater = createThrottledUpdater(store, { now: timers.now, ...lateTimers });
    updater.update(withMessage(op, "a"));
    updater.update(withMessage(op, "b"));
    timers.advance(1000);
    updater.update(withMessage(op, "c"));
    assert.deepEqual(store.writes, ["a", "c"]);
  });
});
