/** Which hooks fire for which conditions, and the event names conditions map to. */
import { type Hook, Hook_Condition } from "../../gen/v1/config_pb.js";

const ERRORS = new Set<Hook_Condition>([
  Hook_Condition.ANY_ERROR,
  Hook_Condition.SNAPSHOT_ERROR,
  Hook_Condition.PRUNE_ERROR,
  Hook_Condition.CHECK_ERROR,
  Hook_Condition.FORGET_ERROR,
]);

const STARTS = new Set<Hook_Condition>([
  Hook_Condition.SNAPSHOT_START,
  Hook_Condition.PRUNE_START,
  Hook_Condition.CHECK_START,
  Hook_Condition.FORGET_START,
]);

/** Conditions that end a backup and so also fire SNAPSHOT_END hooks. */
const SNAPSHOT_ENDS = new Set<Hook_Condition>([
  Hook_Condition.SNAPSHOT_END,
  Hook_Condition.SNAPSHOT_SUCCESS,
  Hook_Condition.SNAPSHOT_WARNING,
  Hook_Condition.SNAPSHOT_ERROR,
]);

const NAMES: Partial<Record<Hook_Condition, string>> = {
  [Hook_Condition.ANY_ERROR]: "operation.failed",
  [Hook_Condition.SNAPSHOT_START]: "backup.started",
  [Hook_Condition.SNAPSHOT_END]: "backup.ended",
  [Hook_Condition.SNAPSHOT_SUCCESS]: "backup.completed",
  [Hook_Condition.SNAPSHOT_ERROR]: "backup.failed",
  [Hook_Condition.SNAPSHOT_WARNING]: "backup.warning",
  [Hook_Condition.SNAPSHOT_SKIPPED]: "backup.skipped",
  [Hook_Condition.PRUNE_START]: "prune.started",
  [Hook_Condition.PRUNE_SUCCESS]: "prune.completed",
  [Hook_Condition.PRUNE_ERROR]: "prune.failed",
  [Hook_Condition.CHECK_START]: "check.started",
  [Hook_Condition.CHECK_SUCCESS]: "check.completed",
  [Hook_Condition.CHECK_ERROR]: "check.failed",
  [Hook_Condition.FORGET_START]: "forget.started",
  [Hook_Condition.FORGET_SUCCESS]: "forget.completed",
  [Hook_Condition.FORGET_ERROR]: "forget.failed",
  [Hook_Condition.STORAGE_THRESHOLD]: "storage.threshold",
  [Hook_Condition.SECURITY_ALERT]: "security.alert",
};

/** True for the *_ERROR conditions (and ANY_ERROR itself). */
export function isErrorCondition(condition: Hook_Condition): boolean {
  return ERRORS.has(condition);
}

/** True for the *_START conditions. */
export function isStartCondition(condition: Hook_Condition): boolean {
  return STARTS.has(condition);
}

/**
 * True when one of `hook`'s conditions matches an event of `condition`: equal conditions,
 * CONDITION_ANY_ERROR for every *_ERROR, and SNAPSHOT_END for the SUCCESS/WARNING/ERROR
 * ends of a backup (a skipped backup is not an end).
 */
export function hookMatches(hook: Hook, condition: Hook_Condition): boolean {
  return hook.conditions.some(
    (c) =>
      c === condition ||
      (c === Hook_Condition.ANY_ERROR && isErrorCondition(condition)) ||
      (c === Hook_Condition.SNAPSHOT_END && SNAPSHOT_ENDS.has(condition)),
  );
}

/**
 * Event name for a condition: SNAPSHOT_START -> "backup.started", SNAPSHOT_SUCCESS ->
 * "backup.completed", SNAPSHOT_ERROR -> "backup.failed", PRUNE_START -> "prune.started", ...
 * SNAPSHOT_END -> "backup.ended", ANY_ERROR -> "operation.failed", others -> "unknown".
 */
export function eventName(condition: Hook_Condition): string {
  return NAMES[condition] ?? "unknown";
}

/** The operation kind of an event name: "backup", "prune", "check", "forget", ... */
export function operationOf(event: string): string {
  return event.split(".")[0] ?? event;
}

/** Backrest's proto name of a condition, e.g. "CONDITION_SNAPSHOT_START". */
export function conditionProtoName(condition: Hook_Condition): string {
  const name = Hook_Condition[condition];
  return name === undefined ? `CONDITION_${condition}` : `CONDITION_${name}`;
}

/** Backrest's human name of a condition (its `.EventName` helper), e.g. "snapshot start". */
export function conditionHumanName(condition: Hook_Condition): string {
  const name = Hook_Condition[condition];
  if (name === undefined || condition === Hook_Condition.UNKNOWN) return "unknown";
  if (condition === Hook_Condition.ANY_ERROR) return "error";
  return name.toLowerCase().replace("_", " ");
}
