/** React binding of a live operation list (see op-list.ts). */
import { useEffect, useMemo, useSyncExternalStore } from "react";
import { createOpList, type OpFilter, type OpListState } from "./op-list";

/** The operations matching `filter`, newest first, live; with loadMore for older pages. */
export function useOpList(
  filter: OpFilter,
  pageSize = 500,
): OpListState & { loadMore: () => void; reload: () => Promise<void> } {
  const key = `${filter.planId ?? ""}\0${filter.repoId ?? ""}\0${filter.snapshotId ?? ""}\0${filter.flowId ?? ""}\0${pageSize}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key stands for the filter's fields.
  const list = useMemo(() => createOpList(filter, pageSize), [key]);
  useEffect(() => list.start(), [list]);
  const state = useSyncExternalStore(list.subscribe, list.get);
  return { ...state, loadMore: list.loadMore, reload: list.reload };
}
