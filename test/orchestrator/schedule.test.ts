import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { Schedule_Clock, ScheduleSchema } from "../../gen/v1/config_pb.js";
import { nextRunTime } from "../../src/orchestrator/schedule.js";

const at = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;

describe("nextRunTime", () => {
  it("is undefined for disabled and missing schedules", () => {
    assert.equal(nextRunTime(undefined, { now: 0 }), undefined);
    assert.equal(
      nextRunTime(create(ScheduleSchema, { schedule: { case: "disabled", value: true } }), {
        now: 0,
      }),
      undefined,
    );
  });

  it("cron in UTC fires at the next matching minute", () => {
    const s = create(ScheduleSchema, {
      schedule: { case: "cron", value: "30 2 * * *" },
      clock: Schedule_Clock.UTC,
    });
    assert.equal(nextRunTime(s, { now: at("2026-11-22T01:00:00Z") }), at("2026-11-22T02:30:00Z"));
    assert.equal(nextRunTime(s, { now: at("2026-11-22T03:00:00Z") }), at("2026-11-23T02:30:00Z"));
  });

  it("a cron slot missed since the last run is due once, at the first missed slot", () => {
    const s = create(ScheduleSchema, {
      schedule: { case: "cron", value: "0 * * * *" },
      clock: Schedule_Clock.UTC,
    });
    const lastRun = { startMs: at("2026-11-20T10:00:00Z"), endMs: at("2026-11-20T10:05:00Z") };
    // Two days asleep: one run due now (the first missed slot is in the past), not 48.
    const due = nextRunTime(s, { now: at("2026-11-22T10:30:00Z"), lastRun }) ?? Infinity;
    assert.ok(due <= at("2026-11-22T10:30:00Z"));
    // Once that run happened, the next is the next slot.
    const after = { startMs: at("2026-11-22T10:30:00Z"), endMs: at("2026-11-22T10:31:00Z") };
    assert.equal(
      nextRunTime(s, { now: at("2026-11-22T10:31:00Z"), lastRun: after }),
      at("2026-11-22T11:00:00Z"),
    );
  });

  it("maxFrequencyHours counts from the last run's start; CLOCK_LAST_RUN_TIME from its end", () => {
    const lastRun = { startMs: at("2026-11-22T00:00:00Z"), endMs: at("2026-11-22T00:30:00Z") };
    const hours = create(ScheduleSchema, { schedule: { case: "maxFrequencyHours", value: 6 } });
    assert.equal(
      nextRunTime(hours, { now: at("2026-11-22T01:00:00Z"), lastRun }),
      lastRun.startMs + 6 * HOUR,
    );
    const fromEnd = create(ScheduleSchema, {
      schedule: { case: "maxFrequencyHours", value: 6 },
      clock: Schedule_Clock.LAST_RUN_TIME,
    });
    assert.equal(
      nextRunTime(fromEnd, { now: at("2026-11-22T01:00:00Z"), lastRun }),
      lastRun.endMs + 6 * HOUR,
    );
    const days = create(ScheduleSchema, { schedule: { case: "maxFrequencyDays", value: 2 } });
    assert.equal(
      nextRunTime(days, { now: at("2026-11-22T01:00:00Z"), lastRun }),
      lastRun.startMs + 48 * HOUR,
    );
    assert.equal(nextRunTime(days, { now: 5 }), 5, "never run: due now");
  });

  it("cron with CLOCK_LAST_RUN_TIME fires at the first slot after the last run ended", () => {
    const s = create(ScheduleSchema, {
      schedule: { case: "cron", value: "0 */6 * * *" },
      clock: Schedule_Clock.LAST_RUN_TIME,
    });
    const lastRun = { startMs: at("2026-11-22T05:00:00Z"), endMs: at("2026-11-22T06:10:00Z") };
    const next = nextRunTime(s, { now: at("2026-11-22T06:20:00Z"), lastRun }) ?? 0;
    assert.ok(next > lastRun.endMs);
  });
});
