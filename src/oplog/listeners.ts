/**
 * The subscriber list both stores share: delivery in registration order, isolated failures.
 */
import type { OpEvent } from "./types.js";

/** Receives an error thrown by a subscriber; the write that triggered it has already committed. */
export type ListenerErrorHandler = (error: unknown) => void;

/** A set of OpEvent listeners. */
export interface Listeners {
  /** Adds a listener; returns a function that removes it (idempotent). */
  subscribe(listener: (event: OpEvent) => void): () => void;
  /** Calls every current listener once; a throwing listener is reported, not propagated. */
  emit(event: OpEvent): void;
  /** Removes every listener. */
  clear(): void;
  /** How many listeners there are (writers skip building events nobody receives). */
  readonly size: number;
}

/** Creates an empty listener set. `onError` defaults to console.error. */
export function createListeners(onError: ListenerErrorHandler = defaultOnError): Listeners {
  const listeners = new Set<(event: OpEvent) => void>();
  return {
    subscribe(listener) {
      // Wrap so the same function can subscribe twice and unsubscribe each independently.
      const entry = (event: OpEvent) => listener(event);
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
    emit(event) {
      // Snapshot: a listener may unsubscribe (itself or others) while we deliver.
      for (const listener of [...listeners]) {
        try {
          listener(event);
        } catch (error) {
          onError(error);
        }
      }
    },
    clear() {
      listeners.clear();
    },
    get size() {
      return listeners.size;
    },
  };
}

function defaultOnError(error: unknown): void {
  console.error("oplog: an operation event listener threw", error);
}
