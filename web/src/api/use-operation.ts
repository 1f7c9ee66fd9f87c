/** One operation by id, kept current by the shared event stream. */
import { useEffect, useState } from "react";
import type { Operation } from "../../../gen/v1/operations_pb";
import { backrest } from "./clients";
import { errorMessage } from "./errors";
import { onOpChange } from "./op-events";

/** The operation `id` (undefined while loading or when it does not exist). */
export function useOperation(id: bigint | undefined): {
  op?: Operation;
  error?: string;
  loading: boolean;
} {
  const [state, setState] = useState<{ op?: Operation; error?: string; loading: boolean }>({
    loading: id !== undefined,
  });
  useEffect(() => {
    if (id === undefined) {
      setState({ loading: false });
      return;
    }
    let live = true;
    const load = () =>
      backrest.getOperations({ selector: { ids: [id] } }).then(
        (res) => {
          if (!live) return;
          const op = res.operations[0];
          setState(
            op ? { op, loading: false } : { loading: false, error: `Operation ${id} not found.` },
          );
        },
        (err: unknown) => live && setState({ loading: false, error: errorMessage(err) }),
      );
    setState({ loading: true });
    void load();
    const off = onOpChange((change) => {
      if (change.type === "resync") void load();
      else if (change.type === "upsert") {
        const op = change.operations.find((o) => o.id === id);
        if (op) setState({ op, loading: false });
      } else if (change.ids.includes(id)) {
        setState({ loading: false, error: `Operation ${id} was deleted.` });
      }
    });
    return () => {
      live = false;
      off();
    };
  }, [id]);
  return state;
}
