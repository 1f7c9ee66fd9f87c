/**
 * The behaviour every OpStore must have. Each store's test file runs it with a factory.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import {
  type Operation,
  OperationBackupSchema,
  OperationStatus,
} from "../../gen/v1/operations_pb.js";
import { ConflictError, NotFoundError } from "../../src/errors.js";
import type { ListenerErrorHandler } from "../../src/oplog/listeners.js";
import { recoverInterrupted } from "../../src/oplog/recover.js";
import type { OpEvent, OpSelector, OpStore } from "../../src/oplog/types.js";
import { idsOf, newOp } from "./fixtures.js";

/** Makes a fresh, empty store; `onListenerError` must be passed to the store. */
export type MakeOpStore = (opts: { onListenerError: ListenerErrorHandler }) => OpStore;

/** Registers the contract tests for one store implementation. */
export function runOpStoreContract(name: string, makeStore: MakeOpStore): void {
  describe(`OpStore contract: ${name}`, () => {
    let store: OpStore;
    let listenerErrors: unknown[];
    beforeEach(() => {
      listenerErrors = [];
      store = makeStore({ onListenerError: (e) => listenerErrors.push(e) });
    });
    afterEach(() => store.close());

    describeWrites(() => store);
    describeQueries(() => store);
    describeSubscriptions(
      () => store,
      () => listenerErrors,
    );

    it("recoverInterrupted marks pending and in-progress operations as errors", () => {
      const [pending, running, done] = store.add(
        newOp({ status: OperationStatus.STATUS_PENDING }),
        newOp({ status: OperationStatus.STATUS_INPROGRESS, repoId: "r2" }),
        newOp({ status: OperationStatus.STATUS_SUCCESS }),
      );
      const recovered = recoverInterrupted(store, "the daemon stopped while this ran", 42_000);
      assert.deepEqual(idsOf(recovered), [pending?.id, running?.id]);
      for (const op of recovered) {
        const stored = store.get(op.id);
        assert.equal(stored?.status, OperationStatus.STATUS_ERROR);
        assert.equal(stored?.displayMessage, "the daemon stopped while this ran");
        assert.equal(stored?.unixTimeEndMs, 42_000n);
      }
      assert.equal(store.get(done?.id ?? 0n)?.status, OperationStatus.STATUS_SUCCESS);
      assert.deepEqual(recoverInterrupted(store, "again", 43_000), []);
    });
  });
}

function describeWrites(store: () => OpStore): void {
  it("add assigns increasing ids and modnos and leaves its arguments alone", () => {
    const input = [newOp(), newOp(), newOp()];
    const added = store().add(...input);
    assert.equal(added.length, 3);
    const [a, b, c] = added as [Operation, Operation, Operation];
    assert.ok(a.id > 0n && a.id < b.id && b.id < c.id);
    assert.ok(a.modno > 0n && a.modno < b.modno && b.modno < c.modno);
    const [d] = store().add(newOp());
    assert.ok(d !== undefined && d.id > c.id && d.modno > c.modno);
    assert.ok(input.every((op) => op.id === 0n && op.modno === 0n && op.flowId === 0n));
    assert.deepEqual(store().add(), []);
  });

  it("flowId defaults to the operation's own id; a given flowId is kept", () => {
    const [own] = store().add(newOp());
    assert.equal(own?.flowId, own?.id);
    const [joined] = store().add(newOp({ flowId: own?.id ?? 0n }));
    assert.equal(joined?.flowId, own?.id);
    assert.notEqual(joined?.id, own?.id);
    assert.equal(store().get(own?.id ?? 0n)?.flowId, own?.id);
  });

  it("get returns a stored copy, undefined for an unknown id", () => {
    const [added] = store().add(newOp({ snapshotId: "snap" }));
    assert.ok(added);
    const got = store().get(added.id);
    assert.deepEqual(got, added);
    if (got) got.repoId = "mutated";
    assert.equal(store().get(added.id)?.repoId, "r1");
    assert.equal(store().get(999_999n), undefined);
  });

  it("add keeps a given id, refuses a taken one, and later ids stay increasing", () => {
    const [explicit] = store().add(newOp({ id: 500n }));
    assert.equal(explicit?.id, 500n);
    assert.throws(() => store().add(newOp({ id: 500n })), ConflictError);
    const [next] = store().add(newOp());
    assert.ok(next !== undefined && next.id > 500n);
  });

  it("update bumps modno and persists the payload", () => {
    const [added] = store().add(newOp());
    assert.ok(added);
    added.status = OperationStatus.STATUS_INPROGRESS;
    added.op = {
      case: "operationBackup",
      value: create(OperationBackupSchema, {
        lastStatus: { entry: { case: "status", value: { percentDone: 0.5 } } },
      }),
    };
    const [updated] = store().update(added);
    assert.ok(updated !== undefined && updated.modno > added.modno);
    const got = store().get(added.id);
    assert.equal(got?.status, OperationStatus.STATUS_INPROGRESS);
    assert.equal(got?.modno, updated.modno);
    assert.equal(got?.flowId, added.id);
    const entry = got?.op.case === "operationBackup" ? got.op.value.lastStatus?.entry : undefined;
    assert.equal(entry?.case === "status" ? entry.value.percentDone : undefined, 0.5);
  });

  it("update of an unknown id throws NotFoundError and writes nothing", () => {
    const [known] = store().add(newOp());
    assert.ok(known);
    const changed = { ...known, displayMessage: "changed" } as Operation;
    assert.throws(() => store().update(changed, newOp({ id: 424_242n })), NotFoundError);
    assert.equal(store().get(known.id)?.displayMessage, "");
    assert.equal(store().get(known.id)?.modno, known.modno);
    assert.throws(() => store().update(newOp()), NotFoundError);
  });

  it("delete removes operations and returns only the ids that existed", () => {
    const [a, b] = store().add(newOp(), newOp());
    assert.ok(a && b);
    assert.deepEqual(store().delete([a.id, 777_777n]), [a.id]);
    assert.equal(store().get(a.id), undefined);
    assert.deepEqual(idsOf(store().query()), [b.id]);
    assert.deepEqual(store().delete([a.id]), []);
  });

  it("ids and modnos never go back after the newest operations are deleted", () => {
    const [a, b] = store().add(newOp(), newOp());
    assert.ok(a && b);
    store().delete([b.id]);
    const [c] = store().add(newOp());
    assert.ok(c !== undefined && c.id > b.id && c.modno > b.modno);
  });
}

