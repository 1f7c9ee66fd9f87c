/**
 * Editing a schedule: cron (with its description and the next five runs), every N hours or
 * days, disabled, or none; and the clock it runs by.
 */
import { create } from "@bufbuild/protobuf";
import { useId } from "react";
import { type Schedule, Schedule_Clock, ScheduleSchema } from "../../../gen/v1/config_pb";
import { formatTime } from "../lib/format";
import { cronProblem, describeSchedule, nextRuns } from "../lib/schedule";
import { SelectField, TextField } from "./field";

type Mode = "none" | "disabled" | "cron" | "maxFrequencyHours" | "maxFrequencyDays";

const MODES: { value: Mode; label: string }[] = [
  { value: "none", label: "Not scheduled" },
  { value: "cron", label: "Cron expression" },
  { value: "maxFrequencyHours", label: "Every N hours" },
  { value: "maxFrequencyDays", label: "Every N days" },
  { value: "disabled", label: "Disabled" },
];

const CLOCKS = [
  { value: String(Schedule_Clock.LOCAL), label: "Local time" },
  { value: String(Schedule_Clock.UTC), label: "UTC" },
  { value: String(Schedule_Clock.LAST_RUN_TIME), label: "From the end of the last run" },
];

/** The problem with a schedule, keyed by its field ("cron", "maxFrequencyHours"...). */
export function scheduleProblems(schedule: Schedule | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const s = schedule?.schedule;
  if (s?.case === "cron") {
    const p = cronProblem(s.value);
    if (p) out.set("cron", p);
  }
  if ((s?.case === "maxFrequencyHours" || s?.case === "maxFrequencyDays") && !(s.value > 0))
    out.set(s.case, "Enter a whole number greater than 0.");
  return out;
}

/** Props of ScheduleEditor. */
export interface ScheduleEditorProps {
  legend: string;
  value: Schedule | undefined;
  onChange: (value: Schedule | undefined) => void;
  /** When the job last ran (frequencies count from it). */
  lastRunMs?: number;
  /** Problems from the daemon, by field. */
  serverErrors?: (field: string) => string[];
}

/** The schedule editor. */
export function ScheduleEditor(props: ScheduleEditorProps) {
  const id = useId();
  const s = props.value?.schedule;
  const mode: Mode = s?.case ?? "none";
  const clock: Schedule_Clock = props.value?.clock || Schedule_Clock.LOCAL;
  const problems = scheduleProblems(props.value);
  const errorsOf = (field: string) => {
    // A schedule's problems show as it is typed: the preview below depends on them.
    const own = problems.get(field) ? [problems.get(field) as string] : [];
    return [...own, ...(props.serverErrors?.(field) ?? [])];
  };

  const set = (next: Schedule["schedule"], nextClock: Schedule_Clock = clock) =>
    props.onChange(
      next.case === undefined
        ? undefined
        : create(ScheduleSchema, { schedule: next, clock: nextClock }),
    );

  const setMode = (m: Mode) => {
    switch (m) {
      case "none":
        return set({ case: undefined });
      case "disabled":
        return set({ case: "disabled", value: true });
      case "cron":
        return set({ case: "cron", value: "0 2 * * *" });
      case "maxFrequencyHours":
        return set({ case: "maxFrequencyHours", value: 6 });
      case "maxFrequencyDays":
        return set({ case: "maxFrequencyDays", value: 1 });
    }
  };

  const runs = problems.size === 0 ? nextRuns(props.value, { lastRunMs: props.lastRunMs }) : [];
  return (
    <fieldset aria-describedby={`${id}-desc`}>
      <legend>{props.legend}</legend>
      <div className="form-grid">
        <SelectField
          label="When"
          value={mode}
          onChange={(v) => setMode(v as Mode)}
          options={MODES}
        />
        {s?.case === "cron" ? (
          <TextField
            label="Cron expression"
            className="mono"
            value={s.value}
            onChange={(v) => set({ case: "cron", value: v })}
            hint="minute hour day-of-month month day-of-week"
            errors={errorsOf("cron")}
          />
        ) : null}
        {s?.case === "maxFrequencyHours" || s?.case === "maxFrequencyDays" ? (
          <TextField
            label={s.case === "maxFrequencyHours" ? "Hours between runs" : "Days between runs"}
            type="number"
            min={1}
            inputMode="numeric"
            value={Number.isNaN(s.value) ? "" : String(s.value)}
            onChange={(v) =>
              set({ case: s.case, value: v === "" ? Number.NaN : Math.floor(Number(v)) })
            }
            errors={errorsOf(s.case)}
          />
        ) : null}
        {mode !== "none" && mode !== "disabled" ? (
          <SelectField
            label="Clock"
            value={String(clock)}
            onChange={(v) => set(s ?? { case: undefined }, Number(v) as Schedule_Clock)}
            options={CLOCKS}
          />
        ) : null}
      </div>
      <div id={`${id}-desc`} className="schedule-preview" aria-live="polite">
        <p className="small">
          <strong>{describeSchedule(props.value)}</strong>
        </p>
        {runs.length > 0 ? (
          <>
            <p className="small muted">Next runs:</p>
            <ol className="small next-runs" data-testid="next-runs">
              {runs.map((t, i) => (
                <li key={t}>{i === 0 && t <= Date.now() + 1000 ? "due now" : formatTime(t)}</li>
              ))}
            </ol>
          </>
        ) : null}
      </div>
    </fieldset>
  );
}
