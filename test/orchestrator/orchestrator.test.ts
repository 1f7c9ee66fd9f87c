/** Orchestrator logic with fakes at its seams (restic runner, op store, config, clock). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { OperationSchema, OperationStatus } from "../../gen/v1/operations_pb.js";
import { NotFoundError } from "../../src/errors.js";
import { OperationFailedError } from "../../src/orchestrator/errors.js";
import { createOrchestrator } from "../../src/orchestrator/orchestrator.js";
import { ResticError } from "../../src/restic/errors.js";
import { makeDeps, settle, summary } from "./fakes.js";

const status = (s: Partial<{ filesDone: number }> = {}) => ({
  percentDone: 0.5,
  totalFiles: 10,
  filesDone: s.filesDone ?? 5,
  totalBytes: 100,
  bytesDone: 50,
  currentFiles: ["/data/a/x"],
  secondsElapsed: 1,
});

describe("orchestrator", () => {
  it("runs backups of one repo one at a time and of different repos in parallel", async () => {
    const { deps, fake } = makeDeps();
    const orch = createOrchestrator(deps);
    const a = orch.backup("p1");
    const b = orch.backup("p1b");
    const c = orch.backup("p2");
    await settle(20);
    // p1 and p2 run (different repos); p1b waits behind p1 on r1.
    assert.deepEqual(fake.backups.map((x) => x.repo.uri).sort(), ["/repo/one", "/repo/two"]);
    const onRepo = (uri: string) => fake.backups.find((x) => x.repo.uri === uri);
    onRepo("/repo/one")?.resolve({ summary: summary("aaaa1111"), errors: [], partial: false });
    await a;
    await settle(20);
    assert.equal(fake.backups.length, 3);
    assert.equal(fake.backups[2]?.repo.uri, "/repo/one");
    for (const x of fake.backups) x.resolve({ summary: summary(), errors: [], partial: false });
    const results = await Promise.all([b, c]);
    assert.ok(results.every((op) => op.status === OperationStatus.STATUS_SUCCESS));
  });

  it("records success with the summary, tags and a guid learned from restic and saved to the config", async () => {
    const { deps, fake, config } = makeDeps();
    const orch = createOrchestrator(deps);
    const done = orch.backup("p1");
    await settle(20);
    assert.deepEqual(fake.backups[0]?.tags, ["plan:p1", "created-by:unit"]);
    fake.backups[0]?.resolve({ summary: summary("feedbeef"), errors: [], partial: false });
    const op = await done;
    assert.equal(op.status, OperationStatus.STATUS_SUCCESS);
    assert.equal(op.snapshotId, "feedbeef");
    assert.equal(op.repoGuid, "guid-of-/repo/one");
    assert.equal(config.get().repos[0]?.guid, "guid-of-/repo/one");
    assert.equal(op.op.case === "operationBackup" && op.op.value.lastStatus?.entry.case, "summary");
  });

  it("a partial backup is a warning that keeps the file errors", async () => {
    const { deps, fake } = makeDeps();
    const done = createOrchestrator(deps).backup("p2");
    await settle(20);
    fake.backups[0]?.resolve({
      summary: summary(),
      errors: [{ item: "/data/c/secret", during: "archival", message: "permission denied" }],
      partial: true,
    });
    const op = await done;
    assert.equal(op.status, OperationStatus.STATUS_WARNING);
    assert.match(op.displayMessage, /1 file could not be read/);
    assert.equal(op.op.case === "operationBackup" && op.op.value.errors[0]?.item, "/data/c/secret");
  });

  it("a restic failure is recorded as an error and rejects with the recorded operation", async () => {
    const { deps, fake, ops } = makeDeps();
    const done = createOrchestrator(deps).backup("p2");
    await settle(20);
    fake.backups[0]?.reject(
      new ResticError({
        kind: "wrong-password",
        exitCode: 12,
        args: [],
        stderrTail: "",
        message: "wrong password; check it",
      }),
    );
    const err = await done.then(
      () => assert.fail("should fail"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof OperationFailedError);
    assert.equal(err.operation.status, OperationStatus.STATUS_ERROR);
    assert.equal(err.operation.displayMessage, "wrong password; check it");
    assert.equal(ops.get(err.operation.id)?.status, OperationStatus.STATUS_ERROR);
  });

  it("an unknown plan is NotFoundError and records nothing", async () => {
    const { deps, ops } = makeDeps();
    await assert.rejects(createOrchestrator(deps).backup("nope"), NotFoundError);
    assert.equal(ops.query().length, 0);
  });

  it("cancelling a queued backup ends it as user-cancelled without running restic", async () => {
    const { deps, fake } = makeDeps();
    const orch = createOrchestrator(deps);
    const first = orch.backup("p1");
    const second = orch.backup("p1b");
    await settle(20);
    const queued = deps.ops.query().find((o) => o.planId === "p1b");
    assert.equal(queued?.status, OperationStatus.STATUS_PENDING);
    orch.cancel(queued?.id ?? 0n);
    fake.backups[0]?.resolve({ summary: summary(), errors: [], partial: false });
    await first;
    const err = (await second.catch((e: unknown) => e)) as OperationFailedError;
    assert.equal(err.operation.status, OperationStatus.STATUS_USER_CANCELLED);
    assert.equal(fake.backups.length, 1);
  });

  it("shutdown cancels running backups as system-cancelled and refuses new ones", async () => {
    const { deps } = makeDeps();
    const orch = createOrchestrator(deps);
    const running = orch.backup("p2");
    await settle(20);
    await orch.shutdown();
    const err = (await running.catch((e: unknown) => e)) as OperationFailedError;
    assert.equal(err.operation.status, OperationStatus.STATUS_SYSTEM_CANCELLED);
    await assert.rejects(orch.backup("p2"), { name: "UnavailableError" });
  });

  it("throttles progress writes to one per interval", async () => {
    const { deps, fake, ops, now } = makeDeps();
    const writes: string[] = [];
    ops.subscribe((e) => {
      if (e.type === "updated") writes.push(e.type);
    });
    const done = createOrchestrator(deps).backup("p2");
    await settle(20);
    const before = writes.length;
    for (let i = 0; i < 50; i++) fake.backups[0]?.onStatus?.(status({ filesDone: i }));
    now.t += 10; // far less than the interval
    assert.ok(
      writes.length - before <= 1,
      `at most one progress write, got ${writes.length - before}`,
    );
    fake.backups[0]?.resolve({ summary: summary(), errors: [], partial: false });
    await done;
  });

  it("never records a finished status without the end time (a waiter could read it)", async () => {
    const { deps, fake, ops, now } = makeDeps();
    const finishedWithoutEnd: string[] = [];
    ops.subscribe((e) => {
      if (e.type !== "updated") return;
      for (const op of e.operations) {
        const finished =
          op.status !== OperationStatus.STATUS_PENDING &&
          op.status !== OperationStatus.STATUS_INPROGRESS;
        if (finished && op.unixTimeEndMs === 0n)
          finishedWithoutEnd.push(`${op.id} modno ${op.modno}`);
      }
    });
    const done = createOrchestrator(deps).backup("p2");
    await settle(20);
    // The second report waits in the throttle window when the backup ends.
    fake.backups[0]?.onStatus?.(status({ filesDone: 1 }));
    fake.backups[0]?.onStatus?.(status({ filesDone: 2 }));
    now.t += 10;
    fake.backups[0]?.resolve({ summary: summary(), errors: [], partial: false });
    const op = await done;
    assert.equal(op.status, OperationStatus.STATUS_SUCCESS);
    assert.deepEqual(finishedWithoutEnd, []);
  });

  it("recovery marks interrupted operations failed and unlocks their repos", async () => {
    const { deps, fake, ops } = makeDeps();
    const [stuck] = ops.add(
      create(OperationSchema, {
        status: OperationStatus.STATUS_INPROGRESS,
        repoId: "r1",
        planId: "p1",
      }),
    );
    const recovered = await createOrchestrator(deps).recover();
    assert.equal(recovered.length, 1);
    assert.equal(ops.get(stuck?.id ?? 0n)?.status, OperationStatus.STATUS_ERROR);
    assert.deepEqual(fake.calls, ["unlock /repo/one"]);
  });
});

describe("orchestrator follow-ups and control", () => {
  it("a backup of a plan with a retention policy is followed by a forget scoped to the plan's tags, in its flow", async () => {
    const { deps, fake, config, ops } = makeDeps();
    const cfg = config.get();
    const plan = cfg.plans.find((p) => p.id === "p2");
    if (plan)
      plan.retention = {
        $typeName: "v1.RetentionPolicy",
        policy: { case: "policyKeepLastN", value: 3 },
      };
    const orch = createOrchestrator(deps);
    const done = orch.backup("p2");
    await settle(20);
    fake.backups[0]?.resolve({ summary: summary(), errors: [], partial: false });
    const op = await done;
    await settle(40);
    const forget = ops
      .query({ selector: { flowId: op.flowId } })
      .find((o) => o.op.case === "operationForget");
    assert.equal(forget?.status, OperationStatus.STATUS_SUCCESS);
    const call = fake.calls.find((c) => c.startsWith("forget"));
    assert.ok(call, "restic forget ran");
    assert.deepEqual(JSON.parse(call.slice(call.indexOf("{"))), {
      keep: { last: 3 },
      tags: ["plan:p2", "created-by:unit"],
      // By tags: each database source's snapshots are kept apart from the paths' ones.
      groupBy: "tags",
    });
  });

  it("a dry run is not followed by retention", async () => {
    const { deps, fake, config } = makeDeps();
    const plan = config.get().plans.find((p) => p.id === "p2");
    if (plan)
      plan.retention = {
        $typeName: "v1.RetentionPolicy",
        policy: { case: "policyKeepLastN", value: 1 },
      };
    const done = createOrchestrator(deps).backup("p2", { dryRun: true });
    await settle(20);
    fake.backups[0]?.resolve({ summary: summary(""), errors: [], partial: false });
    await done;
    await settle(40);
    assert.ok(!fake.calls.some((c) => c.startsWith("forget")));
  });

  it("cancelling a finished operation is a conflict naming its status; an unknown one is not found", async () => {
    const { deps, fake } = makeDeps();
    const orch = createOrchestrator(deps);
    const done = orch.backup("p2");
    await settle(20);
    fake.backups[0]?.resolve({ summary: summary(), errors: [], partial: false });
    const op = await done;
    assert.throws(() => orch.cancel(op.id), /is not running \(STATUS_SUCCESS\)/);
    assert.throws(() => orch.cancel(424242n), NotFoundError);
  });

  it("a command line is split into arguments without a shell", async () => {
    const { deps, fake, ops } = makeDeps();
    const op = createOrchestrator(deps).startCommand(
      "r2",
      `ls latest "/my dir" 'a b' c\\ d; rm -rf /`,
    );
    await settle(20);
    const call = fake.calls.find((c) => c.startsWith("command"));
    assert.equal(call, "command /repo/two ls latest /my dir a b c d; rm -rf /");
    const stored = ops.get(op.id);
    assert.deepEqual(stored?.op.case === "operationRunCommand" && stored.op.value.args, [
      "ls",
      "latest",
      "/my dir",
      "a b",
      "c d;",
      "rm",
      "-rf",
      "/",
    ]);
  });
});