function describeQueries(store: () => OpStore): void {
  /** r1/p1 ×2 (one with a snapshot), r2/p2 in the first op's flow, r1/p3 on another instance. */
  const seed = () => {
    const [a] = store().add(newOp({ snapshotId: "s1" }));
    assert.ok(a);
    const rest = store().add(
      newOp({ repoId: "r2", repoGuid: "guid-r2", planId: "p2", flowId: a.id }),
      newOp(),
      newOp({ planId: "p3", instanceId: "other", status: OperationStatus.STATUS_SUCCESS }),
    );
    return [a, ...rest] as [Operation, Operation, Operation, Operation];
  };

  it("{} and no query return everything, oldest first", () => {
    const ops = seed();
    assert.deepEqual(idsOf(store().query()), idsOf(ops));
    assert.deepEqual(idsOf(store().query({ selector: {} })), idsOf(ops));
    assert.deepEqual(store().query(), ops);
  });

  it("queries by each selector field", () => {
    const [a, b, c, d] = seed();
    const q = (selector: Parameters<OpStore["query"]>[0]) => idsOf(store().query(selector));
    assert.deepEqual(q({ selector: { ids: [c.id, a.id, 999_999n] } }), [a.id, c.id]);
    assert.deepEqual(q({ selector: { repoId: "r2" } }), [b.id]);
    assert.deepEqual(q({ selector: { repoGuid: "guid-r1" } }), [a.id, c.id, d.id]);
    assert.deepEqual(q({ selector: { planId: "p3" } }), [d.id]);
    assert.deepEqual(q({ selector: { snapshotId: "s1" } }), [a.id]);
    assert.deepEqual(q({ selector: { flowId: a.id } }), [a.id, b.id]);
    assert.deepEqual(q({ selector: { instanceId: "other" } }), [d.id]);
    assert.deepEqual(q({ selector: { modnoGte: c.modno } }), [c.id, d.id]);
    assert.deepEqual(
      q({ selector: { statuses: [OperationStatus.STATUS_SUCCESS, OperationStatus.STATUS_ERROR] } }),
      [d.id],
    );
    assert.deepEqual(q({ selector: { repoId: "nope" } }), []);
  });

  it("queryShared answers as query does, frozen, and a changed operation as its new version", () => {
    const [a, , c] = seed();
    const q = { selector: { repoId: "r1" }, lastN: 2 };
    const first = store().queryShared(q);
    assert.deepEqual(first, store().query(q));
    assert.ok(first.every((op) => Object.isFrozen(op) && Object.isFrozen(op.op)));
    // The store's own operations are not frozen by a reader's query.
    assert.ok(!Object.isFrozen(store().query({ selector: { ids: [a.id] } })[0]));
    const [updated] = store().update({ ...c, displayMessage: "changed" });
    assert.ok(updated);
    const again = store().queryShared(q);
    assert.deepEqual(idsOf(again), idsOf(first));
    assert.equal(again.find((op) => op.id === c.id)?.displayMessage, "changed");
    assert.equal(again.find((op) => op.id === c.id)?.modno, updated.modno);
  });

  it("combines selector fields with AND", () => {
    const [a, b, c] = seed();
    const q = (selector: Parameters<OpStore["query"]>[0]) => idsOf(store().query(selector));
    assert.deepEqual(q({ selector: { repoId: "r1", planId: "p1" } }), [a.id, c.id]);
    assert.deepEqual(q({ selector: { repoId: "r1", flowId: a.id } }), [a.id]);
    assert.deepEqual(q({ selector: { planId: "p1", modnoGte: b.modno } }), [c.id]);
    assert.deepEqual(q({ selector: { ids: [a.id, b.id], repoId: "r2" } }), [b.id]);
    assert.deepEqual(q({ selector: { repoId: "r2", planId: "p1" } }), []);
  });

  it("treats empty values as unset, like the proto selector", () => {
    const ops = seed();
    const all = idsOf(ops);
    const empty = { ids: [], repoId: "", planId: "", flowId: 0n, modnoGte: 0n, statuses: [] };
    assert.deepEqual(idsOf(store().query({ selector: empty })), all);
  });

  it("modnoGte finds updated operations", () => {
    const [a, b] = seed();
    const since = store().query({ lastN: 1 })[0]?.modno ?? 0n;
    const [updated] = store().update({ ...b, displayMessage: "later" } as Operation);
    assert.deepEqual(idsOf(store().query({ selector: { modnoGte: since + 1n } })), [b.id]);
    assert.equal(updated?.displayMessage, "later");
    assert.ok(a.modno < since);
  });

  it("lastN returns the newest n matches in ascending order", () => {
    const [a, b, c, d] = seed();
    assert.deepEqual(idsOf(store().query({ lastN: 2 })), [c.id, d.id]);
    assert.deepEqual(idsOf(store().query({ lastN: 10 })), [a.id, b.id, c.id, d.id]);
    assert.deepEqual(idsOf(store().query({ lastN: 0 })), [a.id, b.id, c.id, d.id]);
    assert.deepEqual(idsOf(store().query({ selector: { repoId: "r1" }, lastN: 2 })), [c.id, d.id]);
    assert.deepEqual(idsOf(store().query({ selector: { modnoGte: 1n }, lastN: 1 })), [d.id]);
  });

  describePaging(store);

  it("returns copies that do not change the store", () => {
    seed();
    const [first] = store().query();
    assert.ok(first);
    first.repoId = "mutated";
    assert.equal(store().get(first.id)?.repoId, "r1");
  });
}

