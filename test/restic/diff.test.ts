/**
 * `restic diff --json`: the line reader over output captured from real restic 0.14 runs, and
 * Restic.diff against the real restic on a temporary repository.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { before, describe, test } from "node:test";
import {
  createDiffReader,
  createRestic,
  diffArgs,
  ResticError,
  type ResticRepo,
} from "../../src/restic/index.js";
import { tempDir } from "../helpers/temp.js";

const FIXTURES = resolve(import.meta.dirname, "../../../shared/fixtures/restic-0.14");

/**
 * `restic diff --json A B` as restic 0.14.0 printed it for a tree where a/mod.txt changed,
 * gone/ and old.txt were removed, and added.txt, link (a symlink) and new/n.txt were added.
 */
const CAPTURED = `{"message_type":"change","path":"/src/a/mod.txt","modifier":"M"}
{"message_type":"change","path":"/src/added.txt","modifier":"+"}
{"message_type":"change","path":"/src/gone/","modifier":"-"}
{"message_type":"change","path":"/src/gone/x.txt","modifier":"-"}
{"message_type":"change","path":"/src/link","modifier":"+"}
{"message_type":"change","path":"/src/new/","modifier":"+"}
{"message_type":"change","path":"/src/new/n.txt","modifier":"+"}
{"message_type":"change","path":"/src/old.txt","modifier":"-"}
{"message_type":"statistics","source_snapshot":"f152038429b198b50db1e1636d507044b02f6d8b0209f6ba052adf198a3bc968","target_snapshot":"0bba77f835b2e309d70ec4f423d23ddbf88eea75ea88a48973ebf0cbb7868999","changed_files":1,"added":{"files":2,"dirs":1,"others":1,"data_blobs":3,"tree_blobs":4,"bytes":2777},"removed":{"files":2,"dirs":1,"others":0,"data_blobs":3,"tree_blobs":4,"bytes":2455}}
`;

function read(text: string, maxChanges?: number) {
  const reader = createDiffReader(maxChanges);
  for (const line of text.split("\n")) reader.onLine(line);
  return reader.result();
}

describe("diff output", () => {
  test("the argv puts the snapshot ids after --", () => {
    assert.deepEqual(diffArgs("abc", "-x"), ["diff", "--json", "--", "abc", "-x"]);
  });

  test("reads every change and the statistics of a captured run", () => {
    const result = read(CAPTURED);
    assert.deepEqual(
      result.changes.map((c) => `${c.modifier} ${c.path}`),
      [
        "M /src/a/mod.txt",
        "+ /src/added.txt",
        "- /src/gone/",
        "- /src/gone/x.txt",
        "+ /src/link",
        "+ /src/new/",
        "+ /src/new/n.txt",
        "- /src/old.txt",
      ],
    );
    assert.equal(result.truncated, false);
    assert.equal(result.omitted, 0);
    assert.deepEqual(result.statistics, {
      sourceSnapshot: "f152038429b198b50db1e1636d507044b02f6d8b0209f6ba052adf198a3bc968",
      targetSnapshot: "0bba77f835b2e309d70ec4f423d23ddbf88eea75ea88a48973ebf0cbb7868999",
      changedFiles: 1,
      added: { files: 2, dirs: 1, others: 1, dataBlobs: 3, treeBlobs: 4, bytes: 2777 },
      removed: { files: 2, dirs: 1, others: 0, dataBlobs: 3, treeBlobs: 4, bytes: 2455 },
    });
  });

  test("reads the shared fixture (one modified file)", () => {
    const result = read(readFileSync(join(FIXTURES, "diff.jsonl"), "utf8"));
    assert.deepEqual(result.changes, [{ path: "/data/sub/f2.txt", modifier: "M" }]);
    assert.equal(result.statistics?.changedFiles, 1);
    assert.equal(result.statistics?.added.bytes, 72309);
    assert.equal(result.statistics?.removed.bytes, 72292);
  });

  test("keeps at most maxChanges changes, counts the rest and still reads the totals", () => {
    const result = read(CAPTURED, 3);
    assert.deepEqual(
      result.changes.map((c) => c.path),
      ["/src/a/mod.txt", "/src/added.txt", "/src/gone/"],
    );
    assert.equal(result.truncated, true);
    assert.equal(result.omitted, 5);
    assert.equal(result.statistics?.added.files, 2);
  });

  test("ignores text, malformed and unknown lines; no statistics line leaves it undefined", () => {
    const result = read(
      'comparing snapshot a to b:\n{"message_type":"change","path":"/x"\n{"message_type":"verbose","path":"/y"}\n',
    );
    assert.deepEqual(result.changes, []);
    assert.equal(result.statistics, undefined);
  });
});

