/**
 * The one reading of an OpSelector shared by every store, so they agree on what "unset" means.
 */
import type { Operation } from "../../gen/v1/operations_pb.js";
import type { OpSelector } from "./types.js";

/**
 * An OpSelector with proto3 "unset" values (empty string, empty list, zero) removed; beforeId
 * is kept whenever it is defined (see OpSelector.beforeId).
 */
export type EffectiveSelector = OpSelector;

/** The string-valued selector fields, which all match by equality. */
export const STRING_FIELDS = ["repoId", "repoGuid", "planId", "snapshotId", "instanceId"] as const;

/** Drops the fields that count as unset: "", [], 0n (for flowId and modnoGte). */
export function effectiveSelector(selector: OpSelector = {}): EffectiveSelector {
  const out: EffectiveSelector = {};
  if (selector.ids && selector.ids.length > 0) out.ids = selector.ids;
  for (const field of STRING_FIELDS) {
    const value = selector[field];
    if (value) out[field] = value;
  }
  if (selector.flowId) out.flowId = selector.flowId;
  if (selector.modnoGte) out.modnoGte = selector.modnoGte;
  if (selector.beforeId !== undefined) out.beforeId = selector.beforeId;
  if (selector.statuses && selector.statuses.length > 0) out.statuses = selector.statuses;
  return out;
}

/** Whether an operation matches every set field of a selector. */
export function matchesSelector(op: Operation, selector: EffectiveSelector): boolean {
  if (selector.ids && !selector.ids.includes(op.id)) return false;
  for (const field of STRING_FIELDS) {
    const value = selector[field];
    if (value !== undefined && op[field] !== value) return false;
  }
  if (selector.flowId !== undefined && op.flowId !== selector.flowId) return false;
  if (selector.modnoGte !== undefined && op.modno < selector.modnoGte) return false;
  if (selector.beforeId !== undefined && op.id >= selector.beforeId) return false;
  if (selector.statuses && !selector.statuses.includes(op.status)) return false;
  return true;
}
