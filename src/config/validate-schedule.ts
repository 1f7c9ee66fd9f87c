import { Cron } from "croner";
import type { Schedule } from "../../gen/v1/config_pb.js";
import type { ValidationIssue } from "../errors.js";

/**
 * Checks a cron expression the way Backrest accepts it: five space-separated fields
 * (minute hour day-of-month month day-of-week) or an `@` nickname such as `@daily`,
 * which croner must be able to parse. Returns a one-sentence problem, or undefined if valid.
 */
export function checkCron(expr: string): string | undefined {
  const trimmed = expr.trim();
  if (trimmed === "") {
    return 'cron expression is empty; enter five fields such as "0 2 * * *"';
  }
  const fields = trimmed.split(/\s+/);
  if (!trimmed.startsWith("@") && fields.length !== 5) {
    return `cron expression "${expr}" has ${fields.length} fields; use exactly five (minute hour day-of-month month day-of-week), e.g. "0 2 * * *"`;
  }
  try {
    new Cron(trimmed, { paused: true });
    return undefined;
  } catch (err) {
    const reason =
      err instanceof Error
        ? err.message.replace(/^CronPattern:\s*/, "").replace(/\.$/, "")
        : String(err);
    return `cron expression "${expr}" is invalid (${reason}); fix it, e.g. "0 2 * * *"`;
  }
}

/**
 * Validates one schedule found at `path` (e.g. `plans[0].schedule`): cron expressions must
 * parse as five-field cron, and maxFrequencyDays/maxFrequencyHours must be positive.
 * An unset schedule is valid (it never runs by itself).
 */
export function validateSchedule(schedule: Schedule | undefined, path: string): ValidationIssue[] {
  const s = schedule?.schedule;
  switch (s?.case) {
    case "cron": {
      const problem = checkCron(s.value);
      return problem ? [{ path: `${path}.cron`, message: problem }] : [];
    }
    case "maxFrequencyDays":
    case "maxFrequencyHours": {
      if (s.value > 0) return [];
      const unit = s.case === "maxFrequencyDays" ? "days" : "hours";
      return [
        {
          path: `${path}.${s.case}`,
          message: `${s.case} is ${s.value}; set it to a whole number of ${unit} greater than 0`,
        },
      ];
    }
    default:
      return [];
  }
}