describe("Restic.diff against the real restic", () => {
  const root = tempDir();
  const repo: ResticRepo = { uri: join(root, "repo"), password: "diff test password" };
  const restic = createRestic({
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", RESTIC_CACHE_DIR: join(root, "cache") },
  });
  const src = join(root, "src");
  let first = "";
  let second = "";

  before(async () => {
    await restic.init(repo);
    await mkdir(join(src, "gone"), { recursive: true });
    await writeFile(join(src, "same.txt"), "unchanged\n");
    await writeFile(join(src, "mod.txt"), "before\n");
    await writeFile(join(src, "old.txt"), "removed later\n");
    await writeFile(join(src, "gone", "x.txt"), "in a removed folder\n");
    first = (await restic.backup(repo, { paths: ["src"], cwd: root })).summary.snapshotId;
    await writeFile(join(src, "mod.txt"), "after, and longer\n");
    await rm(join(src, "old.txt"));
    await rm(join(src, "gone"), { recursive: true });
    await mkdir(join(src, "new"));
    await writeFile(join(src, "new", "n.txt"), "new file\n");
    await symlink("same.txt", join(src, "link"));
    second = (await restic.backup(repo, { paths: ["src"], cwd: root })).summary.snapshotId;
  });

  test("lists exactly what changed, in restic's order, with the totals", async () => {
    const diff = await restic.diff(repo, first, second);
    assert.deepEqual(
      diff.changes.map((c) => `${c.modifier} ${c.path}`),
      [
        "- /src/gone/",
        "- /src/gone/x.txt",
        "+ /src/link",
        "M /src/mod.txt",
        "+ /src/new/",
        "+ /src/new/n.txt",
        "- /src/old.txt",
      ],
    );
    assert.equal(diff.truncated, false);
    const s = diff.statistics;
    assert.equal(s.changedFiles, 1);
    assert.deepEqual([s.added.files, s.added.dirs, s.added.others], [1, 1, 1]);
    assert.deepEqual([s.removed.files, s.removed.dirs, s.removed.others], [2, 1, 0]);
    assert.ok(s.added.bytes > 0 && s.removed.bytes > 0, JSON.stringify(s));
  });

  test("the reverse diff swaps added and removed", async () => {
    const diff = await restic.diff(repo, second, first, { maxChanges: 2 });
    assert.deepEqual(diff.changes, [
      { path: "/src/gone/", modifier: "+" },
      { path: "/src/gone/x.txt", modifier: "+" },
    ]);
    assert.equal(diff.truncated, true);
    assert.equal(diff.omitted, 5);
    assert.deepEqual([diff.statistics.added.files, diff.statistics.removed.files], [2, 1]);
  });

  test("an unknown snapshot, or one that looks like a flag, is snapshot-not-found", async () => {
    for (const id of ["deadbeef", "--json"]) {
      const err = await restic.diff(repo, id, second).then(
        () => assert.fail(`diff with ${id} succeeded`),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ResticError, String(err));
      assert.equal(err.kind, "snapshot-not-found");
      assert.match(err.message, new RegExp(`snapshot "${id}" does not exist`));
    }
  });
});
