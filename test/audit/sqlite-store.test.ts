/** The SQLite audit store: paging, filters, bounded fields and retention (fake clock). */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import Database from "better-sqlite3";
import { SettingsSchema } from "../../gen/v1/config_pb.js";
import { type AuditEventInput, type AuditStore, openAuditStore } from "../../src/audit/index.js";
import { silentLogger } from "../../src/log.js";
import { createMemoryOpStore } from "../../src/oplog/memory-store.js";
import { runHousekeeping } from "../../src/orchestrator/housekeeping.js";
import { tempDir } from "../helpers/temp.js";
import { baseConfig, createConfigSource } from "../orchestrator/fakes.js";

const DAY = 24 * 60 * 60 * 1000;
const T0 = 1_800_000_000_000;

function event(over: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    actor: "user:alice",
    address: "127.0.0.1",
    userAgent: "curl/8",
    action: "config.set",
    target: "",
    outcome: "ok",
    requestId: "r",
    detail: "",
    ...over,
  };
}

function openStore(clock = { t: T0 }): AuditStore {
  const store = openAuditStore(join(tempDir(), "audit.sqlite"), { now: () => clock.t });
  after(() => store.close());
  return store;
}

describe("audit store", () => {
  it("stores every field and stamps the time from its clock", () => {
    const clock = { t: T0 };
    const store = openStore(clock);
    const id = store.record(
      event({ target: "plan1", action: "backup.start", requestId: "req-1", detail: "d" }),
    );
    clock.t += 5;
    store.record(event({ timeMs: 42 }));
    assert.deepEqual(store.list({ limit: 10 }).at(-1), {
      id,
      timeMs: T0,
      actor: "user:alice",
      address: "127.0.0.1",
      userAgent: "curl/8",
      action: "backup.start",
      target: "plan1",
      outcome: "ok",
      requestId: "req-1",
      detail: "d",
    });
    assert.equal(store.list({ limit: 1 })[0]?.timeMs, 42, "an explicit time is kept");
  });

  it("pages newest first without gaps or duplicates", () => {
    const store = openStore();
    const ids = Array.from({ length: 25 }, (_, i) => store.record(event({ target: `t${i}` })));
    const seen: number[] = [];
    let beforeId: number | undefined;
    for (let page = 0; page < 10; page++) {
      const events = store.list({ limit: 7, beforeId });
      seen.push(...events.map((e) => e.id));
      if (events.length < 7) break;
      beforeId = events.at(-1)?.id;
    }
    assert.deepEqual(seen, [...ids].reverse());
  });

  it("filters by action prefix, actor and time, combined with paging", () => {
    const clock = { t: T0 };
    const store = openStore(clock);
    store.record(event({ action: "config.set" }));
    store.record(event({ action: "configure.other" }));
    store.record(event({ action: "backup.start", actor: "key:k1" }));
    clock.t += 1000;
    store.record(event({ action: "config.set", actor: "key:k1" }));
    store.record(event({ action: "auth.failed", actor: "" }));
    const actions = (q: object) => store.list({ limit: 100, ...q }).map((e) => e.action);
    assert.deepEqual(actions({ actionPrefix: "config." }), ["config.set", "config.set"]);
    assert.deepEqual(actions({ actionPrefix: "config" }), [
      "config.set",
      "configure.other",
      "config.set",
    ]);
    assert.deepEqual(actions({ actor: "key:k1" }), ["config.set", "backup.start"]);
    assert.deepEqual(actions({ actor: "" }), ["auth.failed"]);
    assert.deepEqual(actions({ sinceMs: T0 + 1000 }), ["auth.failed", "config.set"]);
    assert.deepEqual(actions({ sinceMs: T0 + 1000, actor: "key:k1", actionPrefix: "config." }), [
      "config.set",
    ]);
    const first = store.list({ limit: 1, actionPrefix: "config." });
    assert.deepEqual(
      store.list({ limit: 5, actionPrefix: "config.", beforeId: first[0]?.id }).map((e) => e.id),
      [1],
    );
    assert.deepEqual(actions({ actionPrefix: "%" }), [], "LIKE wildcards are plain characters");
  });

  it("cuts overlong fields", () => {
    const store = openStore();
    store.record(event({ userAgent: "x".repeat(100_000), detail: "y".repeat(100_000) }));
    const [e] = store.list({ limit: 1 });
    assert.ok(e && e.userAgent.length <= 512 && e.detail.length <= 4096);
  });

  it("keeps the schema version in the file, indexed by time, actor and action", () => {
    const path = join(tempDir(), "audit.sqlite");
    openAuditStore(path).close();
    const db = new Database(path, { readonly: true });
    after(() => db.close());
    assert.equal(db.pragma("user_version", { simple: true }), 1);
    assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
    const indexes = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_events'")
      .pluck()
      .all();
    assert.deepEqual([...indexes].sort(), [
      "audit_events_action",
      "audit_events_actor",
      "audit_events_time_ms",
    ]);
  });
});

describe("audit retention in housekeeping", () => {
  const housekeep = (store: AuditStore, nowMs: number, auditRetentionDays: number) => {
    const cfg = baseConfig();
    cfg.settings = create(SettingsSchema, { auditRetentionDays });
    return runHousekeeping({
      config: createConfigSource(cfg),
      ops: createMemoryOpStore(),
      logs: { expire: () => 0 },
      audit: store,
      clock: { now: () => nowMs },
      log: silentLogger,
    });
  };

  it("deletes events older than auditRetentionDays, keeping younger ones", () => {
    const store = openStore();
    for (const daysAgo of [10, 8, 7, 1]) store.record(event({ timeMs: T0 - daysAgo * DAY }));
    store.record(event({ timeMs: T0 - 7 * DAY + 1, target: "just inside" }));
    assert.equal(housekeep(store, T0, 7).audit, 2);
    const left = store.list({ limit: 10 }).map((e) => (T0 - e.timeMs) / DAY);
    assert.deepEqual(left.map(Math.ceil), [7, 1, 7]);
    assert.equal(housekeep(store, T0 + DAY, 7).audit, 2, "a day later, two more have aged out");
  });

  it("defaults to 90 days", () => {
    const store = openStore();
    store.record(event({ timeMs: T0 - 91 * DAY }));
    store.record(event({ timeMs: T0 - 89 * DAY }));
    assert.equal(housekeep(store, T0, 0).audit, 1);
    assert.equal(store.list({ limit: 10 }).length, 1);
  });
});
