/**
 * Password rotation's order and failure handling, with a fake key store at the restic seam.
 * (test/e2e/rotate-password.test.ts runs it against the real restic, including crashes.)
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clone, toJsonString } from "@bufbuild/protobuf";
import { ConfigSchema } from "../../gen/v1/config_pb.js";
import { OperationSchema, OperationStatus } from "../../gen/v1/operations_pb.js";
import { NotFoundError, UnavailableError, ValidationError } from "../../src/errors.js";
import { OperationFailedError } from "../../src/orchestrator/errors.js";
import type { FaultPoint } from "../../src/orchestrator/faults.js";
import { createOrchestrator } from "../../src/orchestrator/orchestrator.js";
import { ResticError } from "../../src/restic/errors.js";
import type { ResticKeys, ResticRepo } from "../../src/restic/types.js";
import { makeDeps, settle, summary } from "./fakes.js";

/** A repository's keys in memory: each key is opened by one password. */
function createFakeKeys(initialPassword: string) {
  const keys = new Map<string, string>([["0000aaaa", initialPassword]]);
  const calls: string[] = [];
  let next = 0;
  /** Makes key list ignore the password it is given (as RESTIC_PASSWORD_FILE would). */
  let forcedPassword: string | undefined;
  const opening = (repo: ResticRepo) => {
    const password = forcedPassword ?? repo.password;
    const id = [...keys].find(([, pw]) => pw === password)?.[0];
    if (!id)
      throw new ResticError({
        kind: "wrong-password",
        message: "wrong password",
        exitCode: 1,
        args: [],
        stderrTail: "",
      });
    return id;
  };
  const who = (repo: ResticRepo) => (repo.password === initialPassword ? "old" : "new");
  const fake: ResticKeys = {
    async keyList(repo) {
      calls.push(`list(${who(repo)})`);
      const current = opening(repo);
      return [...keys.keys()].map((id) => ({
        id,
        current: id === current,
        userName: "u",
        hostName: "h",
        created: "",
      }));
    },
    async keyAdd(repo, newPassword) {
      calls.push(`add(${who(repo)})`);
      opening(repo);
      keys.set(`1111bb${String(next++).padStart(2, "0")}`, newPassword);
    },
    async keyRemove(repo, id) {
      calls.push(`remove(${id}, ${who(repo)})`);
      if (opening(repo) === id) throw new Error("refusing to remove the key in use");
      keys.delete(id);
    },
  };
  return {
    fake,
    calls,
    keys,
    opens: (password: string) => [...keys.values()].includes(password),
    forcePassword(password: string) {
      forcedPassword = password;
    },
  };
}

function setup() {
  const made = makeDeps();
  const oldPassword = made.config.get().repos[0]?.password ?? "";
  const keys = createFakeKeys(oldPassword);
  const passwordOf = () => made.config.get().repos.find((r) => r.id === "r1")?.password ?? "";
  return { ...made, keys, oldPassword, passwordOf };
}

