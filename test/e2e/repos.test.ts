/** AddRepo and RemoveRepo against the real restic. */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { initRepo, restic, TEST_PASSWORD } from "../helpers/data.js";
import { startBackupFixture } from "../helpers/fixture.js";
import { callJson } from "../helpers/http.js";
import { tempDir } from "../helpers/temp.js";

type Cfg = { modno: number; repos?: { id: string; guid?: string; password?: string }[] };

describe("AddRepo and RemoveRepo", async () => {
  const fx = await startBackupFixture({ files: 2 });
  const url = fx.daemon.url;

  it("AddRepo initializes a repository that does not exist yet and records its guid", async () => {
    const path = join(tempDir(), "new-repo");
    const res = await callJson(url, "v1.Backrest/AddRepo", {
      repo: { id: "fresh", uri: path, password: TEST_PASSWORD },
    });
    assert.equal(res.status, 200, res.text);
    const repo = (res.body as Cfg).repos?.find((r) => r.id === "fresh");
    assert.ok(repo, "repo added");
    assert.equal(repo.password, "<redacted>");
    const id = JSON.parse((await restic(path, ["cat", "config", "--json"])).stdout) as {
      id: string;
    };
    assert.equal(repo.guid, id.id);
    const onDisk = JSON.parse(readFileSync(fx.daemon.configPath, "utf8")) as Cfg;
    assert.equal(onDisk.repos?.find((r) => r.id === "fresh")?.password, TEST_PASSWORD);
  });

  it("AddRepo of an existing repository reads its guid without re-initializing it", async () => {
    const path = join(tempDir(), "existing");
    await initRepo(path);
    const id = JSON.parse((await restic(path, ["cat", "config", "--json"])).stdout) as {
      id: string;
    };
    const res = await callJson(url, "v1.Backrest/AddRepo", {
      repo: { id: "existing", uri: path, password: TEST_PASSWORD },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal((res.body as Cfg).repos?.find((r) => r.id === "existing")?.guid, id.id);
  });

  it("AddRepo with the wrong password says so, leaks nothing and adds nothing", async () => {
    const path = join(tempDir(), "locked-out");
    await initRepo(path);
    const before = readFileSync(fx.daemon.configPath, "utf8");
    const wrong = "definitely-not-the-password";
    const res = await callJson(url, "v1.Backrest/AddRepo", {
      repo: { id: "wrongpw", uri: path, password: wrong },
    });
    assert.equal(res.status, 400, res.text);
    assert.equal((res.body as { code: string }).code, "failed_precondition");
    assert.match(res.text, /password/i);
    assert.ok(!res.text.includes(wrong), "the password must not appear in the error");
    assert.equal(readFileSync(fx.daemon.configPath, "utf8"), before);
  });

  it("AddRepo with an invalid id is refused before restic runs", async () => {
    const path = join(tempDir(), "never-created");
    const res = await callJson(url, "v1.Backrest/AddRepo", {
      repo: { id: "bad id", uri: path, password: "x" },
    });
    assert.equal((res.body as { code: string }).code, "invalid_argument");
    assert.equal(existsSync(path), false);
  });

  it("RemoveRepo refuses while plans use the repo", async () => {
    const res = await callJson(url, "v1.Backrest/RemoveRepo", { value: "local" });
    assert.equal((res.body as { code: string }).code, "invalid_argument");
    assert.match((res.body as { message: string }).message, /plan1/);
  });

  it("RemoveRepo removes the repo and its history but never its data", async () => {
    const backup = await callJson(url, "v1.Backrest/Backup", { value: "plan1" });
    assert.equal(backup.status, 200, backup.text);
    const cfg = (await callJson(url, "v1.Backrest/GetConfig", {})).body as Cfg & {
      plans: unknown[];
    };
    const res = await callJson(url, "v1.Backrest/SetConfig", { ...cfg, plans: [] });
    assert.equal(res.status, 200, res.text);
    const removed = await callJson(url, "v1.Backrest/RemoveRepo", { value: "local" });
    assert.equal(removed.status, 200, removed.text);
    assert.equal(
      (removed.body as Cfg).repos?.some((r) => r.id === "local"),
      false,
    );
    const ops = await callJson(url, "v1.Backrest/GetOperations", { selector: { repoId: "local" } });
    assert.deepEqual(ops.body, {});
    const snaps = await restic(fx.repoPath, ["snapshots", "--json"]);
    assert.equal(
      (JSON.parse(snaps.stdout) as unknown[]).length,
      1,
      "the repository keeps its snapshot",
    );
    const missing = await callJson(url, "v1.Backrest/RemoveRepo", { value: "local" });
    assert.equal((missing.body as { code: string }).code, "not_found");
  });
});
