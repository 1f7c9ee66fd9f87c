import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import type { Client } from "@connectrpc/connect";
import {
  type Operation,
  type OperationEvent,
  OperationEventSchema,
  OperationSchema,
  OperationStatus,
} from "../../gen/v1/operations_pb.js";
import type { Backrest } from "../../gen/v1/service_pb.js";
import { waitForOperation } from "../../src/client/wait.js";

function op(id: bigint, status: OperationStatus): Operation {
  return create(OperationSchema, { id, status });
}

function updated(o: Operation): OperationEvent {
  return create(OperationEventSchema, {
    event: { case: "updatedOperations", value: { operations: [o] } },
  });
}

/** A client whose WaitOperation answers from `statuses` in turn and whose event stream is `events`. */
function fakeClient(
  statuses: OperationStatus[],
  events: () => AsyncIterable<OperationEvent>,
): Client<typeof Backrest> {
  let call = 0;
  return {
    waitOperation: async ({ operationId }: { operationId: bigint }) =>
      op(
        operationId,
        statuses[Math.min(call++, statuses.length - 1)] ?? OperationStatus.STATUS_SUCCESS,
      ),
    getOperationEvents: events,
  } as unknown as Client<typeof Backrest>;
}

describe("client waitForOperation", () => {
  it("returns when the operation ends even if the event stream ignores the abort", async () => {
    let release: () => void = () => {};
    const stuck = new Promise<void>((r) => {
      release = r;
    });
    const seen: Operation[] = [];
    const client = fakeClient(
      [OperationStatus.STATUS_INPROGRESS, OperationStatus.STATUS_SUCCESS],
      async function* () {
        yield updated(op(7n, OperationStatus.STATUS_INPROGRESS));
        await stuck; // never ends on its own, whatever the signal says
        yield updated(op(7n, OperationStatus.STATUS_INPROGRESS));
      },
    );
    const ended = await waitForOperation(client, 7n, { onUpdate: (u) => seen.push(u) });
    assert.equal(ended.status, OperationStatus.STATUS_SUCCESS);
    const before = seen.length;
    release();
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(seen.length, before, "no update is passed on after the wait returned");
  });

  it("passes on the updates of its own operation only", async () => {
    let finish: () => void = () => {};
    const finished = new Promise<void>((r) => {
      finish = r;
    });
    const seen: bigint[] = [];
    const client = {
      waitOperation: async ({ operationId }: { operationId: bigint }) => {
        await finished;
        return op(operationId, OperationStatus.STATUS_SUCCESS);
      },
      getOperationEvents: async function* () {
        yield updated(op(1n, OperationStatus.STATUS_INPROGRESS));
        yield updated(op(2n, OperationStatus.STATUS_INPROGRESS));
        yield updated(op(1n, OperationStatus.STATUS_INPROGRESS));
        finish();
      },
    } as unknown as Client<typeof Backrest>;
    await waitForOperation(client, 1n, { onUpdate: (u) => seen.push(u.id) });
    assert.deepEqual(seen, [1n, 1n]);
  });
});
