/**
 * Integration tests of the repository operations (ls, restore, dump, forget, prune, check,
 * stats, tag, command) against the real restic binary. One repo holds a small tree backed
 * up once; tests that change snapshots scope themselves by their own tags, and the test
 * that corrupts a repository uses a second one.
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { createWriteStream, readdirSync, readFileSync } from "node:fs";
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pipeline } from "node:stream/promises";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  createRestic,
  type LsNode,
  ResticCancelledError,
  ResticError,
  type ResticRepo,
} from "../../src/restic/index.js";

const PASSWORD = "ops-Pw-4rT7-horse-secret";
const NON_ASCII = "Grüße ✓.txt";

let root = "";
let repo: ResticRepo;
let baseEnv: Record<string, string>;
/** The backed-up folder and the snapshot holding it. */
let tree = "";
let treeSnapshot = "";
const restic = () => createRestic({ env: baseEnv, killGraceMs: 5000 });

/** Files of the test tree: path relative to it -> content and mode. */
const FILES: Record<string, { content: Buffer; mode: number }> = {
  [NON_ASCII]: { content: Buffer.from("hallo ✓\n"), mode: 0o640 },
  "run.sh": { content: Buffer.from("#!/bin/sh\necho hi\n"), mode: 0o755 },
  "sub/data.bin": { content: randomBytes(300_000), mode: 0o600 },
  "sub/deeper/note.txt": { content: Buffer.from("deep\n"), mode: 0o644 },
  "big.bin": { content: randomBytes(2 * 1024 * 1024), mode: 0o644 },
};

async function makeTree(dir: string): Promise<void> {
  for (const [rel, file] of Object.entries(FILES)) {
    await mkdir(join(dir, rel, ".."), { recursive: true });
    await writeFile(join(dir, rel), file.content);
    await chmod(join(dir, rel), file.mode);
  }
  await mkdir(join(dir, "empty"));
  await chmod(join(dir, "empty"), 0o750);
  await symlink("sub/data.bin", join(dir, "link"));
}

interface Entry {
  type: "file" | "dir" | "symlink";
  mode: number;
  sha256?: string;
  target?: string;
}

/** Every entry under `dir` by relative path: type, permission bits, content hash or link target. */
async function describeTree(dir: string): Promise<Map<string, Entry>> {
  const entries = new Map<string, Entry>();
  const walk = async (current: string) => {
    for (const name of await readdir(current)) {
      const path = join(current, name);
      const info = await lstat(path);
      const rel = relative(dir, path);
      const mode = info.mode & 0o7777;
      if (info.isSymbolicLink()) {
        entries.set(rel, { type: "symlink", mode: 0, target: await readlink(path) });
      } else if (info.isDirectory()) {
        entries.set(rel, { type: "dir", mode });
        await walk(path);
      } else {
        entries.set(rel, { type: "file", mode, sha256: sha256(await readFile(path)) });
      }
    }
  };
  await walk(dir);
  return entries;
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Pids of restic processes working on `uri` (found by their environment, never by name alone). */
function resticPidsFor(uri: string): number[] {
  const marker = `RESTIC_REPOSITORY=${uri}\0`;
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() !== "restic") continue;
      if (readFileSync(`/proc/${entry}/environ`, "utf8").includes(marker)) pids.push(Number(entry));
    } catch {
      // the process exited while we looked, or is not ours to read
    }
  }
  return pids;
}

