/** Loading data in a component: the value, the error, and a way to reload. */
import { useCallback, useEffect, useRef, useState } from "react";
import { errorMessage } from "../api/errors";

/** What useAsync returns. */
export interface AsyncState<T> {
  value?: T;
  error?: string;
  loading: boolean;
  reload: () => void;
}

/**
 * Runs `load` when any of `deps` (strings, numbers, booleans) changes and on reload; keeps
 * the previous value while reloading. A result that arrives after a newer load started is
 * dropped.
 */
export function useAsync<T>(
  load: () => Promise<T>,
  deps: readonly (string | number | boolean | bigint | undefined)[],
): AsyncState<T> {
  const [state, setState] = useState<{ value?: T; error?: string; loading: boolean }>({
    loading: true,
  });
  const [nonce, setNonce] = useState(0);
  const latest = useRef(load);
  latest.current = load;
  const generation = useRef(0);
  const key = deps.map(String).join("\0");

  // biome-ignore lint/correctness/useExhaustiveDependencies: key and nonce are what re-run the load.
  useEffect(() => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    latest.current().then(
      (value) => {
        if (mine === generation.current) setState({ value, loading: false });
      },
      (err: unknown) => {
        if (mine === generation.current)
          setState((s) => ({ ...s, error: errorMessage(err), loading: false }));
      },
    );
    return () => {
      generation.current++;
    };
  }, [key, nonce]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { ...state, reload };
}
