/** Reloading a view's data when operations finish (or after a resync), at most once a second. */
import { useEffect, useRef } from "react";
import type { Operation } from "../../../gen/v1/operations_pb";
import { onOpChange } from "../api/op-events";
import { isActive } from "./operations";

/**
 * Calls `reload` after operations for which `relevant` holds have finished, and after a
 * resync; bursts are combined into one call.
 */
export function useOpRefresh(
  reload: () => void,
  relevant: (op: Operation) => boolean = () => true,
): void {
  const latest = useRef({ reload, relevant });
  latest.current = { reload, relevant };
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        latest.current.reload();
      }, 1000);
    };
    const off = onOpChange((change) => {
      if (change.type === "resync") schedule();
      else if (
        change.type === "upsert" &&
        change.operations.some((op) => !isActive(op) && latest.current.relevant(op))
      )
        schedule();
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, []);
}
