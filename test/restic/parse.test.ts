/**
 * Parser, mapper and error-mapping tests over output captured from real restic 0.14 runs
 * (/work/shared/fixtures/restic-0.14), plus synthetic newer-restic errors.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import type { BackupStatus, LsNode, RestoreProgress } from "../../src/restic/index.js";
import {
  backupArgs,
  checkArgs,
  checkFailure,
  classifyFailure,
  collectSecrets,
  createBackupCollector,
  createLineSplitter,
  createLsReader,
  createRestoreCollector,
  createTextOutput,
  describeGoError,
  escapeIncludePattern,
  forgetArgs,
  lsArgs,
  maskSecrets,
  parseExitError,
  parseForgetOutput,
  parseJsonObject,
  parseRepoId,
  parseResticTime,
  parseResticVersion,
  parseSnapshots,
  parseStats,
  pruneArgs,
  ResticError,
  repoOverridingArg,
  resticErrorFor,
  restoreArgs,
  tagArgs,
  versionAtLeast,
} from "../../src/restic/index.js";

const FIXTURES = resolve(import.meta.dirname, "../../../shared/fixtures/restic-0.14");

function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), "utf8");
}

function exitCodeOf(name: string): number {
  return Number(fixture(`${name}.exitcode`).trim());
}

/** Replays a captured run through a backup collector, as run.ts would feed it. */
function replayBackup(name: string) {
  const statuses: BackupStatus[] = [];
  const collector = createBackupCollector((s) => statuses.push(s));
  for (const line of fixture(`${name}.jsonl`).split("\n")) collector.onStdoutLine(line);
  for (const line of fixture(`${name}.stderr`).split("\n")) collector.onStderrLine(line);
  return { collector, statuses };
}

/** The ResticError a failed captured run maps to. */
function errorFor(name: string, subcommand = "backup"): ResticError {
  return resticErrorFor({
    subcommand,
    command: "restic",
    args: [subcommand],
    exitCode: exitCodeOf(name),
    stderr: fixture(`${name}.stderr`),
  });
}

describe("version", () => {
  test("parses restic 0.14's version line", () => {
    assert.deepEqual(parseResticVersion(fixture("version.txt")), {
      version: "0.14.0",
      major: 0,
      minor: 14,
      patch: 0,
    });
  });

  test("keeps a dev build's suffix and rejects other text", () => {
    assert.equal(
      parseResticVersion("restic 0.16.0-dev (compiled manually)")?.version,
      "0.16.0-dev",
    );
    assert.equal(parseResticVersion("rustic 0.5.0"), undefined);
  });

  test("versionAtLeast compares numerically", () => {
    const v = parseResticVersion("restic 0.14.0 compiled with go1.19.8 on linux/amd64");
    assert.ok(v);
    assert.equal(versionAtLeast(v, 0, 14), true);
    assert.equal(versionAtLeast(v, 0, 9, 3), true);
    assert.equal(versionAtLeast(v, 0, 17), false);
    assert.equal(versionAtLeast(v, 1, 0), false);
  });
});

