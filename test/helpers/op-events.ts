/**
 * Reading GetOperationEvents streams in tests: typed streams (Connect client, grpc-js) and the
 * raw Connect streaming protocol (enveloped JSON frames, as curl sends and receives them).
 */
import {
  type Operation,
  type OperationEvent,
  OperationStatus,
} from "../../gen/v1/operations_pb.js";

/** True once an operation can no longer change status. */
export function isTerminal(status: OperationStatus): boolean {
  return (
    status !== OperationStatus.STATUS_UNKNOWN &&
    status !== OperationStatus.STATUS_PENDING &&
    status !== OperationStatus.STATUS_INPROGRESS
  );
}

/**
 * Reads events until the first keep-alive. The server subscribes to the operation log when
 * the stream starts, so after a keep-alive every later change is certain to be streamed.
 */
export async function waitForKeepAlive(events: AsyncIterator<OperationEvent>): Promise<void> {
  for (;;) {
    const r = await events.next();
    if (r.done) throw new Error("event stream ended before a keep-alive");
    if (r.value.event.case === "keepAlive") return;
  }
}

export interface WatchedBackup {
  /** The backup operation as first announced in createdOperations. */
  created: Operation;
  /** Every updatedOperations entry for that operation, in order; the last is terminal. */
  updates: Operation[];
}

/**
 * Reads events until a backup operation of `planId` is created and then updated to a terminal
 * status. Updates of other operations are ignored.
 */
export async function watchBackup(
  events: AsyncIterator<OperationEvent>,
  planId: string,
): Promise<WatchedBackup> {
  let created: Operation | undefined;
  const updates: Operation[] = [];
  for (;;) {
    const r = await events.next();
    if (r.done) throw new Error("event stream ended before the backup finished");
    const ev = r.value.event;
    if (ev.case === "createdOperations" && !created) {
      created = ev.value.operations.find(
        (op) => op.planId === planId && op.op.case === "operationBackup",
      );
    } else if (ev.case === "updatedOperations" && created) {
      for (const op of ev.value.operations) {
        if (op.id !== created.id) continue;
        updates.push(op);
        if (isTerminal(op.status)) return { created, updates };
      }
    }
  }
}

/** One Connect/gRPC envelope: flags byte, big-endian uint32 length, payload. */
export function envelope(flags: number, payload: string | Uint8Array): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload, "utf8") : Buffer.from(payload);
  const head = Buffer.alloc(5);
  head.writeUInt8(flags, 0);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

export interface Frame {
  flags: number;
  data: Buffer;
}

/** Splits a byte stream into envelopes; a frame split across chunks is reassembled. */
export async function* readFrames(body: ReadableStream<Uint8Array>): AsyncGenerator<Frame> {
  const reader = body.getReader();
  let buf = Buffer.alloc(0);
  try {
    for (;;) {
      while (buf.length >= 5) {
        const len = buf.readUInt32BE(1);
        if (buf.length < 5 + len) break;
        yield { flags: buf.readUInt8(0), data: buf.subarray(5, 5 + len) };
        buf = buf.subarray(5 + len);
      }
      const { done, value } = await reader.read();
      if (done) {
        if (buf.length > 0) throw new Error(`stream ended inside a frame (${buf.length} bytes)`);
        return;
      }
      buf = Buffer.concat([buf, value]);
    }
  } finally {
    reader.releaseLock();
  }
}
