/**
 * storage.threshold: raised once when a stats run finds the repo over its storageAlertBytes
 * after being at or under it, again only after it has dropped back, never without a limit.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clone, create } from "@bufbuild/protobuf";
import { ConfigSchema, Hook_Condition, HookSchema } from "../../gen/v1/config_pb.js";
import type { HookEvent } from "../../src/hooks/index.js";
import { waitForOperation } from "../../src/oplog/wait.js";
import type { HookRuntime } from "../../src/orchestrator/hook-runner.js";
import { createOrchestrator } from "../../src/orchestrator/orchestrator.js";
import { makeDeps } from "./fakes.js";

/** A daemon whose stats runs measure the sizes the test sets, with a recording hook runtime. */
function setup(alertBytes: bigint) {
  const s = makeDeps();
  const events: HookEvent[] = [];
  const runtime: HookRuntime = {
    hookMatches: (hook, condition) => hook.conditions.includes(condition),
    eventName: (c) => Hook_Condition[c] ?? "unknown",
    runHook: async (_hook, event) => {
      events.push(event);
    },
    defaultSecret: "k",
  };
  s.deps.hooks = runtime;
  let size = 0;
  s.fake.restic.stats = async () => ({
    totalSize: size,
    totalFileCount: 1,
    totalBlobCount: 1,
    snapshotsCount: 1,
  });
  const cfg = clone(ConfigSchema, s.config.get());
  const repo = cfg.repos.find((r) => r.id === "r2");
  assert.ok(repo);
  repo.storageAlertBytes = alertBytes;
  repo.hooks = [
    create(HookSchema, {
      conditions: [Hook_Condition.STORAGE_THRESHOLD],
      action: { case: "actionCommand", value: { command: "true" } },
    }),
  ];
  s.config.update(cfg);
  const orch = createOrchestrator(s.deps);
  /** Runs one stats task measuring `bytes`; resolves with the alerts raised so far. */
  const statsRun = async (bytes: number) => {
    size = bytes;
    const [op] = orch.startRepoTask("r2", "stats");
    assert.ok(op);
    await waitForOperation(s.ops, op.id, { timeoutMs: 10_000 });
    return events.filter((e) => e.condition === Hook_Condition.STORAGE_THRESHOLD).length;
  };
  return { statsRun, events };
}

describe("storage.threshold", () => {
  it("is raised once when the size crosses the limit, and again only after dropping back", async () => {
    const { statsRun, events } = setup(100n);
    assert.equal(await statsRun(50), 0, "under the limit");
    assert.equal(await statsRun(100), 0, "at the limit is not over it");
    assert.equal(await statsRun(150), 1, "crossed");
    assert.equal(await statsRun(200), 1, "still over: nothing new");
    assert.equal(await statsRun(80), 1, "back under");
    assert.equal(await statsRun(120), 2, "crossed again");
    const event = events.at(-1);
    assert.equal(event?.repo.id, "r2");
    assert.match(event?.error ?? "", /stores 120 bytes, more than its storageAlertBytes \(100\)/);
  });

  it("the first stats run of a repo already over the limit raises it", async () => {
    const { statsRun } = setup(10n);
    assert.equal(await statsRun(11), 1);
  });

  it("is never raised without a limit", async () => {
    const { statsRun } = setup(0n);
    assert.equal(await statsRun(1), 0);
    assert.equal(await statsRun(10 ** 12), 0);
  });
});
