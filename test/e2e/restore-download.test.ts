/** Restores and downloads through the API reproduce the backed-up data exactly. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { execa } from "execa";
import { startTestDaemon } from "../helpers/daemon.js";
import { initRepo, TEST_PASSWORD } from "../helpers/data.js";
import { callJson, type OpJson, runAndWait } from "../helpers/http.js";
import { tempDir } from "../helpers/temp.js";

/** A tree with the things restores get wrong: modes, mtimes, symlinks, empty folders, non-ASCII names. */
function makeTree(root: string): void {
  mkdirSync(join(root, "docs", "empty"), { recursive: true });
  mkdirSync(join(root, "Grüße ✓"), { recursive: true });
  writeFileSync(join(root, "docs", "a.txt"), "alpha\n".repeat(1000));
  writeFileSync(join(root, "Grüße ✓", "naïve café.txt"), "ünïcödé\n");
  writeFileSync(join(root, "run.sh"), "#!/bin/sh\necho hi\n");
  chmodSync(join(root, "run.sh"), 0o750);
  writeFileSync(join(root, "secret.key"), "k");
  chmodSync(join(root, "secret.key"), 0o600);
  symlinkSync("docs/a.txt", join(root, "link-to-a"));
  const past = new Date("2024-03-04T05:06:07Z");
  utimesSync(join(root, "docs", "a.txt"), past, past);
}

