/** GetStorageUsage from real stats runs: the newest size, 30-day growth, history and totals. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { startBackupFixture } from "../helpers/fixture.js";
import { callJson, type OpJson, runAndWait } from "../helpers/http.js";
import { tempDir } from "../helpers/temp.js";

interface RepoUsageJson {
  repoId: string;
  totalSize?: string;
  totalUncompressedSize?: string;
  restoreSize?: string;
  snapshotCount?: string;
  growth30days?: string;
  measuredAtMs?: string;
  alertBytes?: string;
  overAlert?: boolean;
  history?: { timeMs: string; totalSize: string }[];
}

interface UsageJson {
  repos: RepoUsageJson[];
  totalSize?: string;
  totalUncompressedSize?: string;
  totalSnapshots?: string;
  growth30days?: string;
}

const n = (value: string | undefined) => Number(value ?? 0);

describe("GetStorageUsage", async () => {
  const fx = await startBackupFixture({ files: 5 });
  const url = fx.daemon.url;

  /** Runs TASK_STATS on a repo and returns the stats it recorded. */
  async function stats(repoId: string) {
    const op = await runAndWait(url, "v1.Backrest/DoRepoTask", { repoId, task: "TASK_STATS" });
    assert.equal(op.status, "STATUS_SUCCESS", op.displayMessage);
    return (op.operationStats as { stats: Record<string, string> }).stats;
  }

  async function backup() {
    const res = await callJson(url, "v1.Backrest/Backup", { value: "plan1" });
    assert.equal((res.body as OpJson).status, "STATUS_SUCCESS", res.text);
  }

  it("reports the newest size, growth since the first run in 30 days, and two history points", async () => {
    await backup();
    const first = await stats("local");
    // Incompressible data, so the repository grows by about this much.
    writeFileSync(join(fx.sourceDir, "grown.bin"), randomBytes(3 * 1024 * 1024));
    await backup();
    const second = await stats("local");
    assert.ok(n(second.totalSize) > n(first.totalSize), "the backup added data");

    const res = await callJson(url, "v1.Backrest/GetStorageUsage", { repoId: "local" });
    assert.equal(res.status, 200, res.text);
    const usage = res.body as UsageJson;
    assert.equal(usage.repos.length, 1);
    const repo = usage.repos[0] as RepoUsageJson;
    assert.equal(repo.repoId, "local");
    assert.equal(repo.totalSize, second.totalSize);
    assert.equal(repo.restoreSize, second.restoreSize);
    assert.equal(repo.snapshotCount, "2");
    assert.equal(n(repo.growth30days), n(second.totalSize) - n(first.totalSize));
    assert.ok(n(repo.growth30days) > 3 * 1000 * 1000, `growth ${repo.growth30days}`);
    assert.deepEqual(
      repo.history?.map((p) => p.totalSize),
      [first.totalSize, second.totalSize],
    );
    assert.ok(n(repo.history?.[0]?.timeMs) <= n(repo.history?.[1]?.timeMs));
    assert.equal(repo.measuredAtMs, repo.history?.[1]?.timeMs);
    assert.equal(repo.overAlert ?? false, false, "no alert configured");
  });

  it("sums every repo into the totals and marks a repo over its storageAlertBytes", async () => {
    const add = await callJson(url, "v1.Backrest/AddRepo", {
      repo: { id: "second", uri: join(tempDir(), "second"), password: "second-Pw-1234" },
    });
    assert.equal(add.status, 200, add.text);
    const cfg = add.body as { repos: Record<string, unknown>[] };
    (cfg.repos.find((r) => r.id === "local") as Record<string, unknown>).storageAlertBytes = "1";
    const set = await callJson(url, "v1.Backrest/SetConfig", cfg);
    assert.equal(set.status, 200, set.text);
    await stats("second");

    const res = await callJson(url, "v1.Backrest/GetStorageUsage", {});
    assert.equal(res.status, 200, res.text);
    const usage = res.body as UsageJson;
    assert.deepEqual(
      usage.repos.map((r) => r.repoId),
      ["local", "second"],
    );
    const [local, second] = usage.repos as [RepoUsageJson, RepoUsageJson];
    assert.equal(n(usage.totalSize), n(local.totalSize) + n(second.totalSize));
    assert.equal(
      n(usage.totalUncompressedSize),
      n(local.totalUncompressedSize) + n(second.totalUncompressedSize),
    );
    assert.equal(n(usage.totalSnapshots), 2);
    assert.equal(n(usage.growth30days), n(local.growth30days) + n(second.growth30days));
    assert.equal(second.history?.length, 1);
    assert.deepEqual([local.alertBytes, local.overAlert], ["1", true]);
    assert.equal(second.overAlert ?? false, false);
  });

  it("an unknown repo is NOT_FOUND", async () => {
    const res = await callJson(url, "v1.Backrest/GetStorageUsage", { repoId: "nope" });
    assert.equal(res.status, 404, res.text);
    assert.equal((res.body as { code: string }).code, "not_found");
  });
});
