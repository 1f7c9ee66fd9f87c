/** Operation time limits and the stale locks stopped or failed restic runs leave, with fakes at the seams. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { ConfigSchema, SettingsSchema } from "../../gen/v1/config_pb.js";
import { OperationStatus } from "../../gen/v1/operations_pb.js";
import { validateConfig } from "../../src/config/validate.js";
import { OperationFailedError } from "../../src/orchestrator/errors.js";
import { createOrchestrator } from "../../src/orchestrator/orchestrator.js";
import {
  formatLimit,
  operationTimeLimitMs,
  TimeLimitReason,
} from "../../src/orchestrator/time-limit.js";
import { ResticCancelledError, ResticError } from "../../src/restic/errors.js";
import type { BackupResult } from "../../src/restic/types.js";
import { makeDeps, settle, summary } from "./fakes.js";

/** What restic 0.14 printed on stderr when its rest: server was killed during a backup and it then got SIGINT. */
const KILLED_BACKEND_STDERR = [
  'Save(<data/5947675505>) returned error, retrying after 720.5ms: client.Post: Post "http://127.0.0.1:18765/data/5947675505a0": dial tcp 127.0.0.1:18765: connect: connection refused',
  "signal interrupt received, cleaning up",
  'Remove(<lock/e40478a789>) returned error, retrying after 1.0s: client.Do: Delete "http://127.0.0.1:18765/locks/e40478a789": dial tcp 127.0.0.1:18765: connect: connection refused',
].join("\n");

/** A deps whose config has the given time limit (seconds). */
function depsWithLimit(seconds: number) {
  const made = makeDeps();
  const cfg = made.config.get();
  made.config.update(
    create(ConfigSchema, {
      ...cfg,
      settings: create(SettingsSchema, { operationTimeoutSeconds: seconds }),
    }),
  );
  return made;
}

/** A backup that never finishes by itself: it ends only when its signal aborts, like restic on a stalled backend. */
function stallBackups(fake: ReturnType<typeof makeDeps>["fake"], stderrTail = "") {
  const seen: unknown[] = [];
  fake.restic.backup = (repo, _opts, call) => {
    fake.calls.push(`backup ${repo.uri}`);
    return new Promise<BackupResult>((_resolve, reject) => {
      call?.signal?.addEventListener("abort", () => {
        seen.push(call.signal?.reason);
        reject(new ResticCancelledError(call.signal?.reason, ["backup"], "backup", stderrTail));
      });
    });
  };
  return seen;
}

