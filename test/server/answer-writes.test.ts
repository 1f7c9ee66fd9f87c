import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createAnswerWrites } from "../../src/server/answer-writes.js";

describe("answer writes", () => {
  /** An error handler for writes that must not fail. */
  const unexpected = (e: unknown) => assert.fail(`a write failed: ${e}`);
  /** A queue whose flushes are run by hand, and the flushes it scheduled. */
  const manual = () => {
    const flushes: (() => void)[] = [];
    const writes = createAnswerWrites((flush) => flushes.push(flush));
    return { writes, flushes };
  };

  it("writes nothing until the turn ends, then every queued answer in order, in one flush", () => {
    const { writes, flushes } = manual();
    const written: string[] = [];
    for (const name of ["a", "b", "c"]) writes.push(() => written.push(name), unexpected);
    assert.equal(written.length, 0);
    assert.equal(flushes.length, 1, "one flush for the turn");
    flushes[0]?.();
    assert.deepEqual(written, ["a", "b", "c"]);
    writes.push(() => written.push("d"), unexpected);
    assert.equal(flushes.length, 2, "the next turn's answers get a flush of their own");
    flushes[1]?.();
    assert.deepEqual(written, ["a", "b", "c", "d"]);
  });

  it("hands a failed write to its own error handler and goes on with the rest", () => {
    const { writes, flushes } = manual();
    const seen: string[] = [];
    writes.push(
      () => seen.push("a"),
      () => seen.push("a failed"),
    );
    writes.push(
      () => {
        throw new Error("socket gone");
      },
      (e) => seen.push(`b failed: ${(e as Error).message}`),
    );
    writes.push(
      () => seen.push("c"),
      () => seen.push("c failed"),
    );
    flushes[0]?.();
    assert.deepEqual(seen, ["a", "b failed: socket gone", "c"]);
  });

  it("by default writes after the turn's callbacks (setImmediate)", async () => {
    const writes = createAnswerWrites();
    const order: string[] = [];
    writes.push(() => order.push("written"), unexpected);
    queueMicrotask(() => order.push("microtask"));
    process.nextTick(() => order.push("tick"));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(order.length, 3);
    assert.equal(order.at(-1), "written", "after this turn's ticks and microtasks");
  });
});
