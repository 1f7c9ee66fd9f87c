/** Listing the daemon's file system for path autocomplete. */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { listLocalPaths } from "../../src/orchestrator/local-paths.js";
import { tempDir } from "../helpers/temp.js";

describe("local paths", () => {
  const dir = tempDir();
  mkdirSync(join(dir, "Documents"));
  mkdirSync(join(dir, "Downloads"));
  writeFileSync(join(dir, "Doc.txt"), "x");
  writeFileSync(join(dir, "other"), "x");

  it("lists a folder given with a trailing slash, folders first", async () => {
    const r = await listLocalPaths(`${dir}/`);
    assert.equal(r.dir, dir);
    assert.deepEqual(
      r.entries.map((e) => [e.path.slice(dir.length + 1), e.isDir]),
      [
        ["Documents", true],
        ["Downloads", true],
        ["Doc.txt", false],
        ["other", false],
      ],
    );
  });

  it("filters by what follows the last slash, and by folders only", async () => {
    const r = await listLocalPaths(`${dir}/Do`);
    assert.deepEqual(
      r.entries.map((e) => e.path),
      [`${dir}/Documents`, `${dir}/Downloads`, `${dir}/Doc.txt`],
    );
    const dirs = await listLocalPaths(`${dir}/Do`, { dirsOnly: true });
    assert.deepEqual(
      dirs.entries.map((e) => e.path),
      [`${dir}/Documents`, `${dir}/Downloads`],
    );
  });

  it("lists the root and returns nothing for a folder that cannot be read", async () => {
    assert.ok((await listLocalPaths("/")).entries.some((e) => e.path === "/tmp"));
    assert.deepEqual((await listLocalPaths(`${dir}/missing/`)).entries, []);
  });

  it("refuses relative paths", async () => {
    await assert.rejects(listLocalPaths("home/me"), { name: "ValidationError" });
  });
});
