/** The scheduler with a fake clock and timers, the memory op store and a recording runner. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, fromJson, type JsonValue } from "@bufbuild/protobuf";
import { type Config, ConfigSchema } from "../../gen/v1/config_pb.js";
import { type Operation, OperationSchema, OperationStatus } from "../../gen/v1/operations_pb.js";
import { silentLogger } from "../../src/log.js";
import { createMemoryOpStore } from "../../src/oplog/memory-store.js";
import {
  createScheduler,
  SCHEDULED_MESSAGE,
  type ScheduledJob,
} from "../../src/orchestrator/scheduler.js";

const HOUR = 3_600_000;
const T0 = Date.parse("2026-11-22T10:20:00Z");

/** A clock whose time moves only when the test says so; timers fire as it passes them. */
function fakeClock(start: number) {
  let now = start;
  let timers: { at: number; fn: () => void }[] = [];
  return {
    now: () => now,
    setTimeout(fn: () => void, ms: number) {
      const t = { at: now + ms, fn };
      timers.push(t);
      return () => {
        timers = timers.filter((x) => x !== t);
      };
    },
    /** Moves time forward, firing timers on the way. */
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = Math.max(now, due.at);
        due.fn();
      }
      now = end;
    },
    /** Jumps the wall clock without firing anything (sleep, NTP step); the next timer fires late. */
    jump(ms: number) {
      now += ms;
    },
    fireNext() {
      const due = timers.sort((a, b) => a.at - b.at)[0];
      if (!due) return;
      timers = timers.filter((t) => t !== due);
      due.fn();
    },
  };
}

/** A config from Backrest JSON. */
function configJson(json: object): Config {
  return fromJson(ConfigSchema, {
    instance: "unit",
    repos: [{ id: "r1", uri: "/r" }],
    ...json,
  } as JsonValue);
}

function setup(init: object) {
  let cfg = configJson(init);
  const listeners: ((c: Config) => void)[] = [];
  const config = {
    get: () => cfg,
    update: (next: Config) => {
      cfg = next;
      for (const l of listeners) l(cfg);
      return cfg;
    },
    onChange: (l: (c: Config) => void) => {
      listeners.push(l);
      return () => {};
    },
  };
  const ops = createMemoryOpStore();
  const clock = fakeClock(T0);
  const runs: { job: ScheduledJob; pending: Operation; at: number }[] = [];
  const scheduler = createScheduler({
    config,
    ops,
    clock,
    log: silentLogger,
    run: async (job, pending) => {
      runs.push({ job, pending, at: clock.now() });
      // What the orchestrator does: the pending operation becomes the finished run.
      ops.update({
        ...pending,
        status: OperationStatus.STATUS_SUCCESS,
        displayMessage: "",
        unixTimeStartMs: BigInt(clock.now()),
        unixTimeEndMs: BigInt(clock.now()),
      });
    },
  });
  const pendingOps = () => ops.query().filter((o) => o.status === OperationStatus.STATUS_PENDING);
  return { config, ops, clock, runs, scheduler, pendingOps };
}

const settle = () => new Promise((r) => setImmediate(r));
const plan = (schedule: object, extra: object = {}) => ({
  id: "p1",
  repo: "r1",
  paths: ["/data"],
  schedule,
  ...extra,
});