describe("backup output", () => {
  test("first backup: status and summary are mapped to camelCase", () => {
    const { collector, statuses } = replayBackup("backup");
    // Absent, not 0: restic 0.14 sends no estimate.
    assert.equal(statuses[0] !== undefined && "secondsRemaining" in statuses[0], false);
    assert.deepEqual(statuses, [
      {
        percentDone: 0,
        totalFiles: 1,
        filesDone: 0,
        totalBytes: 30000000,
        bytesDone: 0,
        currentFiles: [],
        secondsElapsed: 0,
      },
    ]);
    assert.deepEqual(collector.summary, {
      filesNew: 202,
      filesChanged: 0,
      filesUnmodified: 0,
      dirsNew: 3,
      dirsChanged: 0,
      dirsUnmodified: 0,
      dataBlobs: 222,
      treeBlobs: 4,
      dataAdded: 30073997,
      totalFilesProcessed: 202,
      totalBytesProcessed: 30001699,
      totalDuration: 0.363113531,
      snapshotId: "3abd1cd2",
    });
    assert.deepEqual(collector.errors, []);
  });

  test("incremental backup: changed and unmodified counts", () => {
    const { summary } = replayBackup("backup-incremental").collector;
    assert.equal(summary?.filesChanged, 2);
    assert.equal(summary?.filesUnmodified, 200);
    assert.equal(summary?.snapshotId, "6e0f3cb9");
  });

  test("partial backup: the stderr error line becomes a readable file error", () => {
    assert.equal(exitCodeOf("backup-partial"), 3);
    const { collector } = replayBackup("backup-partial");
    assert.deepEqual(collector.errors, [
      {
        item: "/srv/example/data/unreadable.txt",
        during: "archival",
        message: "open /srv/example/data/unreadable.txt: permission denied",
      },
    ]);
    assert.equal(collector.summary?.snapshotId, "92f73be4");
  });

  test("secondsRemaining appears only when restic sends seconds_remaining", () => {
    const statuses: BackupStatus[] = [];
    const collector = createBackupCollector((s) => statuses.push(s));
    collector.onStdoutLine(
      '{"message_type":"status","seconds_elapsed":4,"seconds_remaining":6,"percent_done":0.4,"error_count":0}',
    );
    assert.equal(statuses[0]?.secondsRemaining, 6);
    assert.equal(statuses[0]?.secondsElapsed, 4);
  });

  test("text, malformed JSON and unknown message types are ignored", () => {
    const statuses: BackupStatus[] = [];
    const collector = createBackupCollector((s) => statuses.push(s));
    for (const line of [
      "Warning: at least one source file could not be read",
      '{"message_type":"status",',
      '["not","an","object"]',
      '{"message_type":"verbose_status","action":"new","item":"/a"}',
      '{"message_type":"something_new","x":1}',
    ]) {
      collector.onStdoutLine(line);
      collector.onStderrLine(line);
    }
    assert.deepEqual(statuses, []);
    assert.equal(collector.summary, undefined);
    assert.deepEqual(collector.errors, []);
  });

  test("a throwing onStatus is reported, not propagated", () => {
    const reported: unknown[] = [];
    const collector = createBackupCollector(
      () => {
        throw new Error("display bug");
      },
      (e) => reported.push(e),
    );
    collector.onStdoutLine('{"message_type":"status","percent_done":0.5}');
    assert.equal(reported.length, 1);
  });

  test("describeGoError covers newer restic and odd shapes", () => {
    assert.equal(
      describeGoError({ message: "read /x: input/output error" }),
      "read /x: input/output error",
    );
    assert.equal(
      describeGoError({ Op: "read", Path: "/proc/self/mem", Err: 5 }),
      "read /proc/self/mem: input/output error",
    );
    assert.equal(describeGoError({ Op: "lstat", Path: "/x", Err: 999 }), "lstat /x: errno 999");
    assert.equal(describeGoError({ Syscall: "getxattr", Err: 61 }), "getxattr: no data available");
    assert.equal(describeGoError({}), "");
    assert.equal(describeGoError("plain"), "plain");
  });

  test("backupArgs puts options before -- and paths after it", () => {
    assert.deepEqual(
      backupArgs({
        paths: ["-odd", "/data"],
        tags: ["plan:p1"],
        excludes: ["*.tmp"],
        iexcludes: ["*.ISO"],
        dryRun: true,
        flags: ["--one-file-system"],
      }),
      [
        "backup",
        "--json",
        "--tag=plan:p1",
        "--exclude=*.tmp",
        "--iexclude=*.ISO",
        "--dry-run",
        "--one-file-system",
        "--",
        "-odd",
        "/data",
      ],
    );
  });

  test("backupArgs uses --skip-if-unchanged only on restic 0.17 and newer", () => {
    const opts = { paths: ["/data"], skipIfUnchanged: true };
    const v = (minor: number) => ({ version: `0.${minor}.0`, major: 0, minor, patch: 0 });
    assert.ok(!backupArgs(opts, v(14)).includes("--skip-if-unchanged"));
    assert.ok(!backupArgs(opts).includes("--skip-if-unchanged"));
    assert.ok(backupArgs(opts, v(17)).includes("--skip-if-unchanged"));
    assert.ok(!backupArgs({ paths: ["/data"] }, v(18)).includes("--skip-if-unchanged"));
  });
});

