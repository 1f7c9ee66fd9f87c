/**
 * The data a hook template sees: Backrest's HookVars names (.Event, .Task, .Repo, .Plan,
 * .SnapshotId, .SnapshotStats, .CurTime, .Duration, .Error and its helper methods) plus
 * Restwell's (.EventType, .Instance, .Summary.*, .OperationId, .FlowId, .DurationMs).
 */
import type { Hook_Condition } from "../../../gen/v1/config_pb.js";
import {
  conditionHumanName,
  conditionProtoName,
  isErrorCondition,
  operationOf,
} from "../conditions.js";
import type { HookEvent } from "../event.js";
import { formatSizeBackrest, shellEscape } from "../format.js";
import { maskUri } from "../redact.js";
import { readableSummary } from "../summary-text.js";
import {
  ConditionValue,
  type FieldSource,
  formatGoDuration,
  formatRfc3339,
  GoDuration,
  jsonMarshal,
  printValue,
} from "./values.js";

/** Summary numbers looked up by Go-style name: `.DataAdded` reads `dataAdded`. */
export class SummaryStats implements FieldSource {
  constructor(private readonly summary: Record<string, number | string>) {}
  templateField(name: string): unknown {
    const camel = name.charAt(0).toLowerCase() + name.slice(1);
    if (Object.hasOwn(this.summary, camel)) return this.summary[camel];
    if (Object.hasOwn(this.summary, name)) return this.summary[name];
    return undefined;
  }
  toJSON(): Record<string, number | string> {
    return this.summary;
  }
  toString(): string {
    return jsonMarshal(this.summary);
  }
}

/** `{{ .Summary }}`: prints the readable summary, `.Summary.FilesNew` reads a number. */
export class SummaryValue implements FieldSource {
  constructor(
    private readonly text: string,
    private readonly stats: SummaryStats | undefined,
  ) {}
  templateField(name: string): unknown {
    return this.stats?.templateField(name);
  }
  toString(): string {
    return this.text;
  }
  toJSON(): string {
    return this.text;
  }
}

function toNumber(v: unknown): number {
  if (v instanceof GoDuration) return v.ms;
  const n = typeof v === "bigint" ? Number(v) : Number(v);
  return Number.isFinite(n) ? n : 0;
}

function conditionOf(v: unknown): Hook_Condition {
  return (v instanceof ConditionValue ? v.value : toNumber(v)) as Hook_Condition;
}

/** Backrest-style task name, e.g. `backup for plan "daily"`. */
function taskName(event: HookEvent): string {
  const op = operationOf(event.event);
  return event.plan ? `${op} for plan "${event.plan.id}"` : `${op} for repo "${event.repo.id}"`;
}

/** Builds the template data for `event`. */
export function templateVars(event: HookEvent): Record<string, unknown> {
  const stats = event.summary ? new SummaryStats(event.summary) : undefined;
  return {
    Event: new ConditionValue(event.condition, conditionProtoName(event.condition)),
    EventType: event.event,
    Task: taskName(event),
    Instance: event.instance,
    Plan: event.plan ? { Id: event.plan.id, Paths: [] } : undefined,
    Repo: { Id: event.repo.id, Uri: maskUri(event.repo.uri) },
    SnapshotId: event.snapshotId ?? "",
    SnapshotStats: stats,
    Error: event.error ?? "",
    Duration: new GoDuration(event.durationMs ?? 0),
    DurationMs: event.durationMs,
    CurTime: event.time,
    OperationId: event.operationId.toString(),
    FlowId: event.flowId.toString(),
    Summary: () => new SummaryValue(readableSummary(event), stats),
    FormatTime: (t: unknown) => (t instanceof Date ? formatRfc3339(t) : printValue(t)),
    FormatDuration: (d: unknown) => formatGoDuration(toNumber(d)),
    FormatSizeBytes: (n: unknown) => formatSizeBackrest(toNumber(n)),
    ShellEscape: (s: unknown) => shellEscape(printValue(s)),
    JsonMarshal: (v: unknown) => jsonMarshal(v),
    EventName: (c: unknown) => conditionHumanName(conditionOf(c)),
    IsError: (c: unknown) => isErrorCondition(conditionOf(c)),
  };
}
