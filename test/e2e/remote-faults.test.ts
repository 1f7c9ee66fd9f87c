/**
 * Faults of remote backends, through the daemon: a backend killed in the middle of a backup,
 * one that stops answering, and one that refuses the password. Each time the operation ends
 * with a clear error (operations have a time limit, set short here), the repository still
 * passes `restic check`, and the next backup succeeds once the backend is back.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { resticAt, startRestBackend, startSftpBackend } from "../helpers/backends.js";
import { startTestDaemon } from "../helpers/daemon.js";
import { TEST_PASSWORD } from "../helpers/data.js";
import { callJson, type OpJson, runAndWait, waitFor } from "../helpers/http.js";
import { tempDir } from "../helpers/temp.js";

/** The operation time limit of this file's daemon, in seconds. */
const LIMIT_SECONDS = 15;
/** Each test stops by itself even if an operation hangs (that is, if the time limit broke). */
const TEST_TIMEOUT = { timeout: 180_000 };
/** rclone's bandwidth limit (bytes/s): each backup below uploads 24 MiB in about 3 s. */
const BWLIMIT = "8M";
/** Size of the random (incompressible, never deduplicated) data each backup adds. */
const NEW_DATA_BYTES = 24 << 20;

/** A folder with one random file; addData() adds new data for the next backup. */
function makeBigSource(): string {
  const dir = join(tempDir(), "big");
  mkdirSync(dir);
  addData(dir);
  return dir;
}

function addData(dir: string): void {
  writeFileSync(join(dir, `blob-${Date.now()}.bin`), randomBytes(NEW_DATA_BYTES));
}

/** Number of pack files the backend has received so far. */
function packCount(repoDir: string): number {
  const data = join(repoDir, "data");
  if (!existsSync(data)) return 0;
  // rclone keeps packs in data/<first two hex digits>/; it creates each file as its upload starts.
  return readdirSync(data).reduce((n, sub) => n + readdirSync(join(data, sub)).length, 0);
}

interface ErrorJson {
  code: string;
  message: string;
}

