/**
 * Helpers shared by the oplog tests.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { type Operation, OperationSchema, OperationStatus } from "../../gen/v1/operations_pb.js";

/** A new, not yet stored operation; fields default to a pending backup of repo "r1", plan "p1". */
export function newOp(init: MessageInitShape<typeof OperationSchema> = {}): Operation {
  return create(OperationSchema, {
    repoId: "r1",
    repoGuid: "guid-r1",
    planId: "p1",
    instanceId: "inst",
    status: OperationStatus.STATUS_PENDING,
    unixTimeStartMs: 1_700_000_000_000n,
    op: { case: "operationBackup", value: {} },
    ...init,
  });
}

/** A temporary directory, removed by the returned cleanup function. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "restwell-oplog-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Ids of operations, for compact assertions. */
export const idsOf = (ops: readonly Operation[]): bigint[] => ops.map((op) => op.id);

/** A manual clock and timer: time moves only in advance(), which runs due timers in order. */
export function createFakeTimers(startMs = 0) {
  let nowMs = startMs;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => nowMs,
    setTimer(fn: () => void, ms: number): () => void {
      const id = seq++;
      timers.set(id, { at: nowMs + ms, fn });
      return () => {
        timers.delete(id);
      };
    },
    /** Number of scheduled timers, to check nothing is left behind. */
    pending: () => timers.size,
    advance(ms: number): void {
      const until = nowMs + ms;
      for (;;) {
        const due = [...timers.entries()]
          .filter(([, t]) => t.at <= until)
          .sort(([ia, a], [ib, b]) => a.at - b.at || ia - ib)[0];
        if (due === undefined) break;
        timers.delete(due[0]);
        nowMs = due[1].at;
        due[1].fn();
      }
      nowMs = until;
    },
  };
}
