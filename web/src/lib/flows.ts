/**
 * Grouping operations by flow (a backup with its hooks, forget and index) into the rows of
 * the operations tree.
 */
import type { Operation } from "../../../gen/v1/operations_pb";

/** One flow: its head operation (the backup, or the first one) and the rest, oldest first. */
export interface Flow {
  id: bigint;
  head: Operation;
  children: Operation[];
}

/** A row of the tree: a flow's head, or one of its children when the flow is expanded. */
export type TreeRow =
  | { kind: "flow"; flow: Flow; expanded: boolean }
  | { kind: "child"; op: Operation; flow: Flow };

/** Groups newest-first operations into flows, newest flow first. */
export function groupFlows(ops: readonly Operation[]): Flow[] {
  const byId = new Map<bigint, Operation[]>();
  const order: bigint[] = [];
  for (const op of ops) {
    const key = op.flowId || op.id;
    let members = byId.get(key);
    if (!members) {
      members = [];
      byId.set(key, members);
      order.push(key);
    }
    members.push(op);
  }
  return order.map((id) => {
    const members = (byId.get(id) ?? []).slice().reverse();
    const head =
      members.find((op) => op.op.case === "operationBackup") ?? (members[0] as Operation);
    return { id, head, children: members.filter((op) => op !== head) };
  });
}

/** The rows of the tree with the given flows expanded. */
export function treeRows(flows: readonly Flow[], expanded: ReadonlySet<bigint>): TreeRow[] {
  const rows: TreeRow[] = [];
  for (const flow of flows) {
    const open = expanded.has(flow.id);
    rows.push({ kind: "flow", flow, expanded: open });
    if (open) for (const op of flow.children) rows.push({ kind: "child", op, flow });
  }
  return rows;
}