/** Reads a whole stream into one buffer. */
async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** Backs up a fresh small folder with `tag`; returns the snapshot's short id. */
async function backupTagged(tag: string): Promise<string> {
  const dir = join(root, `data-${tag.replace(/\W/g, "-")}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "f.txt"), randomBytes(64));
  const { summary } = await restic().backup(repo, { paths: [dir], tags: [tag] });
  return summary.snapshotId;
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), "restic-ops-test-"));
  baseEnv = {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: root,
    RESTIC_CACHE_DIR: join(root, "cache"),
  };
  repo = { uri: join(root, "repo"), password: PASSWORD };
  tree = join(root, "tree");
  await makeTree(tree);
  const r = restic();
  await r.init(repo);
  const { summary } = await r.backup(repo, { paths: [tree], tags: ["ops:tree"] });
  treeSnapshot = summary.snapshotId;
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("ls (real restic)", () => {
  test("streams every node of the tree with types, sizes and modes", async () => {
    const r = restic();
    const nodes: LsNode[] = [];
    const snapshot = await r.ls(repo, treeSnapshot, { onNode: (n) => nodes.push(n) });
    assert.equal(snapshot.shortId, treeSnapshot);
    assert.deepEqual(snapshot.paths, [tree]);
    const inTree = new Map(
      nodes.filter((n) => n.path.startsWith(`${tree}/`)).map((n) => [relative(tree, n.path), n]),
    );
    const expected = [...Object.keys(FILES), "sub", "sub/deeper", "empty", "link"].sort();
    assert.deepEqual([...inTree.keys()].sort(), expected);
    for (const [rel, file] of Object.entries(FILES)) {
      const node = inTree.get(rel);
      assert.equal(node?.type, "file", rel);
      assert.equal(node?.size, file.content.length, rel);
      assert.equal((node?.mode ?? 0) & 0o777, file.mode, rel);
    }
    assert.equal(inTree.get(NON_ASCII)?.name, NON_ASCII);
    assert.equal(inTree.get("empty")?.type, "dir");
    const link = inTree.get("link");
    assert.equal(link?.type, "symlink");
    const { minor, major } = await r.version();
    // 0.14 prints no link target; newer restic does.
    if (major === 0 && minor <= 14) assert.equal(link?.linkTarget, "");
    else assert.equal(link?.linkTarget, "sub/data.bin");
    // The parent folders of the backed-up path are part of the tree.
    assert.ok(nodes.some((n) => n.path === tree && n.type === "dir"));
  });

  test("with a path: the path and its children, or its subtree when recursive", async () => {
    const list = async (recursive: boolean) => {
      const paths: string[] = [];
      await restic().ls(repo, treeSnapshot, {
        path: join(tree, "sub"),
        recursive,
        onNode: (n) => paths.push(relative(tree, n.path)),
      });
      return paths.sort();
    };
    // restic 0.14 lists the folder itself too; older versions did not.
    const withoutSelf = (paths: string[]) => paths.filter((p) => p !== "sub");
    assert.deepEqual(withoutSelf(await list(false)), ["sub/data.bin", "sub/deeper"]);
    assert.deepEqual(withoutSelf(await list(true)), [
      "sub/data.bin",
      "sub/deeper",
      "sub/deeper/note.txt",
    ]);
  });

  test("an onNode that throws stops the listing with its error", async () => {
    let calls = 0;
    const failure = new Error("node sink full");
    await assert.rejects(
      restic().ls(repo, treeSnapshot, {
        onNode: () => {
          calls++;
          throw failure;
        },
      }),
      (e: unknown) => e === failure,
    );
    assert.equal(calls, 1);
    assert.deepEqual(resticPidsFor(repo.uri), []);
  });
});

describe("restore (real restic)", () => {
  test("a whole snapshot reproduces contents, modes, the symlink and the empty folder", async () => {
    const target = join(root, "restore-all");
    const lines: string[] = [];
    const result = await restic().restore(
      repo,
      { snapshotId: treeSnapshot, target },
      { onOutput: (l) => lines.push(l) },
    );
    assert.deepEqual(await describeTree(join(target, tree)), await describeTree(tree));
    assert.ok(
      lines.some((l) => l.includes(`Snapshot ${treeSnapshot}`)),
      lines.join("\n"),
    );
    const { minor, major } = await restic().version();
    if (major === 0 && minor < 16) assert.equal(result.summary, undefined);
  });

  test("--include restores exactly one file", async () => {
    const target = join(root, "restore-one");
    await restic().restore(repo, {
      snapshotId: treeSnapshot,
      target,
      include: [join(tree, NON_ASCII)],
    });
    const restored = await describeTree(join(target, tree));
    assert.deepEqual([...restored.keys()], [NON_ASCII]);
    assert.equal(restored.get(NON_ASCII)?.sha256, sha256(FILES[NON_ASCII]?.content ?? Buffer.of()));
    assert.equal(restored.get(NON_ASCII)?.mode, 0o640);
  });

  test("a missing snapshot fails with ResticError", async () => {
    await assert.rejects(
      restic().restore(repo, { snapshotId: "00000000", target: join(root, "restore-none") }),
      (e: unknown) =>
        e instanceof ResticError && e.kind === "snapshot-not-found" && e.exitCode !== 0,
    );
  });
});

describe("dump (real restic)", () => {
  test("a file's bytes equal the file", async () => {
    const { stream, done } = restic().dump(repo, treeSnapshot, join(tree, "sub/data.bin"));
    const data = await collect(stream);
    await done;
    assert.equal(sha256(data), sha256(FILES["sub/data.bin"]?.content ?? Buffer.of()));
  });

  test("a folder is a tar archive that tar lists and extracts", async () => {
    const archive = join(root, "tree.tar");
    const { stream, done } = restic().dump(repo, treeSnapshot, tree, { archive: "tar" });
    await pipeline(stream, createWriteStream(archive));
    await done;
    const names = execFileSync("tar", ["-tf", archive], { encoding: "utf8" })
      .split("\n")
      .filter((n) => n !== "")
      .map((n) => n.replace(/\/$/, ""));
    for (const rel of [NON_ASCII, "run.sh", "sub/data.bin", "sub/deeper/note.txt", "empty", "link"])
      assert.ok(
        names.some((n) => n === rel || n.endsWith(`/tree/${rel}`)),
        `${rel} not in ${names.join(", ")}`,
      );
    const member = names.find((n) => n.endsWith("sub/data.bin")) ?? "";
    const extracted = execFileSync("tar", ["-xOf", archive, member]);
    assert.equal(sha256(extracted), sha256(FILES["sub/data.bin"]?.content ?? Buffer.of()));
  });

  test("a missing path rejects done with ResticError and errors the stream", async () => {
    const { stream, done } = restic().dump(repo, treeSnapshot, join(tree, "no-such-file"));
    await assert.rejects(collect(stream), (e: unknown) => e instanceof ResticError);
    await assert.rejects(done, (e: unknown) => {
      assert.ok(e instanceof ResticError);
      assert.equal(e.kind, "failed");
      assert.match(e.message, /not found/);
      return true;
    });
  });

  test("destroying the stream early stops restic and rejects done", async () => {
    const { stream, done } = restic().dump(repo, treeSnapshot, join(tree, "big.bin"));
    let runningAtClose: number[] = [];
    stream.once("data", () => {
      runningAtClose = resticPidsFor(repo.uri);
      (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
    });
    await assert.rejects(done, (e: unknown) => e instanceof ResticCancelledError);
    assert.equal(runningAtClose.length, 1, "restic was not seen running at close");
    assert.deepEqual(resticPidsFor(repo.uri), []);
  });
});

describe("stats, tag and command (real restic)", () => {
  test("stats: positive sizes and the repo's snapshot count", async () => {
    const r = restic();
    const count = (await r.snapshots(repo)).length;
    const restoreSize = await r.stats(repo, "restore-size");
    assert.ok(restoreSize.totalSize >= 2 * 1024 * 1024, String(restoreSize.totalSize));
    assert.ok(restoreSize.totalFileCount >= Object.keys(FILES).length);
    assert.equal(restoreSize.snapshotsCount, count);
    const raw = await r.stats(repo, "raw-data");
    assert.ok(raw.totalSize > 0 && raw.totalBlobCount > 0, JSON.stringify(raw));
    assert.equal(raw.snapshotsCount, count);
  });

  test("tag adds and removes a tag", async () => {
    const r = restic();
    const id = await backupTagged("ops:tag");
    await r.tag(repo, [id], { add: ["ops:added", "ops:second"] });
    const [tagged, ...more] = await r.snapshots(repo, { tags: ["ops:added"] });
    assert.deepEqual(more, []);
    assert.deepEqual(tagged?.tags.sort(), ["ops:added", "ops:second", "ops:tag"]);
    // restic saved the retagged snapshot under a new id.
    await r.tag(repo, [tagged?.id ?? ""], { remove: ["ops:added"] });
    assert.deepEqual(await r.snapshots(repo, { tags: ["ops:added"] }), []);
    const [untagged] = await r.snapshots(repo, { tags: ["ops:tag"] });
    assert.deepEqual(untagged?.tags.sort(), ["ops:second", "ops:tag"]);
  });

  test("tag refuses a tag with a comma and does nothing without ids", async () => {
    const notStarted = createRestic({ command: join(root, "no-such-restic"), env: baseEnv });
    await notStarted.tag(repo, [], { add: ["x"] });
    await assert.rejects(
      restic().tag(repo, ["abc"], { add: ["a,b"] }),
      (e: unknown) => e instanceof ResticError && /comma/.test(e.message),
    );
  });

  test("command runs restic with the repo and resolves with the exit code", async () => {
    const r = restic();
    const lines: string[] = [];
    const { exitCode } = await r.command(repo, ["snapshots", "--json"], {
      onOutput: (l) => lines.push(l),
    });
    assert.equal(exitCode, 0);
    const listed: unknown = JSON.parse(lines.join("\n"));
    assert.ok(Array.isArray(listed));
    assert.equal(listed.length, (await r.snapshots(repo)).length);
    const failing = await r.command(repo, ["cat", "blob", "0".repeat(64)], {
      onOutput: (l) => lines.push(l),
    });
    assert.notEqual(failing.exitCode, 0);
  });

  test("command refuses to switch the repository or password", async () => {
    const other = join(root, "other-repo");
    for (const args of [
      ["-r", other, "init"],
      ["init", `--repo=${other}`],
      ["snapshots", "--password-command", "echo x"],
    ]) {
      await assert.rejects(restic().command(repo, args), (e: unknown) => {
        assert.ok(e instanceof ResticError);
        assert.equal(e.kind, "failed");
        assert.equal(e.exitCode, undefined);
        assert.match(e.message, /may not use (-r|--repo|--password-command)/);
        return true;
      });
    }
    await assert.rejects(stat(other), { code: "ENOENT" });
  });
});

describe("forget (real restic)", () => {
  test("keep last 1 within a tag removes the older snapshots and reports them", async () => {
    const tag = "ops:forget";
    const ids = [await backupTagged(tag), await backupTagged(tag), await backupTagged(tag)];
    const r = restic();
    const groups = await r.forget(repo, { keep: { last: 1 }, tags: [tag] });
    assert.equal(groups.length, 1);
    assert.deepEqual(
      groups[0]?.keep.map((s) => s.shortId),
      [ids[2]],
    );
    assert.deepEqual(groups[0]?.remove.map((s) => s.shortId).sort(), [ids[0], ids[1]].sort());
    assert.deepEqual(
      (await r.snapshots(repo, { tags: [tag] })).map((s) => s.shortId),
      [ids[2]],
    );
    // Snapshots outside the tag are untouched.
    assert.equal((await r.snapshots(repo, { tags: ["ops:tree"] })).length, 1);
  });

  test("forget by id removes that snapshot", async () => {
    const tag = "ops:forget-id";
    const id = await backupTagged(tag);
    const r = restic();
    assert.deepEqual(await r.forget(repo, { snapshotIds: [id] }), []);
    assert.deepEqual(await r.snapshots(repo, { tags: [tag] }), []);
  });

  test("a policy without a keep rule does not run restic", async () => {
    const notStarted = createRestic({ command: join(root, "no-such-restic"), env: baseEnv });
    assert.deepEqual(await notStarted.forget(repo, { keep: { last: 0 }, tags: ["ops:tree"] }), []);
  });
});

describe("prune and check (real restic)", () => {
  test("prune streams its output lines and resolves with them", async () => {
    const lines: string[] = [];
    const output = await restic().prune(
      repo,
      { maxUnused: "0" },
      { onOutput: (l) => lines.push(l) },
    );
    assert.ok(lines.length > 3, lines.join("\n"));
    assert.equal(output, lines.join("\n"));
    assert.ok(!output.includes(PASSWORD));
  });

  test("check streams its output and finds no errors", async () => {
    const lines: string[] = [];
    const output = await restic().check(
      repo,
      { readDataSubset: "100%" },
      { onOutput: (l) => lines.push(l) },
    );
    assert.ok(lines.some((l) => /no errors were found/.test(l)));
    assert.match(output, /no errors were found/);
  });

  test("a repo locked exclusively makes prune and check 'locked'", async () => {
    const holder = await holdExclusiveLock();
    try {
      const r = restic();
      await assert.rejects(
        r.prune(repo, {}),
        (e: unknown) => e instanceof ResticError && e.kind === "locked",
      );
      await assert.rejects(
        r.check(repo, {}),
        (e: unknown) => e instanceof ResticError && e.kind === "locked",
      );
    } finally {
      await releaseLock(holder);
    }
    await restic().check(repo, {});
  });

  test("check on a repo with a corrupted pack fails as 'failed' and says so", async () => {
    const broken: ResticRepo = { uri: join(root, "repo-broken"), password: PASSWORD };
    const r = restic();
    await r.init(broken);
    const data = join(root, "data-broken");
    await mkdir(data);
    await writeFile(join(data, "f.bin"), randomBytes(200_000));
    await r.backup(broken, { paths: [data] });
    await flipBytesInLargestPack(broken.uri);
    await assert.rejects(r.check(broken, { readDataSubset: "100%" }), (e: unknown) => {
      assert.ok(e instanceof ResticError);
      assert.equal(e.kind, "failed");
      assert.equal(e.exitCode, 1);
      assert.match(e.message, /found errors in the repository; see the check's log/);
      return true;
    });
  });
});

describe("cancelling (real restic)", () => {
  test("aborting a restore rejects with ResticCancelledError and leaves no restic running", async () => {
    const controller = new AbortController();
    const reason = new Error("user cancel");
    let runningAtAbort: number[] = [];
    const call = restic().restore(
      repo,
      { snapshotId: treeSnapshot, target: join(root, "restore-cancelled") },
      {
        signal: controller.signal,
        onOutput: () => {
          if (controller.signal.aborted) return;
          runningAtAbort = resticPidsFor(repo.uri);
          controller.abort(reason);
        },
      },
    );
    await assert.rejects(
      call,
      (e: unknown) => e instanceof ResticCancelledError && e.reason === reason,
    );
    assert.equal(runningAtAbort.length, 1, "restic was not seen running when aborted");
    assert.deepEqual(resticPidsFor(repo.uri), []);
  });

  test("aborting a prune rejects, leaves no restic running and no lock", async () => {
    const controller = new AbortController();
    let runningAtAbort: number[] = [];
    const call = restic().prune(
      repo,
      {},
      {
        signal: controller.signal,
        onOutput: () => {
          if (controller.signal.aborted) return;
          runningAtAbort = resticPidsFor(repo.uri);
          controller.abort("shutdown");
        },
      },
    );
    await assert.rejects(
      call,
      (e: unknown) => e instanceof ResticCancelledError && e.reason === "shutdown",
    );
    assert.equal(runningAtAbort.length, 1, "restic was not seen running when aborted");
    assert.deepEqual(resticPidsFor(repo.uri), []);
    // SIGINT lets restic remove its exclusive lock.
    assert.deepEqual(await readdir(join(repo.uri, "locks")), []);
  });
});

/**
 * Starts `restic key passwd`, which takes an exclusive lock and then waits for the new
 * password on stdin (kept open), and resolves once the lock file is completely written.
 */
async function holdExclusiveLock(): Promise<ChildProcess> {
  const env = { ...baseEnv, RESTIC_REPOSITORY: repo.uri, RESTIC_PASSWORD: PASSWORD };
  const child = spawn("restic", ["key", "passwd"], { env, stdio: ["pipe", "ignore", "ignore"] });
  const deadline = Date.now() + 15_000;
  while (!(await lockWritten())) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill("SIGKILL");
      throw new Error("restic key passwd did not take its lock");
    }
    await sleep(20);
  }
  return child;
}

/** Ends the lock holder with SIGINT, which makes restic remove its lock before exiting. */
async function releaseLock(child: ChildProcess): Promise<void> {
  const exited = child.exitCode === null ? once(child, "exit") : Promise.resolve();
  child.kill("SIGINT");
  await exited;
  child.stdin?.destroy();
  // Should SIGINT not have cleaned up, the lock of our own dead process is stale: unlock it.
  if ((await readdir(join(repo.uri, "locks"))).length > 0) await restic().unlock(repo);
}

// restic writes a lock file, then makes it read-only: only then is it a lock others respect.
async function lockWritten(): Promise<boolean> {
  for (const name of await readdir(join(repo.uri, "locks"))) {
    const info = await stat(join(repo.uri, "locks", name)).catch(() => undefined);
    if (info && info.size > 0 && (info.mode & 0o222) === 0) return true;
  }
  return false;
}

/** Flips 64 bytes in the middle of the repo's largest data pack. */
async function flipBytesInLargestPack(uri: string): Promise<void> {
  const packs: { path: string; size: number }[] = [];
  for (const dir of await readdir(join(uri, "data"))) {
    for (const name of await readdir(join(uri, "data", dir))) {
      const path = join(uri, "data", dir, name);
      packs.push({ path, size: (await stat(path)).size });
    }
  }
  const largest = packs.sort((a, b) => b.size - a.size)[0];
  assert.ok(largest, "the repo has no data pack");
  const bytes = await readFile(largest.path);
  const middle = Math.floor(bytes.length / 2);
  for (let i = middle; i < middle + 64; i++) bytes[i] = (bytes[i] ?? 0) ^ 0xff;
  await chmod(largest.path, 0o600);
  await writeFile(largest.path, bytes);
}
