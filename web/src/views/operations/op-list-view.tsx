/**
 * The virtualized list of operations: flat (newest first) or as a tree of flows. Only the
 * rows on screen are rendered, so thousands of operations scroll smoothly; scrolling near
 * the end loads the next page. Arrow keys move between rows.
 */
import { useVirtualizer } from "@tanstack/react-virtual";
import { type KeyboardEvent, useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { Operation } from "../../../../gen/v1/operations_pb";
import { groupFlows, type TreeRow, treeRows } from "../../lib/flows";
import { isActive, progressOf } from "../../lib/operations";
import { Link } from "../../lib/router";
import { OpSummary } from "./op-summary";

type Row = TreeRow | { kind: "op"; op: Operation };

/** Props of OperationList. */
export interface OperationListProps {
  ops: readonly Operation[];
  mode: "tree" | "list";
  selected?: bigint;
  /** Link target of an operation. */
  hrefOf: (op: Operation) => string;
  hasMore: boolean;
  loading: boolean;
  onLoadMore: () => void;
  label: string;
}

/**
 * A row's height, fixed by what it shows. Measuring rows instead would make the virtualizer
 * recompute every position on each measurement: too slow with thousands of rows.
 */
function rowHeight(op: Operation): number {
  if (isActive(op) && progressOf(op)) return 104;
  if (op.displayMessage && !isActive(op)) return 76;
  return 60;
}

function rowOp(row: Row): Operation {
  return row.kind === "flow" ? row.flow.head : row.op;
}

/** Renders the list. */
export function OperationList(props: OperationListProps) {
  const [expanded, setExpanded] = useState<ReadonlySet<bigint>>(new Set());
  const rows: Row[] = useMemo(() => {
    if (props.mode === "list") return props.ops.map((op) => ({ kind: "op", op }) as const);
    return treeRows(groupFlows(props.ops), expanded);
  }, [props.ops, props.mode, expanded]);

  const scroller = useRef<HTMLElement>(null);
  // Stable while the rows are: the virtualizer recomputes every position when these change.
  const estimateSize = useCallback(
    (i: number) => {
      const row = rows[i];
      return row ? rowHeight(rowOp(row)) : 60;
    },
    [rows],
  );
  const getItemKey = useCallback(
    (i: number) => {
      const row = rows[i];
      return row ? `${row.kind}-${rowOp(row).id}` : i;
    },
    [rows],
  );
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize,
    overscan: 8,
    getItemKey,
  });
  const items = virtualizer.getVirtualItems();
  const last = items.at(-1)?.index ?? 0;
  const { hasMore, loading, onLoadMore } = props;
  useEffect(() => {
    if (hasMore && !loading && last >= rows.length - 20) onLoadMore();
  }, [last, rows.length, hasMore, loading, onLoadMore]);

  const toggle = (flowId: bigint) =>
    setExpanded((prev) => {
      const next = new Set(prev);
      if (next.has(flowId)) next.delete(flowId);
      else next.add(flowId);
      return next;
    });

  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    const current = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>(
      "[data-index]",
    );
    const index = current ? Number(current.dataset.index) : -1;
    const next = Math.max(0, Math.min(rows.length - 1, index + (e.key === "ArrowDown" ? 1 : -1)));
    e.preventDefault();
    virtualizer.scrollToIndex(next, { align: "auto" });
    requestAnimationFrame(() =>
      scroller.current?.querySelector<HTMLElement>(`[data-index="${next}"] a`)?.focus(),
    );
  };

  return (
    <section
      ref={scroller}
      className="op-scroller"
      aria-label={props.label}
      data-rows={rows.length}
      onKeyDown={onKeyDown}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
        {items.map((item) => {
          const row = rows[item.index];
          if (!row) return null;
          const op = rowOp(row);
          const children = row.kind === "flow" ? row.flow.children.length : 0;
          return (
            <div
              key={item.key}
              data-index={item.index}
              data-op-id={String(op.id)}
              className={`op-row${row.kind === "child" ? " child" : ""}`}
              data-selected={props.selected === op.id}
              style={{ transform: `translateY(${item.start}px)`, height: item.size }}
            >
              {children > 0 && row.kind === "flow" ? (
                <button
                  type="button"
                  className="toggle"
                  aria-expanded={row.expanded}
                  aria-label={`${row.expanded ? "Hide" : "Show"} ${children} related operations`}
                  onClick={() => toggle(row.flow.id)}
                >
                  {row.expanded ? "−" : "+"}
                  {children}
                </button>
              ) : null}
              <Link
                to={props.hrefOf(op)}
                aria-current={props.selected === op.id ? "true" : undefined}
              >
                <OpSummary op={op} />
              </Link>
            </div>
          );
        })}
      </div>
      {loading && rows.length > 0 ? <p className="small muted">Loading older operations…</p> : null}
    </section>
  );
}
