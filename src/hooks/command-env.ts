/** The environment a command hook sees. */
import { conditionProtoName } from "./conditions.js";
import type { HookEvent } from "./event.js";
import { maskUri } from "./redact.js";

/**
 * RESTWELL_* variables describing the event (empty when a field is absent). Backrest sets no
 * variables of its own for command hooks (it only renders the script as a template).
 */
export function eventEnv(event: HookEvent): Record<string, string> {
  const vars: Record<string, string> = {
    RESTWELL_EVENT: event.event,
    RESTWELL_CONDITION: conditionProtoName(event.condition),
    RESTWELL_INSTANCE: event.instance,
    RESTWELL_PLAN_ID: event.plan?.id ?? "",
    RESTWELL_REPO_ID: event.repo.id,
    RESTWELL_REPO_URI: maskUri(event.repo.uri),
    RESTWELL_SNAPSHOT_ID: event.snapshotId ?? "",
    RESTWELL_ERROR: event.error ?? "",
    RESTWELL_OPERATION_ID: event.operationId.toString(),
    RESTWELL_FLOW_ID: event.flowId.toString(),
    RESTWELL_DURATION_MS:
      event.durationMs === undefined ? "" : String(Math.round(event.durationMs)),
    RESTWELL_TIME: event.time.toISOString(),
  };
  // A NUL byte cannot be passed in an environment variable.
  for (const [k, v] of Object.entries(vars)) vars[k] = v.replaceAll("\0", "");
  return vars;
}