/** path -> description of every entry under root: type, mode, mtime (s), content hash or link target. */
function describeTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = lstatSync(p);
      const rel = relative(root, p);
      if (st.isSymbolicLink()) out[rel] = `link ${readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[rel] = `dir ${(st.mode & 0o7777).toString(8)}`;
        walk(p);
      } else {
        const hash = createHash("sha256").update(readFileSync(p)).digest("hex");
        out[rel] =
          `file ${(st.mode & 0o7777).toString(8)} ${Math.floor(st.mtimeMs / 1000)} ${hash}`;
      }
    }
  };
  walk(root);
  return out;
}

describe("restore and download", async () => {
  const dir = tempDir();
  const source = join(dir, "source");
  makeTree(source);
  const repoPath = join(dir, "repo");
  await initRepo(repoPath);
  const daemon = await startTestDaemon({
    instance: "restore-test",
    repos: [{ id: "local", uri: repoPath, password: TEST_PASSWORD }],
    plans: [{ id: "plan1", repo: "local", paths: [source] }],
    auth: { disabled: true },
  });
  const url = daemon.url;
  const backup = (await callJson(url, "v1.Backrest/Backup", { value: "plan1" })).body as OpJson;
  assert.equal(backup.status, "STATUS_SUCCESS");
  const snapshotId = backup.snapshotId as string;

  it("restores a whole folder identically (content, modes, mtimes, symlinks, empty folders, non-ASCII names)", async () => {
    const target = join(tempDir(), "restored");
    const op = await runAndWait(url, "v1.Backrest/Restore", {
      repoId: "local",
      snapshotId,
      path: source,
      target,
    });
    assert.equal(op.status, "STATUS_SUCCESS", op.displayMessage);
    const restore = op.operationRestore as {
      target: string;
      lastStatus?: { bytesRestored?: string; totalBytes?: string; percentDone?: number };
    };
    assert.equal(restore.target, target);
    assert.equal(restore.lastStatus?.percentDone, 1);
    assert.equal(restore.lastStatus?.bytesRestored, restore.lastStatus?.totalBytes);
    // restic restores the snapshot's absolute path under the target.
    assert.deepEqual(describeTree(join(target, source)), describeTree(source));
  });

  it("restores a single file", async () => {
    const target = join(tempDir(), "one-file");
    const file = join(source, "Grüße ✓", "naïve café.txt");
    const op = await runAndWait(url, "v1.Backrest/Restore", {
      repoId: "local",
      snapshotId,
      path: file,
      target,
    });
    assert.equal(op.status, "STATUS_SUCCESS", op.displayMessage);
    assert.equal(readFileSync(join(target, file), "utf8"), "ünïcödé\n");
  });

  it("defaults to a fresh folder under the data directory", async () => {
    const op = await runAndWait(url, "v1.Backrest/Restore", {
      repoId: "local",
      snapshotId,
      path: join(source, "docs"),
    });
    const target = (op.operationRestore as { target: string }).target;
    assert.ok(target.startsWith(join(daemon.dataDir, "restores")), target);
    assert.equal(
      readFileSync(join(target, source, "docs", "a.txt"), "utf8"),
      "alpha\n".repeat(1000),
    );
  });

  it("refuses a non-empty target, a relative target and traversing paths with clear errors", async () => {
    const nonEmpty = tempDir();
    writeFileSync(join(nonEmpty, "keep.txt"), "mine");
    const cases = [
      { target: nonEmpty, path: source, expect: /exists and is not empty/ },
      { target: "relative/dir", path: source, expect: /absolute/ },
      { target: `${tempDir()}/x/../y`, path: source, expect: /"\.\."/ },
      { target: join(tempDir(), "t"), path: `${source}/../../etc`, expect: /"\.\."/ },
    ];
    for (const c of cases) {
      const res = await callJson(url, "v1.Backrest/Restore", {
        repoId: "local",
        snapshotId,
        path: c.path,
        target: c.target,
      });
      assert.equal((res.body as { code: string }).code, "invalid_argument", res.text);
      assert.match((res.body as { message: string }).message, c.expect);
    }
    assert.equal(readFileSync(join(nonEmpty, "keep.txt"), "utf8"), "mine");
  });

  it("a download link streams a file, a folder as tar, and cannot be altered", async () => {
    const link = async (filePath: string) => {
      const res = await callJson(url, "v1.Backrest/GetDownloadURL", { opId: backup.id, filePath });
      assert.equal(res.status, 200, res.text);
      return (res.body as { value: string }).value;
    };
    const fileLink = await link(join(source, "docs", "a.txt"));
    const file = await fetch(`${url}${fileLink}`);
    assert.equal(file.status, 200);
    assert.equal(await file.text(), "alpha\n".repeat(1000));

    const folderLink = await link(join(source, "Grüße ✓"));
    const tarRes = await fetch(`${url}${folderLink}`);
    assert.equal(tarRes.status, 200);
    assert.equal(tarRes.headers.get("content-type"), "application/x-tar");
    const tarFile = join(tempDir(), "x.tar");
    writeFileSync(tarFile, Buffer.from(await tarRes.arrayBuffer()));
    const listing = await execa("tar", ["-tf", tarFile]);
    assert.match(listing.stdout, /naïve café\.txt/);

    // Altering any part of the token (e.g. to reach another path) breaks the signature.
    const token = fileLink.split("/")[2] as string;
    const [body, sig] = token.split(".") as [string, string];
    const payload = JSON.parse(Buffer.from(body, "base64url").toString()) as { p: { p: string } };
    payload.p.p = "/etc/passwd";
    const forged = `${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${sig}`;
    assert.equal((await fetch(`${url}/download/${forged}/passwd`)).status, 404);
    assert.equal((await fetch(`${url}/download/${body}.${sig.slice(0, -2)}AA/x`)).status, 404);
    assert.equal((await fetch(`${url}/download/garbage/x`)).status, 404);
  });

  it("GetDownloadURL refuses unknown operations and traversing paths", async () => {
    const unknown = await callJson(url, "v1.Backrest/GetDownloadURL", {
      opId: "999999",
      filePath: "/x",
    });
    assert.equal((unknown.body as { code: string }).code, "not_found");
    const traversal = await callJson(url, "v1.Backrest/GetDownloadURL", {
      opId: backup.id,
      filePath: `${source}/../../etc/passwd`,
    });
    assert.equal((traversal.body as { code: string }).code, "invalid_argument");
  });
});
