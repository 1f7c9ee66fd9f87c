import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type OpStreamItem,
  SlowConsumerError,
  streamOpEvents,
} from "../../src/oplog/event-stream.js";
import { createMemoryOpStore } from "../../src/oplog/memory-store.js";
import type { OpEvent, OpStore } from "../../src/oplog/types.js";
import { newOp } from "./fixtures.js";

/** A store that counts its live subscriptions, to check the stream cleans up. */
function countingStore(): OpStore & { subscribers: () => number } {
  const store = createMemoryOpStore();
  let live = 0;
  return {
    ...store,
    subscribe(listener: (event: OpEvent) => void) {
      live++;
      const unsubscribe = store.subscribe(listener);
      let done = false;
      return () => {
        if (!done) live--;
        done = true;
        unsubscribe();
      };
    },
    subscribers: () => live,
  };
}

const typeOf = (item: IteratorResult<OpStreamItem>) => (item.done ? "done" : item.value.type);

describe("streamOpEvents", () => {
  it("yields events in commit order", async () => {
    const store = countingStore();
    const controller = new AbortController();
    const stream = streamOpEvents(store, { signal: controller.signal, keepAliveMs: 60_000 });
    const first = stream.next(); // starts the generator, which subscribes
    const [op] = store.add(newOp());
    assert.ok(op);
    store.update({ ...op, displayMessage: "x" });
    store.delete([op.id]);
    assert.equal(typeOf(await first), "created");
    assert.equal(typeOf(await stream.next()), "updated");
    const deleted = await stream.next();
    assert.deepEqual(deleted.value, { type: "deleted", ids: [op.id] });
    controller.abort();
    assert.equal(typeOf(await stream.next()), "done");
    assert.equal(store.subscribers(), 0);
  });

  it("yields keep-alives while idle", async () => {
    const store = countingStore();
    const controller = new AbortController();
    const stream = streamOpEvents(store, { signal: controller.signal, keepAliveMs: 5 });
    assert.equal(typeOf(await stream.next()), "keep-alive");
    assert.equal(typeOf(await stream.next()), "keep-alive");
    const next = stream.next();
    store.add(newOp());
    const item = await next;
    // The event may race a keep-alive that was already due; it must arrive right after it.
    assert.equal(
      typeOf(item) === "keep-alive" ? typeOf(await stream.next()) : typeOf(item),
      "created",
    );
    await stream.return();
    assert.equal(store.subscribers(), 0);
  });

  it("ends when the signal aborts, while waiting, and unsubscribes", async () => {
    const store = countingStore();
    const controller = new AbortController();
    const stream = streamOpEvents(store, { signal: controller.signal, keepAliveMs: 60_000 });
    const waiting = stream.next();
    assert.equal(store.subscribers(), 1);
    controller.abort();
    assert.equal(typeOf(await waiting), "done");
    assert.equal(store.subscribers(), 0);
  });

  it("unsubscribes on abort even if the consumer stops calling next()", async () => {
    const store = countingStore();
    const controller = new AbortController();
    const stream = streamOpEvents(store, { signal: controller.signal, keepAliveMs: 60_000 });
    const waiting = stream.next();
    store.add(newOp());
    await waiting; // now suspended at a yield, not awaiting anything of ours
    controller.abort();
    assert.equal(store.subscribers(), 0);
  });

  it("returns at once for an already aborted signal, without subscribing", async () => {
    const store = countingStore();
    const stream = streamOpEvents(store, { signal: AbortSignal.abort() });
    assert.equal(typeOf(await stream.next()), "done");
    assert.equal(store.subscribers(), 0);
  });

  it("drops a slow consumer with SlowConsumerError and unsubscribes it", async () => {
    const store = countingStore();
    const controller = new AbortController();
    const stream = streamOpEvents(store, {
      signal: controller.signal,
      maxQueued: 3,
      keepAliveMs: 60_000,
    });
    const first = stream.next();
    store.add(newOp()); // taken by the waiting next()
    assert.equal(typeOf(await first), "created");
    for (let i = 0; i < 3; i++) store.add(newOp()); // exactly maxQueued: still fine
    assert.equal(store.subscribers(), 1);
    store.add(newOp()); // one too many
    assert.equal(store.subscribers(), 0);
    await assert.rejects(stream.next(), SlowConsumerError);
    assert.equal(typeOf(await stream.next()), "done");
  });

  it("unsubscribes when the consumer breaks out of for-await", async () => {
    const store = countingStore();
    const controller = new AbortController();
    setImmediate(() => store.add(newOp()));
    for await (const item of streamOpEvents(store, {
      signal: controller.signal,
      keepAliveMs: 60_000,
    })) {
      assert.equal(item.type, "created");
      break;
    }
    assert.equal(store.subscribers(), 0);
  });
});