/** Pages of lastN with beforeId: the web UI's cursor through the history, newest page first. */
function describePaging(store: () => OpStore): void {
  /** 23 operations over plans p1/p2 and repos r1/r2, with a gap (a deleted id) in the middle. */
  const seedHistory = (): Operation[] => {
    const added = store().add(
      ...Array.from({ length: 24 }, (_, i) =>
        newOp({ planId: i % 3 === 0 ? "p2" : "p1", repoId: `r${(i % 2) + 1}` }),
      ),
    );
    const gone = added[11] as Operation;
    store().delete([gone.id]);
    return added.filter((op) => op.id !== gone.id);
  };

  /** Walks the pages of `selector` with page size n; returns each page as returned. */
  const walk = (selector: OpSelector, n: number): bigint[][] => {
    const pages: bigint[][] = [];
    let beforeId: bigint | undefined;
    for (let guard = 0; guard < 100; guard++) {
      const page = idsOf(store().query({ selector: { ...selector, beforeId }, lastN: n }));
      pages.push(page);
      if (page.length < n) return pages;
      beforeId = page[0];
    }
    throw new Error("paging did not end");
  };

  const descending = (ids: bigint[]) => ids.slice().sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));

  it("pages of lastN with beforeId walk the whole history once, newest first", () => {
    const ops = seedHistory();
    for (const n of [1, 5, 23, 50]) {
      const pages = walk({}, n);
      for (const page of pages) assert.deepEqual(page, descending(page).reverse(), "oldest first");
      const seen = pages.flatMap((page) => page.slice().reverse());
      assert.deepEqual(seen, descending(idsOf(ops)), `page size ${n}`);
      assert.ok(pages.slice(0, -1).every((page) => page.length === n));
    }
  });

  it("pages with beforeId combine with plan and repo filters", () => {
    const ops = seedHistory();
    const cases: OpSelector[] = [
      { planId: "p2" },
      { repoId: "r1" },
      { repoId: "r2", planId: "p1" },
      { planId: "p2", modnoGte: ops[4]?.modno ?? 0n },
    ];
    for (const selector of cases) {
      const expected = idsOf(store().query({ selector }));
      assert.ok(expected.length > 3, JSON.stringify(Object.keys(selector)));
      const seen = walk(selector, 3).flatMap((page) => page.slice().reverse());
      assert.deepEqual(seen, descending(expected), JSON.stringify(Object.keys(selector)));
      assert.ok(seen.every((id) => matchesAll(store().get(id), selector)));
    }
  });

  it("operations added between pages do not shift or repeat the older pages", () => {
    const ops = seedHistory();
    const first = idsOf(store().query({ lastN: 5 }));
    store().add(newOp(), newOp());
    const second = idsOf(store().query({ selector: { beforeId: first[0] }, lastN: 5 }));
    assert.deepEqual(second, idsOf(ops).slice(-10, -5));
  });

  it("beforeId without lastN selects every older match, oldest first", () => {
    const ops = seedHistory();
    const cursor = ops[10] as Operation;
    assert.deepEqual(
      idsOf(store().query({ selector: { beforeId: cursor.id } })),
      idsOf(ops.slice(0, 10)),
    );
    assert.deepEqual(
      idsOf(store().query({ selector: { beforeId: cursor.id, planId: "p2" } })),
      idsOf(ops.slice(0, 10).filter((op) => op.planId === "p2")),
    );
    // The id of a deleted operation is as good a cursor as any.
    const deleted = (ops[11] as Operation).id - 1n;
    assert.equal(store().get(deleted), undefined);
    assert.deepEqual(
      idsOf(store().query({ selector: { beforeId: deleted } })),
      idsOf(ops.slice(0, 11)),
    );
  });

  it("beforeId is a plain bound: 0 and below match nothing, beyond every id matches all", () => {
    const ops = seedHistory();
    for (const beforeId of [0n, -1n, -(2n ** 70n)])
      assert.deepEqual(store().query({ selector: { beforeId }, lastN: 5 }), [], `${beforeId}`);
    for (const beforeId of [(ops.at(-1) as Operation).id + 1n, 2n ** 63n - 1n, 2n ** 70n])
      assert.deepEqual(idsOf(store().query({ selector: { beforeId } })), idsOf(ops), `${beforeId}`);
    const oldest = (ops[0] as Operation).id;
    assert.deepEqual(store().query({ selector: { beforeId: oldest }, lastN: 5 }), []);
  });
}

