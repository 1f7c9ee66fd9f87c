/**
 * Integration tests against the real restic binary on temporary repositories. One repo is
 * shared by the tests that only add snapshots (init costs about 2.7 s); each test uses its
 * own data directory and tags so results do not depend on test order.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type BackupStatus,
  createRestic,
  ResticCancelledError,
  ResticError,
  type ResticRepo,
} from "../../src/restic/index.js";

const PASSWORD = "correct-horse-7Qx9-battery";
const WRONG_PASSWORD = "wrong-staple-Zk3p-secret";

let root = "";
let repo: ResticRepo;
let baseEnv: Record<string, string>;
const logged: string[] = [];
const restic = () =>
  createRestic({ env: baseEnv, killGraceMs: 5000, log: (line) => logged.push(line) });

/** A fresh directory with `count` files of `size` random bytes each. */
async function makeData(name: string, count: number, size = 1024): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < count; i++) await writeFile(join(dir, `file-${i}.bin`), randomBytes(size));
  return dir;
}

/** Pids of live processes with `arg` in their argv. */
function pidsWithArgSync(arg: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline = "";
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
    } catch {
      continue; // the process exited while we looked
    }
    if (cmdline.split("\0").includes(arg)) pids.push(Number(entry));
  }
  return pids;
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const lockFiles = () => readdir(join(repo.uri, "locks"));

/**
 * True once a lock file is completely written. restic's local backend creates the file,
 * writes it, then makes it read-only; a kill before that leaves a truncated lock that
 * restic ignores, so "a file exists" is not enough.
 */
async function lockWritten(): Promise<boolean> {
  for (const name of await lockFiles()) {
    const info = await stat(join(repo.uri, "locks", name)).catch(() => undefined);
    if (info && info.size > 0 && (info.mode & 0o222) === 0) return true;
  }
  return false;
}

/**
 * Leaves a stale exclusive lock the way a crash does: `restic key passwd` takes an
 * exclusive lock and then blocks reading the new password from stdin, which we keep open,
 * so it can be SIGKILLed while it surely holds the lock.
 */
