/** DiffSnapshots against the real daemon and the real restic: exact changes and totals. */
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { listSnapshots } from "../helpers/data.js";
import { startBackupFixture } from "../helpers/fixture.js";
import { callJson } from "../helpers/http.js";

interface DiffJson {
  changes?: { path: string; modifier: string }[];
  truncated?: boolean;
  filesAdded?: string;
  filesRemoved?: string;
  filesChanged?: string;
  dirsAdded?: string;
  dirsRemoved?: string;
  bytesAdded?: string;
  bytesRemoved?: string;
}

describe("DiffSnapshots", async () => {
  // file-0.txt and file-2.txt in the source folder, file-1.txt and file-3.txt in sub/.
  const fx = await startBackupFixture({ files: 4 });
  const url = fx.daemon.url;
  const src = fx.sourceDir;

  async function backup(): Promise<string> {
    const before = new Set((await listSnapshots(fx.repoPath)).map((s) => s.id));
    const res = await callJson(url, "v1.Backrest/Backup", { value: "plan1" });
    assert.equal(res.status, 200, res.text);
    const made = (await listSnapshots(fx.repoPath)).filter((s) => !before.has(s.id));
    assert.equal(made.length, 1, "one new snapshot");
    return made[0]?.id ?? "";
  }

  const older = await backup();
  writeFileSync(join(src, "file-0.txt"), "changed content, longer than before\n");
  rmSync(join(src, "sub", "file-1.txt"));
  mkdirSync(join(src, "new"));
  writeFileSync(join(src, "new", "added.txt"), "a new file\n");
  const newer = await backup();

  const diff = (snapshotA: string, snapshotB: string, repoId = "local") =>
    callJson(url, "v1.Backrest/DiffSnapshots", { repoId, snapshotA, snapshotB });

  it("lists every added, removed and modified path with restic's totals", async () => {
    const res = await diff(older, newer);
    assert.equal(res.status, 200, res.text);
    const body = res.body as DiffJson;
    assert.deepEqual(body.changes, [
      { path: `${src}/file-0.txt`, modifier: "M" },
      { path: `${src}/new/`, modifier: "+" },
      { path: `${src}/new/added.txt`, modifier: "+" },
      { path: `${src}/sub/file-1.txt`, modifier: "-" },
    ]);
    assert.equal(body.truncated, undefined, "not truncated");
    assert.equal(body.filesAdded, "1");
    assert.equal(body.filesRemoved, "1");
    assert.equal(body.filesChanged, "1");
    assert.equal(body.dirsAdded, "1");
    assert.equal(body.dirsRemoved, undefined, "no folder removed");
    assert.ok(Number(body.bytesAdded) > 0, res.text);
    assert.ok(Number(body.bytesRemoved) > 0, res.text);
  });

  it("takes short ids, and the other way round swaps added and removed", async () => {
    const res = await diff(newer.slice(0, 8), older.slice(0, 8));
    assert.equal(res.status, 200, res.text);
    const body = res.body as DiffJson;
    assert.deepEqual(
      body.changes?.map((c) => `${c.modifier} ${c.path.slice(src.length)}`),
      ["M /file-0.txt", "- /new/", "- /new/added.txt", "+ /sub/file-1.txt"],
    );
    assert.equal(body.filesAdded, "1");
    assert.equal(body.dirsRemoved, "1");
  });

  it("answers NOT_FOUND naming an unknown snapshot", async () => {
    const res = await diff(older, "0123abcd");
    assert.equal((res.body as { code: string }).code, "not_found", res.text);
    assert.match(
      (res.body as { message: string }).message,
      /snapshot "0123abcd" does not exist in the repository/,
    );
  });

  it("answers NOT_FOUND for an unknown repo and INVALID_ARGUMENT without both ids", async () => {
    const repo = await diff(older, newer, "nope");
    assert.equal((repo.body as { code: string }).code, "not_found", repo.text);
    assert.match((repo.body as { message: string }).message, /repo "nope" does not exist/);
    const missing = await diff(older, "");
    assert.equal((missing.body as { code: string }).code, "invalid_argument", missing.text);
    assert.match((missing.body as { message: string }).message, /snapshotB/);
  });
});