describe("operation time limits", () => {
  // The limit's timer is unref'd (it must not keep a daemon alive); with fakes nothing else
  // keeps this process's event loop running while an operation waits for it.
  let keepAlive: NodeJS.Timeout | undefined;
  before(() => {
    keepAlive = setInterval(() => {}, 1000);
  });
  after(() => clearInterval(keepAlive));

  it("an operation that runs past its limit is stopped and recorded as an error that says so", async () => {
    const { deps, fake } = depsWithLimit(1);
    const reasons = stallBackups(fake, KILLED_BACKEND_STDERR);
    const err = await createOrchestrator(deps)
      .backup("p1")
      .then(
        () => assert.fail("the backup must not succeed"),
        (e: unknown) => e,
      );
    assert.ok(err instanceof OperationFailedError);
    assert.ok(reasons[0] instanceof TimeLimitReason, "restic was stopped by the time limit");
    const op = err.operation;
    assert.equal(op.status, OperationStatus.STATUS_ERROR);
    assert.match(op.displayMessage, /^timed out after 1 s and was stopped; /);
    // restic's last word before it was told to stop, not its cleanup's complaints.
    assert.match(
      op.displayMessage,
      /last message was: Save\(<data\/5947675505>\).*connection refused;/,
    );
    assert.doesNotMatch(op.displayMessage, /Remove\(<lock/);
    assert.match(op.displayMessage, /check that it is up and reachable, then retry/);
    // The backend just failed: the stale lock is removed before the next operation, not now.
    assert.ok(!fake.calls.includes("unlock /repo/one"));
  });

  it("the repo's next operation first removes the lock a stopped restic left behind", async () => {
    const { deps, fake } = depsWithLimit(1);
    const orch = createOrchestrator(deps);
    const original = fake.restic.backup;
    stallBackups(fake);
    await orch.backup("p1").catch(() => {});
    fake.restic.backup = original;
    fake.calls.length = 0;
    const next = orch.backup("p1");
    await settle(20);
    fake.backups.at(-1)?.resolve({ summary: summary(), errors: [], partial: false });
    assert.equal((await next).status, OperationStatus.STATUS_SUCCESS);
    assert.deepEqual(fake.calls, ["unlock /repo/one", "backup /repo/one"]);
    // Once removed, later operations do not unlock again.
    fake.calls.length = 0;
    const third = orch.backup("p1");
    await settle(20);
    fake.backups.at(-1)?.resolve({ summary: summary(), errors: [], partial: false });
    await third;
    assert.deepEqual(fake.calls, ["backup /repo/one"]);
  });

  it("a restic failure from a lost backend also unlocks before the next operation; a wrong password does not", async () => {
    const { deps, fake } = makeDeps();
    const orch = createOrchestrator(deps);
    const failWith = async (kind: "backend-unreachable" | "wrong-password") => {
      const done = orch.backup("p2");
      await settle(20);
      fake.backups
        .at(-1)
        ?.reject(new ResticError({ kind, message: kind, exitCode: 1, args: [], stderrTail: "" }));
      await done.catch(() => {});
    };
    const succeed = async () => {
      const done = orch.backup("p2");
      await settle(20);
      fake.backups.at(-1)?.resolve({ summary: summary(), errors: [], partial: false });
      await done;
    };
    await failWith("wrong-password");
    fake.calls.length = 0;
    await succeed();
    assert.deepEqual(fake.calls, ["backup /repo/two"]);
    await failWith("backend-unreachable");
    fake.calls.length = 0;
    await succeed();
    assert.deepEqual(fake.calls, ["unlock /repo/two", "backup /repo/two"]);
  });

  it("a user cancel is still a user cancel, not a timeout", async () => {
    const { deps, fake } = depsWithLimit(60);
    stallBackups(fake);
    const orch = createOrchestrator(deps);
    const done = orch.backup("p1").catch((e: unknown) => e);
    await settle(20);
    const running = deps.ops.query({ selector: { planId: "p1" } })[0];
    orch.cancel(running?.id ?? 0n);
    const err = await done;
    assert.ok(err instanceof OperationFailedError);
    assert.equal(err.operation.status, OperationStatus.STATUS_USER_CANCELLED);
  });

  it("listing snapshots on a stalled backend ends in an Unavailable error with the timeout message", async () => {
    const { deps, fake } = depsWithLimit(1);
    fake.restic.snapshots = (_repo, _filter, call) =>
      new Promise((_resolve, reject) => {
        call?.signal?.addEventListener("abort", () =>
          reject(new ResticCancelledError(call.signal?.reason, [], "snapshots")),
        );
      });
    const err = await createOrchestrator(deps)
      .listSnapshots("r2", { recycled: false })
      .then(
        () => assert.fail("listing must not succeed"),
        (e: unknown) => e,
      );
    assert.ok(err instanceof Error);
    assert.equal(err.name, "UnavailableError");
    assert.match(err.message, /^timed out after 1 s and was stopped; the repository's backend/);
  });

  it("the limit defaults to 24 hours, -1 turns it off, and values a timer cannot hold are refused", () => {
    const cfg = (seconds: number) =>
      create(ConfigSchema, {
        settings: create(SettingsSchema, { operationTimeoutSeconds: seconds }),
      });
    assert.equal(operationTimeLimitMs(create(ConfigSchema)), 24 * 60 * 60 * 1000);
    assert.equal(operationTimeLimitMs(cfg(0)), 24 * 60 * 60 * 1000);
    assert.equal(operationTimeLimitMs(cfg(90)), 90_000);
    assert.equal(operationTimeLimitMs(cfg(-1)), undefined);
    const issue = (seconds: number) =>
      validateConfig(cfg(seconds)).find((i) => i.path === "settings.operationTimeoutSeconds");
    assert.equal(issue(-1), undefined);
    assert.equal(issue(2_147_483), undefined);
    assert.match(issue(-2)?.message ?? "", /-1 for no limit/);
    assert.match(issue(3_000_000)?.message ?? "", /up to 2147483 \(24\.8 days\)/);
  });

  it("formats limits the way people say them", () => {
    assert.equal(formatLimit(15_000), "15 s");
    assert.equal(formatLimit(5 * 60_000), "5 min");
    assert.equal(formatLimit(24 * 3_600_000), "24 h");
    assert.equal(formatLimit(90 * 60_000), "90 min");
    assert.equal(formatLimit(150 * 60_000), "2 h 30 min");
  });
});
