/** A live, paged, virtualized history of operations for a filter (used by several views). */
import type { Operation } from "../../../../gen/v1/operations_pb";
import type { OpFilter } from "../../api/op-list";
import { useOpList } from "../../api/use-op-list";
import { Empty, ErrorBanner, Loading } from "../../components/ui";
import { OperationList } from "./op-list-view";

/** Props of OperationHistory. */
export interface OperationHistoryProps {
  filter: OpFilter;
  mode?: "tree" | "list";
  selected?: bigint | undefined;
  hrefOf?: (op: Operation) => string;
  label?: string;
}

/** The operations matching `filter`, newest first. */
export function OperationHistory(props: OperationHistoryProps) {
  const list = useOpList(props.filter);
  return (
    <div>
      <ErrorBanner error={list.error} />
      {list.ops.length === 0 ? (
        list.loading ? (
          <Loading what="operations" />
        ) : (
          <Empty>No operations yet.</Empty>
        )
      ) : (
        <>
          <p className="small muted" aria-live="polite">
            {list.ops.length} operations{list.hasMore ? " loaded (scroll for older)" : ""}
          </p>
          <OperationList
            ops={list.ops}
            mode={props.mode ?? "tree"}
            selected={props.selected}
            hrefOf={props.hrefOf ?? ((op) => `/operations/${op.id}`)}
            hasMore={list.hasMore}
            loading={list.loading}
            onLoadMore={list.loadMore}
            label={props.label ?? "Operations"}
          />
        </>
      )}
    </div>
  );
}