describe("remote backend faults", async () => {
  const source = makeBigSource();
  const killed = await startRestBackend({ bwlimit: BWLIMIT });
  const stalled = await startRestBackend({ bwlimit: BWLIMIT });
  const guarded = await startRestBackend({ user: "alice", pass: "rclone-secret" });
  const sftp = await startSftpBackend();
  const repo = (id: string, uri: string, extra: object = {}) => ({
    id,
    uri,
    password: TEST_PASSWORD,
    autoInitialize: true,
    ...extra,
  });
  const daemon = await startTestDaemon({
    version: 4,
    instance: "faults-test",
    repos: [
      repo("killed", killed.uri),
      repo("stalled", stalled.uri),
      repo("guarded", guarded.uri),
      // The wrong repository password for the guarded repository.
      { id: "guarded-wrongpw", uri: guarded.uri, password: "not-the-repo-password" },
    ],
    plans: [
      { id: "killed-plan", repo: "killed", paths: [source] },
      { id: "stalled-plan", repo: "stalled", paths: [source] },
      { id: "guarded-plan", repo: "guarded", paths: ["/etc/hostname"] },
      { id: "guarded-wrongpw-plan", repo: "guarded-wrongpw", paths: ["/etc/hostname"] },
    ],
    settings: { operationTimeoutSeconds: LIMIT_SECONDS },
    auth: { disabled: true },
  });
  const url = daemon.url;

  const backup = async (planId: string) => callJson(url, "v1.Backrest/Backup", { value: planId });
  const backupOk = async (planId: string) => {
    const res = await backup(planId);
    assert.equal(res.status, 200, res.text);
    assert.equal((res.body as OpJson).status, "STATUS_SUCCESS");
  };
  /** The plan's most recent backup operation as recorded. */
  const lastBackup = async (planId: string): Promise<OpJson> => {
    const res = await callJson(url, "v1.Backrest/GetOperations", { selector: { planId } });
    const ops = (res.body as { operations: OpJson[] }).operations.filter((o) => o.operationBackup);
    return ops.at(-1) as OpJson;
  };
  /**
   * Starts a backup and resolves once the backend is receiving its data, with the backup's
   * response still to come (wrapped: a returned promise would be awaited along).
   */
  const backupUnderway = async (planId: string, repoDir: string) => {
    const before = packCount(repoDir);
    const response = backup(planId);
    await waitFor(async () => packCount(repoDir) > before, 60_000, "the backup to upload data");
    return { response };
  };
  /** Checks with DoRepoTask CHECK, then with restic itself. */
  const assertIntact = async (repoId: string, target: { uri: string; flags?: string[] }) => {
    const op = await runAndWait(url, "v1.Backrest/DoRepoTask", { repoId, task: "TASK_CHECK" });
    assert.equal(op.status, "STATUS_SUCCESS", op.displayMessage);
    const check = await resticAt(target, ["check"], TEST_PASSWORD);
    assert.equal(check.exitCode, 0, check.stderr);
    assert.match(check.stdout, /no errors were found/);
    const locks = await resticAt(target, ["list", "locks", "--no-lock"], TEST_PASSWORD);
    assert.equal(locks.stdout.trim(), "", "no lock is left behind");
  };

  it(
    "a backend killed in the middle of a backup: a clear error, an intact repository, and the next backup succeeds",
    TEST_TIMEOUT,
    async () => {
      await backupOk("killed-plan"); // initializes the repository and uploads a first snapshot
      addData(source);
      const { response } = await backupUnderway("killed-plan", killed.dir);
      await killed.kill();
      const res = await response;
      assert.notEqual(res.status, 200, "the backup must not succeed");
      const op = await lastBackup("killed-plan");
      assert.equal(op.status, "STATUS_ERROR");
      assert.equal(op.displayMessage, (res.body as ErrorJson).message);
      // What failed (restic could not connect) and what to do.
      assert.match(op.displayMessage ?? "", /connection refused/);
      assert.match(op.displayMessage ?? "", /check that (it|the server)[^;]* is (up|running)/);
      assert.doesNotMatch(op.displayMessage ?? "", /cancel/i);

      // While the backend is down, a backup fails at once and says why.
      const down = await backup("killed-plan");
      assert.match(
        (down.body as ErrorJson).message,
        /could not reach the repository's backend \(.*connection refused\); check that the server/,
      );

      await killed.restart();
      assert.ok(
        readdirSync(join(killed.dir, "locks")).length > 0,
        "the killed backup could not remove its lock",
      );
      // The daemon removes the stale lock it left behind before the next operation.
      await assertIntact("killed", killed);
      await backupOk("killed-plan");
      await assertIntact("killed", killed);
    },
  );

  it(
    "a backend that stops answering: the backup times out within the limit, and works once the backend answers again",
    TEST_TIMEOUT,
    async () => {
      await backupOk("stalled-plan");
      addData(source);
      const { response } = await backupUnderway("stalled-plan", stalled.dir);
      stalled.pause();
      let res: Awaited<typeof response>;
      try {
        res = await response;
      } finally {
        stalled.resume();
      }
      const err = res.body as ErrorJson;
      assert.equal(err.code, "unavailable", res.text);
      assert.match(err.message, new RegExp(`^timed out after ${LIMIT_SECONDS} s and was stopped`));
      assert.match(
        err.message,
        /backend did not answer in time: check that it is up and reachable/,
      );
      const op = await lastBackup("stalled-plan");
      assert.equal(op.status, "STATUS_ERROR");
      assert.equal(op.displayMessage, err.message);

      await backupOk("stalled-plan");
      await assertIntact("stalled", stalled);
    },
  );

  it(
    "a repository password the backend's repository refuses: a clear error naming the password",
    TEST_TIMEOUT,
    async () => {
      await backupOk("guarded-plan");
      const res = await backup("guarded-wrongpw-plan");
      const err = res.body as ErrorJson;
      assert.equal(err.code, "failed_precondition", res.text);
      assert.match(err.message, /wrong password or no key found; check the repo's password/);
      assert.ok(!res.text.includes("not-the-repo-password"), "the password is never echoed");
      assert.equal((await lastBackup("guarded-wrongpw-plan")).status, "STATUS_ERROR");
      await backupOk("guarded-plan");
      await assertIntact("guarded", guarded);
    },
  );

  it(
    "server credentials the backend refuses (HTTP 401, ssh key): a clear error naming the credentials",
    TEST_TIMEOUT,
    async () => {
      const http = await callJson(url, "v1.Backrest/AddRepo", {
        repo: repo("guarded-badauth", guarded.uriWith("alice", "wrong-http-pass")),
      });
      assert.notEqual(http.status, 200);
      const httpErr = http.body as ErrorJson;
      assert.match(httpErr.message, /backend refused restic's credentials \(.*401 Unauthorized\)/);
      assert.match(httpErr.message, /check the user name and password/);
      assert.ok(!http.text.includes("wrong-http-pass"), "the server password is never echoed");

      const ssh = await callJson(url, "v1.Backrest/AddRepo", {
        repo: repo("sftp-stranger", sftp.uri, { flags: sftp.strangerFlags }),
      });
      assert.notEqual(ssh.status, 200);
      // restic 0.14 may exit before it relays ssh's complaint: then it says what to try with ssh.
      assert.match(
        (ssh.body as ErrorJson).message,
        /backend refused restic's credentials \(ssh: .*Permission denied \(publickey\)|could not start an sftp session with the repository's server .*check that ssh can log in/,
      );
      // Neither repository was added; the right key still works.
      const cfg = (await callJson(url, "v1.Backrest/GetConfig", {})).body as {
        repos: { id: string }[];
      };
      assert.ok(!cfg.repos.some((r) => r.id === "guarded-badauth" || r.id === "sftp-stranger"));
      const ok = await callJson(url, "v1.Backrest/AddRepo", {
        repo: repo("sftp-ok", sftp.uri, { flags: sftp.flags }),
      });
      assert.equal(ok.status, 200, ok.text);
    },
  );
});
