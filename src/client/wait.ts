/** Waiting for an operation to finish, following its changes on the event stream meanwhile. */
import type { Client } from "@connectrpc/connect";
import { type Operation, OperationStatus } from "../../gen/v1/operations_pb.js";
import type { BackupProgressStatusEntry } from "../../gen/v1/restic_pb.js";
import type { Backrest } from "../../gen/v1/service_pb.js";

/** Options of {@link waitForOperation}. */
export interface FollowOptions {
  /** Stops waiting (the operation itself goes on). */
  signal?: AbortSignal;
  /** Called with the operation each time it changes while it runs (e.g. a backup's progress). */
  onUpdate?: (op: Operation) => void;
}

/** Longest single WaitOperation call; the wait is repeated until the operation ends. */
const WAIT_SECONDS = 60;
/** Pause before the event stream is opened again after it broke. */
const RECONNECT_MS = 1000;

/** True once an operation can no longer change status. */
export function isFinished(status: OperationStatus): boolean {
  return (
    status !== OperationStatus.STATUS_UNKNOWN &&
    status !== OperationStatus.STATUS_PENDING &&
    status !== OperationStatus.STATUS_INPROGRESS
  );
}

/** A running backup's latest progress report, or undefined for anything else. */
export function backupProgress(op: Operation): BackupProgressStatusEntry | undefined {
  if (op.op.case !== "operationBackup") return undefined;
  const entry = op.op.value.lastStatus?.entry;
  return entry?.case === "status" ? entry.value : undefined;
}

/**
 * Waits (with repeated WaitOperation calls) until operation `id` has finished and returns it
 * as it ended. Rejects with the call's ConnectError, e.g. not_found for an unknown id. With
 * `onUpdate`, GetOperationEvents is followed meanwhile and every change of the operation is
 * passed on; a broken event stream is reopened, and never fails the wait.
 */
export async function waitForOperation(
  client: Client<typeof Backrest>,
  id: bigint,
  opts: FollowOptions = {},
): Promise<Operation> {
  const done = new AbortController();
  const onAbort = () => done.abort(opts.signal?.reason);
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  // The follower is not awaited: a response body that ignores the abort must not hold the
  // wait open. It stops calling onUpdate as soon as `done` is aborted, and never rejects.
  if (opts.onUpdate) void follow(client, id, opts.onUpdate, done.signal).catch(() => {});
  try {
    for (;;) {
      const op = await client.waitOperation(
        { operationId: id, timeoutSeconds: WAIT_SECONDS },
        { signal: done.signal },
      );
      if (isFinished(op.status)) return op;
    }
  } finally {
    done.abort();
    opts.signal?.removeEventListener("abort", onAbort);
  }
}

async function follow(
  client: Client<typeof Backrest>,
  id: bigint,
  onUpdate: (op: Operation) => void,
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    try {
      for await (const ev of client.getOperationEvents({}, { signal })) {
        const { event } = ev;
        if (event.case !== "createdOperations" && event.case !== "updatedOperations") continue;
        for (const op of event.value.operations) {
          if (signal.aborted) return;
          if (op.id === id) onUpdate(op);
        }
      }
    } catch {
      // Ended by `signal`, or the stream broke: reopen it below unless the wait is over.
    }
    if (!signal.aborted) await sleep(RECONNECT_MS, signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