/** Whether a stored operation has every string field `selector` sets. */
function matchesAll(op: Operation | undefined, selector: OpSelector): boolean {
  return (
    op !== undefined &&
    (selector.planId === undefined || op.planId === selector.planId) &&
    (selector.repoId === undefined || op.repoId === selector.repoId)
  );
}

function describeSubscriptions(store: () => OpStore, listenerErrors: () => unknown[]): void {
  it("subscribers receive created, updated and deleted events in order", () => {
    const events: OpEvent[] = [];
    const unsubscribe = store().subscribe((e) => events.push(e));
    const added = store().add(newOp(), newOp());
    const [first] = added as [Operation];
    const updated = store().update({ ...first, displayMessage: "x" } as Operation);
    store().delete([first.id, 888_888n]);
    store().delete([888_888n]);
    assert.deepEqual(events, [
      { type: "created", operations: added },
      { type: "updated", operations: updated },
      { type: "deleted", ids: [first.id] },
    ]);
    unsubscribe();
    store().add(newOp());
    assert.equal(events.length, 3);
  });

  it("events carry their own copies of the operations", () => {
    const events: OpEvent[] = [];
    store().subscribe((e) => events.push(e));
    const [added] = store().add(newOp());
    assert.ok(added);
    added.repoId = "changed by the writer";
    const event = events[0];
    assert.equal(event?.type === "created" ? event.operations[0]?.repoId : undefined, "r1");
  });

  it("a throwing listener neither fails the write nor starves other listeners", () => {
    const seen: string[] = [];
    store().subscribe(() => {
      throw new Error("listener bug");
    });
    store().subscribe((e) => seen.push(e.type));
    const [added] = store().add(newOp());
    assert.ok(added && store().get(added.id));
    assert.deepEqual(seen, ["created"]);
    assert.equal(listenerErrors().length, 1);
  });

  it("a failed write emits no event", () => {
    const events: OpEvent[] = [];
    store().subscribe((e) => events.push(e));
    assert.throws(() => store().update(newOp({ id: 31_337n })), NotFoundError);
    assert.deepEqual(events, []);
  });
}