describe("snapshots and config", () => {
  test("an unknown snapshot id is classified and named", () => {
    const stderr = 'invalid id "deadbeef": no matching ID found for prefix "deadbeef"\n';
    assert.equal(classifyFailure(1, stderr), "snapshot-not-found");
    const err = resticErrorFor({
      subcommand: "dump",
      command: "restic",
      args: [],
      exitCode: 1,
      stderr,
    });
    assert.equal(err.kind, "snapshot-not-found");
    assert.match(err.message, /snapshot "deadbeef" does not exist/);
  });

  test("snapshots.json maps ids, times, parents and tags", () => {
    const list = parseSnapshots(fixture("snapshots.json"));
    assert.equal(list?.length, 2);
    const [first, second] = list ?? [];
    assert.equal(first?.shortId, "3abd1cd2");
    assert.equal(first?.id.startsWith("3abd1cd2"), true);
    assert.equal(first?.unixTimeMs, Date.UTC(2026, 10, 22, 6, 34, 0, 269));
    assert.equal(first?.parent, "");
    assert.deepEqual(first?.tags, ["plan:p1", "created-by:host1"]);
    assert.deepEqual(first?.paths, ["/srv/example/data"]);
    assert.equal(first?.hostname, "vm");
    assert.equal(second?.parent, first?.id);
  });

  test("times with an offset and nanoseconds resolve to the same instant", () => {
    assert.equal(
      parseResticTime("2026-11-22T07:34:00.269384109+01:00"),
      Date.UTC(2026, 10, 22, 6, 34, 0, 269),
    );
    assert.ok(Number.isNaN(parseResticTime("yesterday")));
  });

  test("non-array output is rejected, an empty list is fine", () => {
    assert.equal(parseSnapshots("Fatal: nope"), undefined);
    assert.equal(parseSnapshots('{"a":1}'), undefined);
    assert.deepEqual(parseSnapshots("[]\n"), []);
  });

  test("parseRepoId reads cat config's pretty-printed JSON", () => {
    const text =
      '{\n  "version": 2,\n  "id": "33145705b76b",\n  "chunker_polynomial": "2ffdc80b440a01"\n}\n';
    assert.equal(parseRepoId(text), "33145705b76b");
    assert.equal(parseRepoId("{}"), undefined);
    assert.equal(parseRepoId("garbage"), undefined);
  });
});

