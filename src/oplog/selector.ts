/**
 * The one reading of an OpSelector shared by every store, so they agree on what "unset" means.
 */
import type { OpSelector } from "./types.js";

/** An OpSelector with proto3 "unset" values (empty string, empty list, zero) removed. */
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
  if (selector.statuses && selector.statuses.length > 0) out.statuses = selector.statuses;
  return out;
}
