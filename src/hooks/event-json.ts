/** The JSON object a webhook without a template sends. */
import { conditionProtoName } from "./conditions.js";
import type { HookEvent } from "./event.js";
import { maskUri } from "./redact.js";

/** The event as a JSON-ready object (ids as strings, time in ISO 8601, the repo URI masked). */
export function eventJson(event: HookEvent): Record<string, unknown> {
  return {
    event: event.event,
    condition: conditionProtoName(event.condition),
    instance: event.instance,
    plan: event.plan ? { id: event.plan.id } : null,
    repo: { id: event.repo.id, uri: maskUri(event.repo.uri) },
    snapshotId: event.snapshotId ?? null,
    error: event.error ?? null,
    durationMs: event.durationMs ?? null,
    summary: event.summary ?? null,
    time: event.time.toISOString(),
    operationId: event.operationId.toString(),
    flowId: event.flowId.toString(),
  };
}
