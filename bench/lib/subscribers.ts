/**
 * Many clients following the daemon's operation log at once: each a Connect streaming call
 * over HTTP/1.1 (its own connection) to GetOperationEvents. A stream keeps the bytes as they
 * arrive and decodes them when asked what it received: the daemon still has to deliver every
 * message in time, but the stand-ins' JSON decoding (remote clients' work, not the daemon's)
 * no longer competes with restic for this machine's CPUs while a backup is timed.
 */
import { setMaxListeners } from "node:events";
import { request } from "node:http";
import { fromJsonString } from "@bufbuild/protobuf";
import { encodeEnvelope } from "@connectrpc/connect/protocol";
import { endStreamFlag, endStreamFromJson } from "@connectrpc/connect/protocol-connect";
import {
  type OperationEvent,
  OperationEventSchema,
  OperationStatus,
} from "../../gen/v1/operations_pb.js";
import type { FinishedBackup } from "./backup-runs.js";
import { median } from "./stats.js";

/** What the subscribers received of one backup. */
export interface Delivery {
  /** Distinct progress updates of the backup (in progress, with restic's status) any subscriber saw. */
  progressAll: number;
  /** The fewest and the most of them one subscriber saw. */
  progressMin: number;
  progressMax: number;
  /** Subscribers whose received modnos skip a number: they missed a committed change. */
  gaps: number;
  /** Subscribers that never received the backup's final state. */
  missedFinal: number;
  /** Streams that ended with an error (e.g. dropped as a slow consumer), and why. */
  errors: string[];
  /** Median events (messages) per subscriber, keep-alives excluded. */
  events: number;
}

/** A group of open event streams. */
export interface Subscribers {
  /** Resolves once every stream is certainly subscribed (it received its first message). */
  subscribed(): Promise<void>;
  /** Waits (up to 30 s) for every stream to receive `op`'s final state, then tallies. */
  delivery(op: FinishedBackup): Promise<Delivery>;
  /** Closes every stream. */
  close(): void;
}

interface Stream {
  /** Bytes received and not decoded yet. */
  raw: Buffer[];
  modnos: bigint[];
  /** Per operation id: the modnos of its progress updates. */
  progress: Map<bigint, Set<bigint>>;
  events: number;
  first: Promise<void>;
  error?: string;
  /** Decodes what arrived since the last call. */
  decode(): void;
}

/**
 * Opens `count` GetOperationEvents streams to `url`. The daemon subscribes a stream to the log
 * when it starts, and sends a keep-alive after 15 s without changes, so a stream's first
 * bytes prove it is subscribed.
 */
export function openSubscribers(url: string, count: number): Subscribers {
  const controller = new AbortController();
  // Every stream listens to the one signal.
  setMaxListeners(count + 10, controller.signal);
  const streams = Array.from({ length: count }, () => follow(url, controller.signal));
  return {
    async subscribed() {
      await Promise.all(streams.map((s) => s.first));
    },
    async delivery(op) {
      const id = BigInt(op.id);
      const final = BigInt(op.modno);
      const deadline = Date.now() + 30_000;
      for (;;) {
        for (const s of streams) s.decode();
        const waiting = streams.some(
          (s) => s.error === undefined && (s.modnos.at(-1) ?? 0n) < final,
        );
        if (!waiting || Date.now() >= deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return tally(streams, id, final);
    },
    close: () => controller.abort(),
  };
}

function follow(url: string, signal: AbortSignal): Stream {
  let firstBytes: () => void = () => {};
  const stream: Stream = {
    raw: [],
    modnos: [],
    progress: new Map(),
    events: 0,
    first: new Promise<void>((resolve) => {
      firstBytes = resolve;
    }),
    decode() {
      if (stream.raw.length === 0) return;
      let buf = Buffer.concat(stream.raw);
      stream.raw = [];
      while (buf.length >= 5) {
        const length = buf.readUInt32BE(1);
        if (buf.length < 5 + length) break;
        const flags = buf[0] ?? 0;
        const data = buf.subarray(5, 5 + length);
        buf = buf.subarray(5 + length);
        if (flags & endStreamFlag) {
          const { error } = endStreamFromJson(data);
          if (error && !signal.aborted) stream.error = error.message;
          continue;
        }
        record(stream, fromJsonString(OperationEventSchema, data.toString("utf8")));
      }
      if (buf.length > 0) stream.raw.push(buf);
    },
  };
  const body = encodeEnvelope(0, new TextEncoder().encode("{}"));
  const req = request(`${url}/v1.Backrest/GetOperationEvents`, {
    method: "POST",
    signal,
    headers: {
      "content-type": "application/connect+json",
      "connect-protocol-version": "1",
      "content-length": body.length,
    },
  });
  req.on("response", (res) => {
    if (res.statusCode !== 200) stream.error = `HTTP ${res.statusCode}`;
    res.on("data", (chunk: Buffer) => {
      stream.raw.push(chunk);
      firstBytes();
    });
    res.on("error", (err) => {
      if (!signal.aborted) stream.error = err.message;
    });
    res.on("end", firstBytes);
  });
  req.on("error", (err) => {
    if (!signal.aborted) stream.error = err.message;
    firstBytes();
  });
  req.end(body);
  return stream;
}

/** Records one decoded event of a stream. */
function record(stream: Stream, message: OperationEvent): void {
  const event = message.event;
  if (event.case !== "createdOperations" && event.case !== "updatedOperations") return;
  stream.events++;
  for (const op of event.value.operations) {
    stream.modnos.push(op.modno);
    const inProgress =
      event.case === "updatedOperations" &&
      op.status === OperationStatus.STATUS_INPROGRESS &&
      op.op.case === "operationBackup" &&
      op.op.value.lastStatus?.entry.case === "status";
    if (!inProgress) continue;
    const seen = stream.progress.get(op.id) ?? new Set<bigint>();
    seen.add(op.modno);
    stream.progress.set(op.id, seen);
  }
}

function tally(streams: Stream[], id: bigint, final: bigint): Delivery {
  const all = new Set<bigint>();
  for (const s of streams) for (const m of s.progress.get(id) ?? []) all.add(m);
  const counts = streams.map((s) => s.progress.get(id)?.size ?? 0);
  return {
    progressAll: all.size,
    progressMin: Math.min(...counts),
    progressMax: Math.max(...counts),
    gaps: streams.filter((s) => hasGap(s.modnos)).length,
    missedFinal: streams.filter((s) => !s.modnos.includes(final)).length,
    errors: streams.flatMap((s) => (s.error === undefined ? [] : [s.error])),
    events: median(streams.map((s) => s.events)),
  };
}

/** True when the modnos, sorted, skip a number between the first and the last. */
function hasGap(modnos: bigint[]): boolean {
  const sorted = [...new Set(modnos)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if ((sorted[i] as bigint) - (sorted[i - 1] as bigint) !== 1n) return true;
  }
  return false;
}
