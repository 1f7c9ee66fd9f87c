import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { OperationSchema, OperationStatus } from "../../gen/v1/operations_pb.js";
import { NotFoundError } from "../../src/errors.js";
import { createMemoryOpStore } from "../../src/oplog/memory-store.js";
import { waitForOperation } from "../../src/oplog/wait.js";

const running = () =>
  create(OperationSchema, { status: OperationStatus.STATUS_INPROGRESS, repoId: "r" });

describe("waitForOperation", () => {
  it("resolves when the operation finishes", async () => {
    const store = createMemoryOpStore();
    const [op] = store.add(running());
    const waiting = waitForOperation(store, op?.id ?? 0n, { timeoutMs: 10_000 });
    if (op) store.update({ ...op, status: OperationStatus.STATUS_SUCCESS });
    assert.equal((await waiting).status, OperationStatus.STATUS_SUCCESS);
  });

  it("returns the operation as it is at the timeout, and at once when it already finished", async () => {
    const store = createMemoryOpStore();
    const [op] = store.add(running());
    assert.equal(
      (await waitForOperation(store, op?.id ?? 0n, { timeoutMs: 20 })).status,
      OperationStatus.STATUS_INPROGRESS,
    );
    const [done] = store.add(create(OperationSchema, { status: OperationStatus.STATUS_ERROR }));
    assert.equal(
      (await waitForOperation(store, done?.id ?? 0n, { timeoutMs: 60_000 })).status,
      OperationStatus.STATUS_ERROR,
    );
  });

  it("rejects for unknown and deleted operations, and stops on abort", async () => {
    const store = createMemoryOpStore();
    await assert.rejects(waitForOperation(store, 99n, { timeoutMs: 10 }), NotFoundError);
    const [op] = store.add(running());
    const waiting = waitForOperation(store, op?.id ?? 0n, { timeoutMs: 60_000 });
    store.delete([op?.id ?? 0n]);
    await assert.rejects(waiting, NotFoundError);
    const [other] = store.add(running());
    const abort = new AbortController();
    const aborted = waitForOperation(store, other?.id ?? 0n, {
      timeoutMs: 60_000,
      signal: abort.signal,
    });
    abort.abort();
    assert.equal((await aborted).status, OperationStatus.STATUS_INPROGRESS);
  });
});