describe("scheduler", () => {
  it("shows the next run as a pending operation with its planned time, and runs it then", async () => {
    const { scheduler, clock, runs, pendingOps } = setup({
      plans: [plan({ cron: "0 * * * *", clock: "CLOCK_UTC" })],
    });
    scheduler.start();
    const [pending] = pendingOps();
    assert.equal(Number(pending?.unixTimeStartMs), Date.parse("2026-11-22T11:00:00Z"));
    assert.equal(pending?.displayMessage, SCHEDULED_MESSAGE);
    clock.advance(30 * 60_000);
    assert.equal(runs.length, 0);
    clock.advance(11 * 60_000);
    await settle();
    assert.equal(runs.length, 1);
    assert.equal(runs[0]?.pending.id, pending?.id, "the pending operation is the one that runs");
    assert.equal(runs[0]?.at, Date.parse("2026-11-22T11:00:00Z"));
    await settle();
    assert.equal(Number(pendingOps()[0]?.unixTimeStartMs), Date.parse("2026-11-22T12:00:00Z"));
    scheduler.stop();
  });

  it("a run missed while stopped happens once at start, not once per missed slot", async () => {
    const { scheduler, ops, runs, clock } = setup({
      plans: [plan({ cron: "0 * * * *", clock: "CLOCK_UTC" })],
    });
    ops.add(
      create(OperationSchema, {
        planId: "p1",
        repoId: "r1",
        status: OperationStatus.STATUS_SUCCESS,
        unixTimeStartMs: BigInt(T0 - 48 * HOUR),
        unixTimeEndMs: BigInt(T0 - 48 * HOUR + 60_000),
        op: { case: "operationBackup", value: {} },
      }),
    );
    scheduler.start();
    clock.advance(0);
    await settle();
    assert.equal(runs.length, 1, "48 missed slots make one run");
    assert.equal(runs[0]?.at, T0);
    clock.advance(39 * 60_000); // 10:59: nothing more until the 11:00 slot
    await settle();
    assert.equal(runs.length, 1);
    clock.advance(60_000);
    await settle();
    assert.equal(runs.length, 2);
    scheduler.stop();
  });

  it("maxFrequencyHours runs a never-run plan now, then every N hours from the last start", async () => {
    const { scheduler, clock, runs } = setup({ plans: [plan({ maxFrequencyHours: 6 })] });
    scheduler.start();
    clock.advance(0);
    await settle();
    assert.equal(runs.length, 1);
    clock.advance(5 * HOUR);
    await settle();
    assert.equal(runs.length, 1);
    clock.advance(HOUR + 1);
    await settle();
    assert.equal(runs.length, 2);
    scheduler.stop();
  });

  it("finds the last run behind many newer operations of the plan, up to the newest 200", () => {
    const lastRunAt = (newerOps: number) => {
      const { scheduler, ops, pendingOps } = setup({ plans: [plan({ maxFrequencyHours: 6 })] });
      const op = (init: object) => create(OperationSchema, { planId: "p1", repoId: "r1", ...init });
      ops.add(
        op({
          status: OperationStatus.STATUS_SUCCESS,
          unixTimeStartMs: BigInt(T0 - HOUR),
          unixTimeEndMs: BigInt(T0 - HOUR),
          op: { case: "operationBackup", value: {} },
        }),
        ...Array.from({ length: newerOps }, () =>
          op({
            status: OperationStatus.STATUS_SUCCESS,
            op: { case: "operationForget", value: {} },
          }),
        ),
      );
      scheduler.start();
      scheduler.stop();
      return Number(pendingOps()[0]?.unixTimeStartMs);
    };
    // 5 hours after the last backup's start, however many operations came after it...
    assert.equal(lastRunAt(3), T0 + 5 * HOUR);
    assert.equal(lastRunAt(150), T0 + 5 * HOUR);
    // ...up to the newest 200: beyond them the plan counts as never run, and runs now.
    assert.equal(lastRunAt(250), T0);
  });

  it("plans every job in one write: one event with all pending runs", () => {
    const plans = ["p1", "p2", "p3"].map((id) => ({ ...plan({ maxFrequencyHours: 6 }), id }));
    const { scheduler, ops, pendingOps } = setup({ plans });
    const events: string[] = [];
    ops.subscribe((e) =>
      events.push(`${e.type}:${"operations" in e ? e.operations.length : e.ids.length}`),
    );
    scheduler.start();
    assert.deepEqual(events, ["created:3"]);
    assert.equal(pendingOps().length, 3);
    scheduler.stop();
  });

  it("after a long sleep (the wall clock jumped), the missed run happens once and the plan re-plans", async () => {
    const { scheduler, clock, runs, pendingOps } = setup({
      plans: [plan({ cron: "0 * * * *", clock: "CLOCK_UTC" })],
    });
    scheduler.start();
    clock.advance(41 * 60_000); // the 11:00 run
    await settle();
    assert.equal(runs.length, 1);
    clock.jump(10 * HOUR); // asleep: nothing fired for ten hourly slots
    clock.fireNext();
    await settle();
    assert.equal(runs.length, 2, "one catch-up run, not ten");
    await settle();
    const next = Number(pendingOps()[0]?.unixTimeStartMs);
    assert.ok(next > clock.now(), "the next run is planned in the future");
    scheduler.stop();
  });

  it("a paused plan's scheduled run is recorded as skipped with the reason, and planned again", async () => {
    const { scheduler, clock, runs, ops, pendingOps } = setup({
      plans: [plan({ maxFrequencyHours: 1 }, { paused: true })],
    });
    scheduler.start();
    clock.advance(0);
    await settle();
    assert.equal(runs.length, 0);
    const skipped = ops.query().filter((o) => o.status === OperationStatus.STATUS_SKIPPED);
    assert.equal(skipped.length, 1);
    assert.match(skipped[0]?.displayMessage ?? "", /plan "p1" is paused/);
    assert.equal(pendingOps().length, 1, "the next run is planned");
    scheduler.stop();
  });

  it("a config change re-plans at once; removing the schedule removes its pending run", async () => {
    const { scheduler, config, pendingOps } = setup({
      plans: [plan({ cron: "0 3 * * *", clock: "CLOCK_UTC" })],
    });
    scheduler.start();
    assert.equal(Number(pendingOps()[0]?.unixTimeStartMs), Date.parse("2026-11-23T03:00:00Z"));
    config.update(configJson({ plans: [plan({ cron: "30 12 * * *", clock: "CLOCK_UTC" })] }));
    assert.equal(pendingOps().length, 1);
    assert.equal(Number(pendingOps()[0]?.unixTimeStartMs), Date.parse("2026-11-22T12:30:00Z"));
    config.update(configJson({ plans: [] }));
    assert.equal(pendingOps().length, 0);
    scheduler.stop();
  });

  it("repos' prune and check schedules are planned too; stale pending runs of a previous process are removed", () => {
    const { scheduler, ops, pendingOps } = setup({
      repos: [
        {
          id: "r1",
          uri: "/r",
          prunePolicy: { schedule: { cron: "0 4 * * 0" } },
          checkPolicy: { schedule: { maxFrequencyDays: 7 } },
        },
      ],
    });
    ops.add(
      create(OperationSchema, {
        status: OperationStatus.STATUS_PENDING,
        repoId: "r1",
        displayMessage: SCHEDULED_MESSAGE,
        op: { case: "operationPrune", value: {} },
      }),
    );
    scheduler.removeStale();
    assert.equal(pendingOps().length, 0);
    scheduler.start();
    const kinds = pendingOps()
      .map((o) => o.op.case)
      .sort();
    assert.deepEqual(kinds, ["operationCheck", "operationPrune"]);
    scheduler.stop();
  });
});
