/**
 * One `GetOperationEvents` stream per browser, shared by its tabs. The tabs elect a leader with
 * the Web Locks API; the leader runs the stream and relays each event to the other tabs on a
 * BroadcastChannel. When the stream drops, the leader reconnects with backoff and tells every
 * tab to resync (query again); when the leader tab closes, another tab takes the lock, opens
 * the stream and asks for a resync too. Without Web Locks or BroadcastChannel each tab runs
 * its own stream.
 */
import type { Operation, OperationEvent } from "../../../gen/v1/operations_pb";
import { backrest } from "./clients";
import { decodeRelayed, encodeRelayed, type Relayed } from "./op-events-relay";

/** What listeners hear: operations changed, or "resync" (anything may have changed). */
export type OpChange =
  | { type: "upsert"; operations: Operation[] }
  | { type: "delete"; ids: bigint[] }
  | { type: "resync" };

/** The state of the shared stream, as far as this tab knows. */
export type StreamState = "connecting" | "live" | "reconnecting";

const CHANNEL = "restwell-op-events";
const LOCK = "restwell-op-events-leader";
const MAX_BACKOFF_MS = 15_000;

const changeListeners = new Set<(change: OpChange) => void>();
const stateListeners = new Set<() => void>();
let state: StreamState = "connecting";
let started: AbortController | undefined;
let channel: BroadcastChannel | undefined;
let leading = false;
/** True once another tab led the stream: this tab may then have missed events in between. */
let followed = false;

function emit(change: OpChange) {
  for (const listener of changeListeners) listener(change);
}

function setState(next: StreamState, relay: boolean) {
  if (relay) channel?.postMessage(encodeRelayed({ type: "state", state: next }));
  if (state === next) return;
  state = next;
  for (const listener of stateListeners) listener();
}

/** Converts one stream event to a change (undefined for keep-alives). */
function toChange(event: OperationEvent): OpChange | undefined {
  switch (event.event.case) {
    case "createdOperations":
    case "updatedOperations":
      return { type: "upsert", operations: event.event.value.operations };
    case "deletedOperations":
      return { type: "delete", ids: event.event.value.values };
    default:
      return undefined;
  }
}

/** Runs the stream until `signal` aborts, reconnecting after drops. */
async function runStream(signal: AbortSignal, relay: (msg: Relayed) => void) {
  let backoff = 500;
  let first = true;
  while (!signal.aborted) {
    setState(first ? "connecting" : "reconnecting", true);
    try {
      const wasFirst = first;
      const stream = backrest.getOperationEvents(
        {},
        {
          signal,
          // Headers mean the stream is open; the resync's query reaches the daemon after it.
          onHeader: () => {
            setState("live", true);
            // Everything that happened while no stream ran must be re-read.
            if (!wasFirst) relay({ type: "change", change: { type: "resync" } });
          },
        },
      );
      for await (const event of stream) {
        backoff = 500;
        const change = toChange(event);
        if (change) relay({ type: "change", change });
      }
    } catch {
      // Dropped (network, daemon restart, slow consumer): reconnect below.
    }
    first = false;
    if (signal.aborted) return;
    setState("reconnecting", true);
    await sleep(backoff, signal);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
}

function sleep(ms: number, signal: AbortSignal) {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Starts taking part in the shared stream (idempotent). Call once signed in; `stop` ends it
 * (e.g. on sign-out), giving up the leadership.
 */
export function startOpEvents(): void {
  if (started) return;
  const controller = new AbortController();
  started = controller;
  const signal = controller.signal;
  const local = (msg: Relayed) => {
    if (msg.type === "change") emit(msg.change);
  };
  const canShare = typeof BroadcastChannel !== "undefined" && "locks" in navigator;
  if (!canShare) {
    void runStream(signal, local);
    return;
  }
  channel = new BroadcastChannel(CHANNEL);
  const bc = channel;
  bc.onmessage = (e: MessageEvent) => {
    const msg = decodeRelayed(e.data);
    if (!msg) return;
    if (msg.type === "state") {
      followed = true;
      setState(msg.state, false);
    } else if (msg.type === "ask-state") {
      if (leading) bc.postMessage(encodeRelayed({ type: "state", state }));
    } else local(msg);
  };
  bc.postMessage(encodeRelayed({ type: "ask-state" }));
  const relay = (msg: Relayed) => {
    bc.postMessage(encodeRelayed(msg));
    local(msg);
  };
  void navigator.locks
    .request(LOCK, { signal }, async () => {
      leading = true;
      // A new leader cannot know what the old one relayed last: the others re-read, and so
      // does this tab when it was following before (its own first load needs no second read).
      const resync = { type: "change", change: { type: "resync" } } as const;
      bc.postMessage(encodeRelayed(resync));
      if (followed) local(resync);
      try {
        await runStream(signal, relay);
      } finally {
        leading = false;
      }
    })
    .catch(() => {
      // Aborted while waiting for the lock (signed out): nothing to do.
    });
}

/** Stops taking part in the shared stream. */
export function stopOpEvents(): void {
  started?.abort();
  started = undefined;
  channel?.close();
  channel = undefined;
}

/** Calls `listener` with every change; returns the unsubscribe function. */
export function onOpChange(listener: (change: OpChange) => void): () => void {
  changeListeners.add(listener);
  return () => changeListeners.delete(listener);
}

/** The stream's state, and a subscription for its changes (for useSyncExternalStore). */
export const streamState = {
  get: (): StreamState => state,
  subscribe(listener: () => void): () => void {
    stateListeners.add(listener);
    return () => stateListeners.delete(listener);
  },
};
