/** GET /metrics: Prometheus text with backup, snapshot, repository and operation metrics, behind auth. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hashPassword } from "../../src/auth/password.js";
import { startBackupFixture } from "../helpers/fixture.js";
import { callJson, waitFor } from "../helpers/http.js";

describe("metrics", async () => {
  const auth = { user: "alice", password: "pw-for-metrics" };
  const fx = await startBackupFixture({
    files: 3,
    auth: { users: [{ name: "alice", passwordBcrypt: await hashPassword(auth.password) }] },
  });
  const url = fx.daemon.url;
  const basic = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString("base64")}`;

  it("requires credentials", async () => {
    const res = await fetch(`${url}/metrics`);
    assert.equal(res.status, 401);
    assert.match(res.headers.get("www-authenticate") ?? "", /^Basic/);
  });

  it("reports the last backup, snapshots, repository size and operations by type and status", async () => {
    const backup = await callJson(url, "v1.Backrest/Backup", { value: "plan1" }, auth);
    assert.equal(backup.status, 200, backup.text);
    const stats = await callJson(
      url,
      "v1.Backrest/DoRepoTask",
      { repoId: "local", task: "TASK_STATS" },
      auth,
    );
    const id = (stats.body as { operationId: string }).operationId;
    await callJson(url, "v1.Backrest/WaitOperation", { operationId: id }, auth);
    const text = await waitFor(
      async () => {
        const res = await fetch(`${url}/metrics`, { headers: { authorization: basic } });
        const body = await res.text();
        return res.status === 200 && /restwell_snapshots\{plan="plan1",repo=""\} 1/.test(body)
          ? body
          : undefined;
      },
      30_000,
      "the snapshot to be indexed and reported",
    );
    assert.match(text, /restwell_backup_last_success\{plan="plan1"\} 1/);
    assert.match(text, /restwell_backup_last_bytes_added\{plan="plan1"\} [1-9]/);
    assert.match(text, /restwell_repo_size_bytes\{repo="local"\} [1-9]/);
    assert.match(text, /restwell_operations\{type="backup",status="STATUS_SUCCESS"\} 1/);
    assert.match(text, /restwell_process_resident_memory_bytes/);
  });
});
