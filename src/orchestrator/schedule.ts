/**
 * When a schedule next fires. Pure: the caller passes the time and the last run, so tests
 * need no clock. Cron times come from croner.
 */
import { Cron } from "croner";
import { type Schedule, Schedule_Clock } from "../../gen/v1/config_pb.js";

const HOUR_MS = 60 * 60 * 1000;

export interface ScheduleState {
  /** Now (unix ms). */
  now: number;
  /** When the last run started and ended (unix ms), if there was one. */
  lastRun?: { startMs: number; endMs: number };
}

/**
 * The next time the schedule fires, or undefined for a disabled or empty schedule.
 * A time at or before `now` means "due now" (a run was missed, e.g. while the daemon was
 * stopped): the caller runs it once, whatever the number of missed slots.
 */
export function nextRunTime(
  schedule: Schedule | undefined,
  state: ScheduleState,
): number | undefined {
  const s = schedule?.schedule;
  if (!s || s.case === undefined || s.case === "disabled") return undefined;
  const clock = schedule?.clock ?? Schedule_Clock.DEFAULT;
  const last = state.lastRun;
  // CLOCK_LAST_RUN_TIME counts from the end of the last run; the others from its start.
  const anchor = last
    ? clock === Schedule_Clock.LAST_RUN_TIME
      ? last.endMs
      : last.startMs
    : undefined;
  switch (s.case) {
    case "maxFrequencyDays":
    case "maxFrequencyHours": {
      const hours = s.case === "maxFrequencyDays" ? s.value * 24 : s.value;
      if (hours <= 0) return undefined;
      // Never run before: the first run is due now.
      return anchor === undefined ? state.now : anchor + hours * HOUR_MS;
    }
    case "cron": {
      const cron = new Cron(s.value, {
        paused: true,
        timezone: clock === Schedule_Clock.UTC ? "UTC" : undefined,
      });
      if (clock === Schedule_Clock.LAST_RUN_TIME && anchor !== undefined) {
        return cron.nextRun(new Date(anchor))?.getTime();
      }
      // A slot passed since the last run (the daemon was down or asleep): due now, once.
      if (anchor !== undefined) {
        const firstSlotAfterLast = cron.nextRun(new Date(anchor))?.getTime();
        if (firstSlotAfterLast !== undefined && firstSlotAfterLast <= state.now)
          return firstSlotAfterLast;
      }
      return cron.nextRun(new Date(state.now))?.getTime();
    }
  }
}
