/**
 * Schedules in words and in times: a cron expression's description (cronstrue) and the next
 * runs (croner, in local time or UTC as the schedule's clock says), checked the way the
 * daemon checks them (five fields or an @nickname).
 */
import { Cron } from "croner";
import cronstrue from "cronstrue";
import { type Schedule, Schedule_Clock } from "../../../gen/v1/config_pb";

const HOUR_MS = 3_600_000;

/** A problem with a cron expression, or undefined when the daemon will accept it. */
export function cronProblem(expr: string): string | undefined {
  const trimmed = expr.trim();
  if (!trimmed) return 'Enter five fields, e.g. "0 2 * * *".';
  const fields = trimmed.split(/\s+/);
  if (!trimmed.startsWith("@") && fields.length !== 5)
    return `This has ${fields.length} fields; use exactly five: minute hour day-of-month month day-of-week.`;
  try {
    new Cron(trimmed, { paused: true });
    return undefined;
  } catch (err) {
    return `Not a valid cron expression: ${err instanceof Error ? err.message.replace(/^CronPattern:\s*/, "") : String(err)}`;
  }
}

/** "At 02:00 AM" for "0 2 * * *"; undefined when it cannot be described. */
export function describeCron(expr: string): string | undefined {
  try {
    return cronstrue.toString(expr.trim(), { use24HourTimeFormat: true, verbose: false });
  } catch {
    return undefined;
  }
}

/** The schedule in words. */
export function describeSchedule(schedule: Schedule | undefined): string {
  const s = schedule?.schedule;
  const utc = schedule?.clock === Schedule_Clock.UTC ? " (UTC)" : "";
  const fromLast =
    schedule?.clock === Schedule_Clock.LAST_RUN_TIME
      ? ", counted from the end of the last run"
      : "";
  switch (s?.case) {
    case "cron":
      return `${describeCron(s.value) ?? s.value}${utc}${fromLast}`;
    case "maxFrequencyHours":
      return `Every ${s.value} hour${s.value === 1 ? "" : "s"}${fromLast}`;
    case "maxFrequencyDays":
      return `Every ${s.value} day${s.value === 1 ? "" : "s"}${fromLast}`;
    case "disabled":
      return "Disabled";
    default:
      return "Not scheduled (runs only when started)";
  }
}

/**
 * The next `count` run times (Unix ms) after `now`. Frequencies count from `lastRunMs` (a
 * run never made is due now) and assume each run is short. Empty for disabled or invalid.
 */
export function nextRuns(
  schedule: Schedule | undefined,
  opts: { now?: number; lastRunMs?: number; count?: number } = {},
): number[] {
  const now = opts.now ?? Date.now();
  const count = opts.count ?? 5;
  const s = schedule?.schedule;
  switch (s?.case) {
    case "cron": {
      if (cronProblem(s.value)) return [];
      const cron = new Cron(s.value.trim(), {
        paused: true,
        timezone: schedule?.clock === Schedule_Clock.UTC ? "UTC" : undefined,
      });
      return cron.nextRuns(count, new Date(now)).map((d) => d.getTime());
    }
    case "maxFrequencyHours":
    case "maxFrequencyDays": {
      const hours = s.case === "maxFrequencyDays" ? s.value * 24 : s.value;
      if (!(hours > 0)) return [];
      const step = hours * HOUR_MS;
      let next = opts.lastRunMs ? Math.max(now, opts.lastRunMs + step) : now;
      const out: number[] = [];
      for (let i = 0; i < count; i++, next += step) out.push(next);
      return out;
    }
    default:
      return [];
  }
}