describe("error mapping: restic 0.14 text", () => {
  test("wrong password", () => {
    const error = errorFor("error-wrong-password", "snapshots");
    assert.equal(error.kind, "wrong-password");
    assert.equal(error.name, "ResticError");
    assert.equal(error.exitCode, 1);
    assert.match(error.message, /wrong password or no key found; check the repo's password/);
  });

  test("locked repository", () => {
    const error = errorFor("error-locked");
    assert.equal(error.kind, "locked");
    assert.match(error.message, /locked/);
    assert.match(error.stderrTail, /locked exclusively by PID 25258/);
  });

  test("missing repository", () => {
    assert.equal(errorFor("error-missing-repo", "snapshots").kind, "repo-not-found");
  });

  test("missing source path is a plain failure that quotes restic", () => {
    const error = errorFor("backup-missing-path");
    assert.equal(error.kind, "failed");
    assert.equal(error.exitCode, 1);
    assert.match(error.message, /^restic backup failed with exit code 1: /);
    assert.match(error.message, /\/nonexistent\/path does not exist, skipping/);
    assert.match(error.message, /all target directories\/files do not exist/);
  });

  test("init onto an existing repository", () => {
    const stderr =
      "Fatal: create repository at /srv/example/repo failed: config file already exists\n";
    assert.equal(classifyFailure(1, stderr), "repo-exists");
  });

  test("no password given", () => {
    const stderr =
      "reading repository password from stdin\nFatal: an empty password is not a password\n";
    assert.equal(classifyFailure(1, stderr), "wrong-password");
  });

  test("a config that exists but cannot be read is not 'repo-not-found'", () => {
    const stderr =
      "Fatal: unable to open config file: open /srv/r/config: permission denied\nIs there a repository at the following location?\n/srv/r\n";
    assert.equal(classifyFailure(1, stderr), "failed");
  });

  test("per-file JSON error lines do not trigger text patterns", () => {
    const line = JSON.stringify({
      message_type: "error",
      error: { Op: "open", Path: "/wrong password or no key found", Err: 13 },
      during: "archival",
      item: "/wrong password or no key found",
    });
    assert.equal(classifyFailure(1, `${line}\nFatal: something else\n`), "failed");
  });

  test("the stderr tail is capped at about 2 KB", () => {
    const error = resticErrorFor({
      subcommand: "backup",
      command: "restic",
      args: [],
      exitCode: 1,
      stderr: `${"x".repeat(10_000)}\nFatal: boom\n`,
    });
    assert.ok(error.stderrTail.length <= 2048);
    assert.match(error.stderrTail, /Fatal: boom/);
  });
});

describe("error mapping: newer restic", () => {
  test("exit codes 10, 11 and 12", () => {
    assert.equal(classifyFailure(10, "Fatal: repository does not exist\n"), "repo-not-found");
    assert.equal(classifyFailure(11, "unable to create lock\n"), "locked");
    assert.equal(classifyFailure(12, "Fatal: oops\n"), "wrong-password");
  });

  test("exit_error JSON on stderr", () => {
    const stderr =
      '{"message_type":"exit_error","code":11,"message":"repository is already locked by PID 1"}\n';
    assert.deepEqual(parseExitError(stderr), {
      code: 11,
      message: "repository is already locked by PID 1",
    });
    assert.equal(classifyFailure(11, stderr), "locked");
    assert.equal(
      classifyFailure(
        1,
        '{"message_type":"exit_error","code":12,"message":"Fatal: wrong password or no key found"}',
      ),
      "wrong-password",
    );
  });

  test("an unknown exit code is a failure whose message carries exit_error's text", () => {
    const error = resticErrorFor({
      subcommand: "check",
      command: "restic",
      args: ["check"],
      exitCode: 2,
      stderr: '{"message_type":"exit_error","code":2,"message":"Fatal: go runtime panic"}\n',
    });
    assert.equal(error.kind, "failed");
    assert.equal(error.message, "restic check failed with exit code 2: Fatal: go runtime panic");
  });

  test("killed by a signal", () => {
    const error = resticErrorFor({
      subcommand: "backup",
      command: "restic",
      args: [],
      exitCode: undefined,
      signal: "SIGKILL",
      stderr: "",
    });
    assert.equal(error.kind, "failed");
    assert.match(error.message, /killed by SIGKILL/);
  });
});

describe("masking", () => {
  test("secrets are replaced, longest first", () => {
    assert.equal(maskSecrets("pw is hunter2, hunter2!", ["hunter2"]), "pw is ***, ***!");
    assert.equal(maskSecrets("abc-abcdef", ["abc", "abcdef"]), "***-***");
    assert.equal(maskSecrets("nothing", [""]), "nothing");
  });

  test("JSON-escaped and URL-encoded forms are masked too", () => {
    const secret = 'p"a\\s s';
    assert.equal(maskSecrets(JSON.stringify({ x: secret }), [secret]), '{"x":"***"}');
    assert.equal(maskSecrets(`x=${encodeURIComponent(secret)}`, [secret]), "x=***");
  });

  test("passwords in URLs are masked without being listed", () => {
    assert.equal(
      maskSecrets("Fatal: rest:http://user:pass@host:8000/repo unreachable", []),
      "Fatal: rest:http://user:***@host:8000/repo unreachable",
    );
    assert.equal(
      maskSecrets("s3:https://s3.example.com/bucket", []),
      "s3:https://s3.example.com/bucket",
    );
  });

  test("collectSecrets takes the password, secret-named env values and URL passwords", () => {
    const secrets = collectSecrets(
      "pw1",
      {
        AWS_SECRET_ACCESS_KEY: "s3cret",
        B2_ACCOUNT_KEY: "b2key",
        GOOGLE_APPLICATION_CREDENTIALS: "/etc/gcs.json",
        my_api_token: "tok",
        HTTP_AUTHORIZATION: "Basic xyz",
        PATH: "/usr/bin",
        HOME: "/root",
      },
      ["rest:https://u:p%40ss@host/"],
    );
    for (const s of [
      "pw1",
      "s3cret",
      "b2key",
      "/etc/gcs.json",
      "tok",
      "Basic xyz",
      "p%40ss",
      "p@ss",
    ]) {
      assert.ok(secrets.includes(s), s);
    }
    assert.ok(!secrets.includes("/usr/bin"));
    assert.ok(!secrets.includes("/root"));
  });
});

describe("line splitting", () => {
  test("lines split across chunks, CRLF and a last line without newline", () => {
    const lines: string[] = [];
    const splitter = createLineSplitter((l) => lines.push(l));
    splitter.push('{"a":');
    splitter.push("1}\r\nsecond\nthi");
    splitter.push("rd");
    splitter.end();
    assert.deepEqual(lines, ['{"a":1}', "second", "third"]);
  });

  test("an oversized line is dropped whole and reported", () => {
    const lines: string[] = [];
    const dropped: number[] = [];
    const splitter = createLineSplitter(
      (l) => lines.push(l),
      10,
      (n) => dropped.push(n),
    );
    splitter.push("short\n0123456789");
    splitter.push("abcdef");
    splitter.push("ghi\nnext\n");
    splitter.end();
    assert.deepEqual(lines, ["short", "next"]);
    assert.deepEqual(dropped, [19]);
  });

  test("parseJsonObject accepts objects only", () => {
    assert.deepEqual(parseJsonObject(' {"message_type":"summary"} '), { message_type: "summary" });
    assert.equal(parseJsonObject("[1]"), undefined);
    assert.equal(parseJsonObject("null"), undefined);
    assert.equal(parseJsonObject("{broken"), undefined);
  });
});

/** Replays a captured `ls --json` run; `stopAfter` makes onNode throw at that node. */
function replayLs(stopAfter = Number.POSITIVE_INFINITY) {
  const nodes: LsNode[] = [];
  let stops = 0;
  const reader = createLsReader(
    (node) => {
      if (nodes.length >= stopAfter) throw new Error("consumer full");
      nodes.push(node);
    },
    () => stops++,
  );
  for (const line of fixture("ls.jsonl").split("\n")) reader.onLine(line);
  return { reader, nodes, stops: () => stops };
}

describe("ls output", () => {
  test("ls.jsonl: the first line is the snapshot, every other line one node", () => {
    const { reader, nodes } = replayLs();
    assert.equal(reader.snapshot?.shortId, "6e0f3cb9");
    assert.deepEqual(reader.snapshot?.tags, ["plan:p1", "created-by:host1"]);
    assert.equal(nodes.length, fixture("ls.jsonl").trim().split("\n").length - 1);
    assert.equal(reader.callbackError, undefined);
  });

  test("nodes keep type, size, mode and times; folders have size 0", () => {
    const { nodes } = replayLs();
    const byPath = new Map(nodes.map((n) => [n.path, n]));
    assert.deepEqual(byPath.get("/data/big.bin"), {
      name: "big.bin",
      type: "file",
      path: "/data/big.bin",
      uid: 0,
      gid: 0,
      size: 30_000_000,
      mode: 0o644,
      mtime: "2026-11-22T06:33:57.500017071Z",
      atime: "2026-11-22T06:33:57.500017071Z",
      ctime: "2026-11-22T06:33:57.500017071Z",
      linkTarget: "",
    });
    const dir = byPath.get("/data/empty");
    assert.equal(dir?.type, "dir");
    assert.equal(dir?.size, 0);
    // Go's os.ModeDir (1 << 31) plus the permission bits.
    assert.equal(dir?.mode, 2 ** 31 + 0o755);
    // restic 0.14 prints no link target.
    assert.equal(byPath.get("/data/link")?.type, "symlink");
    assert.equal(byPath.get("/data/link")?.linkTarget, "");
  });

  test("newer restic: message_type lines and linktarget", () => {
    const nodes: LsNode[] = [];
    const reader = createLsReader(
      (n) => nodes.push(n),
      () => {},
    );
    reader.onLine(
      '{"message_type":"snapshot","struct_type":"snapshot","id":"abcdef0123","paths":["/x"]}',
    );
    reader.onLine(
      '{"message_type":"node","struct_type":"node","name":"l","type":"symlink","path":"/x/l","linktarget":"../t","mode":134218239}',
    );
    reader.onLine("some warning text");
    assert.equal(reader.snapshot?.shortId, "abcdef01");
    assert.deepEqual(
      nodes.map((n) => [n.path, n.linkTarget]),
      [["/x/l", "../t"]],
    );
  });

  test("a throwing onNode stops the listing once and keeps the error", () => {
    const { reader, nodes, stops } = replayLs(3);
    assert.equal(nodes.length, 3);
    assert.equal(stops(), 1);
    assert.match(String(reader.callbackError), /consumer full/);
  });

  test("lsArgs: --recursive only with a path, operands after --", () => {
    assert.deepEqual(lsArgs("abc"), ["ls", "--json", "--", "abc"]);
    assert.deepEqual(lsArgs("abc", "/d"), ["ls", "--json", "--", "abc", "/d"]);
    assert.deepEqual(lsArgs("abc", "/d", true), ["ls", "--json", "--recursive", "--", "abc", "/d"]);
    assert.deepEqual(lsArgs("abc", undefined, true), ["ls", "--json", "--", "abc"]);
  });
});

describe("forget output and argv", () => {
  test("forget.json: one group, null lists become [], snapshots mapped", () => {
    const groups = parseForgetOutput(fixture("forget.json"));
    assert.equal(groups?.length, 1);
    const [group] = groups ?? [];
    assert.deepEqual(group?.tags, []);
    assert.deepEqual(group?.paths, []);
    assert.equal(group?.host, "");
    assert.deepEqual(
      group?.keep.map((s) => s.shortId),
      ["6e0f3cb9"],
    );
    assert.deepEqual(
      group?.remove.map((s) => s.id),
      ["3abd1cd2662b1583d1ea0add87c985891e95cce59009189b2c51ba47a6bfdd5f"],
    );
  });

  test("null remove, empty output and text", () => {
    const groups = parseForgetOutput(
      '[{"tags":["a"],"host":"h","paths":["/p"],"keep":[],"remove":null}]',
    );
    assert.deepEqual(groups?.[0]?.remove, []);
    assert.deepEqual(groups?.[0]?.tags, ["a"]);
    assert.deepEqual(parseForgetOutput(""), []);
    assert.deepEqual(parseForgetOutput("\n"), []);
    assert.equal(parseForgetOutput("removed snapshot 3abd1cd2\n"), undefined);
    assert.equal(parseForgetOutput("[broken"), undefined);
  });

  test("forgetArgs: a policy scoped by tags, grouped as asked", () => {
    assert.deepEqual(
      forgetArgs({ keep: { last: 1, daily: 7, weekly: 0 }, tags: ["plan:p1", "x"] }),
      ["forget", "--json", "--tag=plan:p1,x", "--group-by=", "--keep-last=1", "--keep-daily=7"],
    );
    assert.deepEqual(forgetArgs({ keep: { yearly: 2 }, groupBy: "host", dryRun: true }), [
      "forget",
      "--json",
      "--dry-run",
      "--group-by=host",
      "--keep-yearly=2",
    ]);
  });

  test("forgetArgs: ids win over a policy; no rule and no id means nothing to run", () => {
    assert.deepEqual(forgetArgs({ snapshotIds: ["a1", "b2"], keep: { last: 1 }, tags: ["t"] }), [
      "forget",
      "--json",
      "--",
      "a1",
      "b2",
    ]);
    assert.equal(forgetArgs({}), undefined);
    assert.equal(forgetArgs({ keep: { last: 0, hourly: 0.5 }, tags: ["t"] }), undefined);
    assert.equal(forgetArgs({ snapshotIds: [], keep: {} }), undefined);
  });
});

describe("stats output", () => {
  test("stats-restore-size.json: no blob count in this mode", () => {
    assert.deepEqual(parseStats(fixture("stats-restore-size.json")), {
      totalSize: 60003403,
      totalFileCount: 412,
      totalBlobCount: 0,
      snapshotsCount: 2,
    });
  });

  test("stats-raw-data.json", () => {
    assert.deepEqual(parseStats(fixture("stats-raw-data.json")), {
      totalSize: 30032288,
      totalFileCount: 0,
      totalBlobCount: 230,
      snapshotsCount: 2,
    });
  });

  test("newer restic's compression fields are kept; non-stats output is rejected", () => {
    const stats = parseStats(
      '{"total_size":100,"total_uncompressed_size":250,"compression_ratio":2.5,"compression_progress":100,"compression_space_saving":60,"total_blob_count":3,"snapshots_count":1}',
    );
    assert.equal(stats?.totalUncompressedSize, 250);
    assert.equal(stats?.compressionRatio, 2.5);
    assert.equal(stats?.compressionProgress, 100);
    assert.equal(stats?.compressionSpaceSaving, 60);
    assert.equal(parseStats("scanning...\n"), undefined);
    assert.equal(parseStats('{"snapshots_count":1}'), undefined);
  });
});

describe("restore output and argv", () => {
  const v = (minor: number) => ({ version: `0.${minor}.0`, major: 0, minor, patch: 0 });

  test("restore.txt (0.14 prints text despite --json): only text, no progress", () => {
    const texts: string[] = [];
    const progress: RestoreProgress[] = [];
    const collector = createRestoreCollector(
      (p) => progress.push(p),
      (l) => texts.push(l),
    );
    for (const line of fixture("restore.txt")
      .split("\n")
      .filter((l) => l !== ""))
      collector.onStdoutLine(line);
    assert.equal(texts.length, 1);
    assert.match(texts[0] ?? "", /^restoring <Snapshot 6e0f3cb9 of \[\/srv\/example\/data\]/);
    assert.deepEqual(progress, []);
    assert.equal(collector.summary, undefined);
  });

  test("0.16+ JSON: status lines are progress, the summary is kept and counts as done", () => {
    const texts: string[] = [];
    const progress: RestoreProgress[] = [];
    const collector = createRestoreCollector(
      (p) => progress.push(p),
      (l) => texts.push(l),
    );
    collector.onStdoutLine(
      '{"message_type":"status","seconds_elapsed":1,"percent_done":0.25,"total_files":4,"files_restored":1,"total_bytes":400,"bytes_restored":100}',
    );
    collector.onStdoutLine(
      '{"message_type":"summary","seconds_elapsed":2,"total_files":4,"files_restored":3,"files_skipped":1,"total_bytes":400,"bytes_restored":300,"bytes_skipped":100}',
    );
    collector.onStderrLine("ignoring error for /x: permission denied");
    assert.deepEqual(progress, [
      {
        percentDone: 0.25,
        totalFiles: 4,
        filesRestored: 1,
        totalBytes: 400,
        bytesRestored: 100,
        secondsElapsed: 1,
      },
    ]);
    assert.deepEqual(collector.summary, {
      percentDone: 1,
      totalFiles: 4,
      filesRestored: 3,
      totalBytes: 400,
      bytesRestored: 300,
      secondsElapsed: 2,
      filesSkipped: 1,
      bytesSkipped: 100,
    });
    assert.deepEqual(texts, ["ignoring error for /x: permission denied"]);
  });

  test("restoreArgs passes --json only from 0.16 and escapes include patterns", () => {
    const restore = { snapshotId: "abc", target: "/t", include: ["/d/a[1]*?.txt", "/d/Grüße ✓"] };
    assert.deepEqual(restoreArgs(restore, v(14)), [
      "restore",
      "--target=/t",
      "--include=/d/a\\[1]\\*\\?.txt",
      "--include=/d/Grüße ✓",
      "--",
      "abc",
    ]);
    assert.equal(restoreArgs(restore, v(16))[1], "--json");
    assert.equal(escapeIncludePattern("C:\\x"), "C:\\\\x");
  });
});

describe("prune and check output", () => {
  const unexpected = (error: unknown) => assert.fail(`onOutput threw: ${String(error)}`);

  test("prune.txt: every line is passed on masked and without escapes, and kept", () => {
    const lines: string[] = [];
    const output = createTextOutput(["example"], (l) => lines.push(l), unexpected);
    const raw = fixture("prune.txt").split("\n");
    for (const line of raw) output.onLine(line);
    output.onLine("\u001b[2K[0:01] 50.00%  1 / 2 packs");
    assert.equal(lines.length, raw.length + 1);
    assert.equal(lines.at(-1), "[0:01] 50.00%  1 / 2 packs");
    assert.match(output.text(), /total prune: {11}3 blobs \/ 10\.064 KiB/);
    assert.ok(!output.text().includes("example"));
  });

  test("the kept output is the tail, starting at a line boundary", () => {
    const output = createTextOutput([], undefined, unexpected, 25);
    for (let i = 0; i < 100; i++) output.onLine(`line ${i}`);
    assert.equal(output.text(), "line 97\nline 98\nline 99");
  });

  test("a throwing onOutput is reported and the line still kept", () => {
    const reported: unknown[] = [];
    const output = createTextOutput(
      [],
      () => {
        throw new Error("viewer bug");
      },
      (e) => reported.push(e),
    );
    output.onLine("done");
    assert.equal(reported.length, 1);
    assert.equal(output.text(), "done");
  });

  test("check.txt is the output of a clean check", () => {
    const output = createTextOutput([], undefined, unexpected);
    for (const line of fixture("check.txt").trimEnd().split("\n")) output.onLine(line);
    assert.match(output.text(), /no errors were found$/);
  });

  test("check finding damage becomes a 'failed' error that says so", () => {
    const failed = resticErrorFor({
      subcommand: "check",
      command: "restic",
      args: ["check"],
      exitCode: 1,
      stderr:
        "Pack ID does not match, want 86dcd782, got ec746251\nFatal: repository contains errors",
    });
    const error = checkFailure(failed);
    assert.ok(error instanceof ResticError);
    assert.equal(error.kind, "failed");
    assert.equal(error.exitCode, 1);
    assert.match(error.message, /found errors in the repository; see the check's log/);
    assert.match(error.stderrTail, /Pack ID does not match/);
    assert.equal(error.cause, failed);
  });

  test("a locked repo stays 'locked' for prune and check", () => {
    const prune = errorFor("error-locked", "prune");
    assert.equal(prune.kind, "locked");
    const check = errorFor("error-locked", "check");
    assert.equal(checkFailure(check), check);
    assert.equal(check.kind, "locked");
  });

  test("other check failures are passed through unchanged", () => {
    const other = resticErrorFor({
      subcommand: "check",
      command: "restic",
      args: ["check"],
      exitCode: 1,
      stderr: "Fatal: unable to open repository: connection refused",
    });
    assert.equal(checkFailure(other), other);
    assert.equal(checkFailure("not an error"), "not an error");
  });

  test("argv", () => {
    assert.deepEqual(pruneArgs({}), ["prune"]);
    assert.deepEqual(pruneArgs({ maxUnused: "10%" }), ["prune", "--max-unused=10%"]);
    assert.deepEqual(checkArgs({}), ["check"]);
    assert.deepEqual(checkArgs({ readDataSubset: "1/5" }), ["check", "--read-data-subset=1/5"]);
  });
});

describe("tag and command argv", () => {
  test("tagArgs: one flag per tag, ids after --, nothing without ids or tags", () => {
    assert.deepEqual(tagArgs(["a1", "b2"], { add: ["x", "y"], remove: ["z"] }), [
      "tag",
      "--add=x",
      "--add=y",
      "--remove=z",
      "--",
      "a1",
      "b2",
    ]);
    // Without ids restic would retag every snapshot of the repository.
    assert.equal(tagArgs([], { add: ["x"] }), undefined);
    assert.equal(tagArgs(["a1"], {}), undefined);
  });

  test("repoOverridingArg finds repo and password overrides in their forms", () => {
    for (const [args, found] of [
      [["-r", "/other", "snapshots"], "-r"],
      [["-r/other", "snapshots"], "-r"],
      [["-vr", "/other", "snapshots"], "-r"],
      [["snapshots", "--repo=/other"], "--repo"],
      [["snapshots", "--repo", "/other"], "--repo"],
      [["--repository-file", "/f", "check"], "--repository-file"],
      [["-p", "/pw", "check"], "-p"],
      [["-qp/pw", "check"], "-p"],
      [["check", "--password-file=/pw"], "--password-file"],
      [["check", "--password-command", "echo x"], "--password-command"],
      [["check", "--insecure-no-password"], "--insecure-no-password"],
    ] as const) {
      assert.equal(repoOverridingArg(args), found, args.join(" "));
    }
  });

  test("repoOverridingArg allows everything else", () => {
    for (const args of [
      ["snapshots", "--json"],
      ["restore", "latest", "-t", "/tmp/restore", "-e/tmp/repo"],
      ["backup", "--", "-r"],
      ["init"],
      ["key", "list"],
      ["--verbose", "prune", "--repack-small"],
      ["forget", "--keep-last", "3", "--prune"],
    ]) {
      assert.equal(repoOverridingArg(args), undefined, args.join(" "));
    }
  });
});