describe("password rotation", () => {
  it("adds a key, checks it, saves the config, then removes the old key with the new password", async () => {
    const s = setup();
    const orch = createOrchestrator(s.deps, { keys: s.keys.fake });
    const saved = await orch.rotateRepoPassword("r1");
    const password = s.passwordOf();
    assert.match(password, /^[A-Za-z0-9_-]{43}$/, "32 random bytes, base64url");
    assert.notEqual(password, s.oldPassword);
    assert.equal(saved.repos.find((r) => r.id === "r1")?.password, password);
    assert.deepEqual(s.keys.calls, ["list(old)", "add(old)", "list(new)", "remove(0000aaaa, new)"]);
    assert.deepEqual([...s.keys.keys.values()], [password], "only the new key is left");
    assert.equal(s.config.get().repos[1]?.password, "pw", "other repos are untouched");

    const [op] = s.ops.query({ selector: { repoId: "r1" } });
    assert.ok(op);
    assert.equal(op.status, OperationStatus.STATUS_SUCCESS);
    assert.equal(op.op.case, "operationRunCommand");
    assert.deepEqual(op.op.case === "operationRunCommand" && op.op.value.args, ["key", "passwd"]);
    assert.match(op.displayMessage, /key 0000aaaa replaced by key 1111bb00/);
    const log = (s.deps.logs as unknown as { logs: Map<string, string> }).logs.get(op.logref);
    assert.match(
      log ?? "",
      /added a new key[\s\S]*saved the new password[\s\S]*removed the old key/,
    );
    assert.ok(!log?.includes(password), "the log never shows the new password");
    assert.ok(!toJsonString(OperationSchema, op).includes(password));
  });

  it("keeps a password in the config that opens the repository at every fault point", async () => {
    const s = setup();
    const seen: string[] = [];
    const faults = async (point: FaultPoint) => {
      const password = s.passwordOf();
      seen.push(`${point}:${password === s.oldPassword ? "old" : "new"}`);
      assert.ok(s.keys.opens(password), `at ${point} the config's password opens a key`);
      assert.ok(s.keys.opens(s.oldPassword), `at ${point} the old key is still there`);
    };
    await createOrchestrator(s.deps, { keys: s.keys.fake, faults }).rotateRepoPassword("r1");
    assert.deepEqual(seen, [
      "rotate:key-added:old",
      "rotate:verified:old",
      "rotate:config-saved:new",
    ]);
  });

  it("when the new password does not open the new key, leaves the config alone and removes the new key", async () => {
    const s = setup();
    s.keys.forcePassword(s.oldPassword);
    const err = await createOrchestrator(s.deps, { keys: s.keys.fake })
      .rotateRepoPassword("r1")
      .catch((e: unknown) => e);
    assert.ok(err instanceof OperationFailedError, String(err));
    assert.equal(err.operation.status, OperationStatus.STATUS_ERROR);
    assert.match(err.operation.displayMessage, /did not open the new key/);
    assert.equal(s.passwordOf(), s.oldPassword);
    assert.deepEqual([...s.keys.keys.keys()], ["0000aaaa"], "the unused key was removed again");
    assert.equal(s.keys.calls.at(-1), "remove(1111bb00, old)");
  });

  it("refuses to save over a password that changed meanwhile, and removes the new key", async () => {
    const s = setup();
    const faults = async (point: FaultPoint) => {
      if (point !== "rotate:verified") return;
      const cfg = clone(ConfigSchema, s.config.get());
      const repo = cfg.repos.find((r) => r.id === "r1");
      if (repo) repo.password = "set-by-someone-else";
      s.config.update(cfg);
    };
    const err = await createOrchestrator(s.deps, { keys: s.keys.fake, faults })
      .rotateRepoPassword("r1")
      .catch((e: unknown) => e);
    assert.ok(err instanceof OperationFailedError, String(err));
    assert.match(err.operation.displayMessage, /was changed while its password was being rotated/);
    assert.equal(s.passwordOf(), "set-by-someone-else");
    assert.deepEqual([...s.keys.keys.keys()], ["0000aaaa"]);
  });

  it("refuses, before recording anything, a repo whose password is not kept in the config", async () => {
    const s = setup();
    const cfg = clone(ConfigSchema, s.config.get());
    const repo = cfg.repos[0];
    assert.ok(repo);
    repo.env = ["RESTIC_PASSWORD_FILE=/etc/pw"];
    repo.flags = ["--password-command=pass show x"];
    s.config.update(cfg);
    const orch = createOrchestrator(s.deps, { keys: s.keys.fake });
    await assert.rejects(orch.rotateRepoPassword("r1"), (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      assert.deepEqual(
        err.issues.map((i) => i.path),
        ["repos[0].env", "repos[0].flags"],
      );
      return true;
    });
    await assert.rejects(orch.rotateRepoPassword("nope"), NotFoundError);
    await assert.rejects(createOrchestrator(s.deps).rotateRepoPassword("r2"), UnavailableError);
    assert.deepEqual(s.ops.query(), []);
    assert.deepEqual(s.keys.calls, []);
  });

  it("waits for the repo's running backup before touching its keys", async () => {
    const s = setup();
    const orch = createOrchestrator(s.deps, { keys: s.keys.fake });
    const backup = orch.backup("p1");
    await settle(20);
    const rotation = orch.rotateRepoPassword("r1");
    await settle(20);
    assert.equal(s.fake.backups.length, 1);
    assert.deepEqual(s.keys.calls, [], "no key command while the backup runs");
    s.fake.backups[0]?.resolve({ summary: summary(), errors: [], partial: false });
    await backup;
    await rotation;
    assert.equal(s.keys.calls.length, 4);
  });
});