async function leaveStaleExclusiveLock(): Promise<void> {
  const env = { ...baseEnv, RESTIC_REPOSITORY: repo.uri, RESTIC_PASSWORD: PASSWORD };
  const child: ChildProcess = spawn("restic", ["key", "passwd"], {
    env,
    stdio: ["pipe", "ignore", "ignore"],
  });
  try {
    await waitFor(lockWritten, "restic key passwd to take its lock");
  } finally {
    child.kill("SIGKILL");
    if (child.exitCode === null && child.signalCode === null) await once(child, "exit");
    child.stdin?.destroy();
  }
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), "restwell-restic-test-"));
  baseEnv = {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: root,
    RESTIC_CACHE_DIR: join(root, "cache"),
  };
  repo = { uri: join(root, "repo"), password: PASSWORD };
  await restic().init(repo);
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("restic (real binary)", () => {
  test("version is read and cached", async () => {
    const r = restic();
    const version = await r.version();
    assert.match(version.version, /^\d+\.\d+\.\d+/);
    assert.equal(
      version.version.startsWith(`${version.major}.${version.minor}.${version.patch}`),
      true,
    );
    assert.ok(version.major > 0 || version.minor >= 14, version.version);
    assert.equal(await r.version(), version);
  });

  test("init makes a repo whose id repoId reads; a second init is 'repo-exists'", async () => {
    const id = await restic().repoId(repo);
    assert.match(id, /^[0-9a-f]{64}$/);
    await assert.rejects(
      restic().init(repo),
      (e: unknown) => e instanceof ResticError && e.kind === "repo-exists",
    );
  });

  test("backup reports progress and a summary that counts the new files", async () => {
    const data = await makeData("backup-basic", 7);
    const statuses: BackupStatus[] = [];
    const result = await restic().backup(
      repo,
      { paths: [data], tags: ["test:basic"] },
      { onStatus: (s) => statuses.push(s) },
    );
    assert.ok(statuses.length >= 1, "onStatus was never called");
    assert.equal(result.partial, false);
    assert.deepEqual(result.errors, []);
    assert.equal(result.summary.filesNew, 7);
    assert.equal(result.summary.totalFilesProcessed, 7);
    assert.equal(result.summary.totalBytesProcessed, 7 * 1024);
    assert.match(result.summary.snapshotId, /^[0-9a-f]{8}$/);
  });

  test("snapshots are filtered by tag and mapped", async () => {
    const data = await makeData("backup-tags", 2);
    const r = restic();
    const a = await r.backup(repo, { paths: [data], tags: ["plan:a", "extra"] });
    await r.backup(repo, { paths: [data], tags: ["plan:b"] });
    const onlyA = await r.snapshots(repo, { tags: ["plan:a", "extra"] });
    assert.deepEqual(
      onlyA.map((s) => s.shortId),
      [a.summary.snapshotId],
    );
    const [snap] = onlyA;
    assert.equal(snap?.id.slice(0, 8), snap?.shortId);
    assert.deepEqual(snap?.paths, [data]);
    assert.ok(Math.abs((snap?.unixTimeMs ?? 0) - Date.now()) < 120_000);
    const all = await r.snapshots(repo);
    assert.ok(all.some((s) => s.tags.includes("plan:b")));
    assert.ok(all.length > onlyA.length);
  });

  test("a wrong password is 'wrong-password' and the password appears nowhere", async () => {
    const data = await makeData("backup-wrong-pw", 1);
    logged.length = 0;
    const wrong = { uri: repo.uri, password: WRONG_PASSWORD };
    // The password also goes in a tag so that argv contains it and masking must remove it.
    const call = restic().backup(wrong, { paths: [data], tags: [WRONG_PASSWORD] });
    await assert.rejects(call, (e: unknown) => {
      assert.ok(e instanceof ResticError);
      assert.equal(e.kind, "wrong-password");
      assert.equal(e.exitCode, 1);
      assert.ok(e.args.includes("--tag=***"), e.args.join(" "));
      for (const text of [e.message, e.stderrTail, ...e.args, ...logged]) {
        assert.ok(!text.includes(WRONG_PASSWORD), text);
      }
      return true;
    });
  });

  test("a missing repository is 'repo-not-found'", async () => {
    const missing = { uri: join(root, "no-repo-here"), password: PASSWORD };
    await assert.rejects(
      restic().repoId(missing),
      (e: unknown) => e instanceof ResticError && e.kind === "repo-not-found",
    );
    await assert.rejects(
      restic().snapshots(missing),
      (e: unknown) => e instanceof ResticError && e.kind === "repo-not-found",
    );
  });

  test("a missing source path fails with restic's text, masked", async () => {
    const path = join(root, `missing-${PASSWORD}`);
    await assert.rejects(restic().backup(repo, { paths: [path] }), (e: unknown) => {
      assert.ok(e instanceof ResticError);
      assert.equal(e.kind, "failed");
      assert.equal(e.exitCode, 1);
      assert.match(e.message, /missing-\*\*\* does not exist/);
      assert.match(e.message, /all target directories\/files do not exist/);
      assert.ok(!e.message.includes(PASSWORD) && !e.stderrTail.includes(PASSWORD));
      return true;
    });
  });

  test("an unreadable file gives a partial snapshot with a readable error", async () => {
    const data = await makeData("backup-partial", 2);
    // These tests run as root, which reads mode-000 files, so "unreadable" needs a file
    // whose read fails for root too: /proc/self/mem (restic's own memory) opens, but
    // reading from offset 0 fails with EIO because page 0 is never mapped. Verified to
    // make restic 0.14 exit 3, as root and as an unprivileged user alike.
    const result = await restic().backup(repo, { paths: [data, "/proc/self/mem"] });
    assert.equal(result.partial, true);
    assert.deepEqual(result.errors, [
      {
        item: "/proc/self/mem",
        during: "archival",
        message: "read /proc/self/mem: input/output error",
      },
    ]);
    assert.match(result.summary.snapshotId, /^[0-9a-f]{8}$/);
    // The file restic could not read is not counted as new.
    assert.equal(result.summary.filesNew, 2);
  });

  test("aborting a backup SIGINTs restic: it stops, removes its lock, and the call rejects", async () => {
    const data = await makeData("backup-abort", 4, 4 * 1024 * 1024);
    const controller = new AbortController();
    const reason = new Error("user cancel");
    let runningAtAbort: number[] = [];
    const call = restic().backup(
      repo,
      { paths: [data] },
      {
        signal: controller.signal,
        onStatus: () => {
          if (controller.signal.aborted) return;
          // Synchronous, so restic cannot finish between the scan and the abort.
          runningAtAbort = pidsWithArgSync(data);
          controller.abort(reason);
        },
      },
    );
    await assert.rejects(
      call,
      (e: unknown) => e instanceof ResticCancelledError && e.reason === reason,
    );
    assert.equal(runningAtAbort.length, 1, "restic was not seen running when aborted");
    assert.deepEqual(pidsWithArgSync(data), []);
    // SIGINT (not SIGKILL) lets restic remove its lock; and it stopped before writing a snapshot.
    assert.deepEqual(await lockFiles(), []);
    const snaps = await restic().snapshots(repo);
    assert.equal(snaps.filter((s) => s.paths.includes(data)).length, 0);
  });

  test("a stream backed up with --stdin becomes one file of the snapshot, byte for byte", async () => {
    const content = randomBytes(3 * 1024 * 1024 + 17);
    const input = new PassThrough();
    const call = restic().backup(repo, {
      paths: [],
      tags: ["test:stdin"],
      stdin: { filename: "dump.sql", input },
    });
    // Written in pieces, as a dump tool or an upload would.
    for (let i = 0; i < content.length; i += 256 * 1024) {
      if (!input.write(content.subarray(i, i + 256 * 1024))) await once(input, "drain");
    }
    input.end();
    const result = await call;
    assert.equal(result.summary.totalBytesProcessed, content.length);
    const [snap] = await restic().snapshots(repo, { tags: ["test:stdin"] });
    assert.deepEqual(snap?.paths, ["/dump.sql"]);
    const dumped = restic().dump(repo, result.summary.snapshotId, "/dump.sql");
    const chunks: Buffer[] = [];
    for await (const chunk of dumped.stream) chunks.push(chunk as Buffer);
    await dumped.done;
    assert.ok(Buffer.concat(chunks).equals(content), "the snapshot's file differs from the stream");
  });

  test("a stream that fails before its end stops restic and leaves no snapshot or lock", async () => {
    const input = new PassThrough();
    const call = restic().backup(repo, {
      paths: [],
      tags: ["test:stdin-broken"],
      stdin: { filename: "upload.bin", input },
    });
    input.write(randomBytes(2 * 1024 * 1024));
    await sleep(300);
    input.destroy(new Error("client went away"));
    await assert.rejects(call, (e: unknown) => e instanceof ResticCancelledError);
    assert.deepEqual(await lockFiles(), []);
    assert.deepEqual(await restic().snapshots(repo, { tags: ["test:stdin-broken"] }), []);
  });

  test("an already aborted signal never starts restic", async () => {
    const controller = new AbortController();
    controller.abort("shutdown");
    await assert.rejects(
      restic().snapshots(repo, {}, { signal: controller.signal }),
      (e: unknown) => e instanceof ResticCancelledError && e.reason === "shutdown",
    );
  });

  test("a stale exclusive lock makes backup 'locked' until unlock clears it", async () => {
    const data = await makeData("backup-lock", 1);
    await leaveStaleExclusiveLock();
    const r = restic();
    await assert.rejects(
      r.backup(repo, { paths: [data] }),
      (e: unknown) => e instanceof ResticError && e.kind === "locked",
    );
    await r.unlock(repo);
    assert.deepEqual(await lockFiles(), []);
    const result = await r.backup(repo, { paths: [data] });
    assert.equal(result.summary.filesNew, 1);
  });
});
