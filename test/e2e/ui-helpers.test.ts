/** The RPCs that help the web UI fill in forms: ListLocalPaths and PreviewRetention. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startBackupFixture } from "../helpers/fixture.js";
import { callJson } from "../helpers/http.js";

interface Decision {
  snapshot: { id: string; planId: string };
  keep?: boolean;
  reasons?: string[];
}

describe("UI helper RPCs", async () => {
  const fx = await startBackupFixture({ files: 3 });
  const url = fx.daemon.url;
  for (let i = 0; i < 3; i++) {
    const r = await callJson(url, "v1.Backrest/Backup", { value: "plan1" });
    assert.equal(r.status, 200, r.text);
  }
  const preview = async (body: object) => {
    const r = await callJson(url, "v1.Backrest/PreviewRetention", body);
    return {
      status: r.status,
      body: r.body as { snapshots?: Decision[]; code?: string },
      text: r.text,
    };
  };

  it("PreviewRetention decides for each of the plan's snapshots, newest first", async () => {
    const r = await preview({ planId: "plan1", policy: { policyKeepLastN: 2 } });
    assert.equal(r.status, 200, r.text);
    const decisions = r.body.snapshots ?? [];
    assert.equal(decisions.length, 3);
    assert.deepEqual(
      decisions.map((d) => Boolean(d.keep)),
      [true, true, false],
    );
    assert.deepEqual(decisions[0]?.reasons, ["last snapshot"]);
    assert.ok(decisions.every((d) => d.snapshot.planId === "plan1"));
    // Nothing was forgotten.
    const listed = await callJson(url, "v1.Backrest/ListSnapshots", { repoId: "local" });
    assert.equal((listed.body as { snapshots: unknown[] }).snapshots.length, 3);
  });

  it("PreviewRetention uses the plan's own policy when none is sent", async () => {
    const r = await preview({ planId: "plan1" });
    assert.equal(r.status, 200, r.text);
    assert.ok((r.body.snapshots ?? []).every((d) => d.keep));
  });

  it("PreviewRetention names an unknown plan", async () => {
    const r = await preview({ planId: "nope" });
    assert.equal(r.status, 404);
    assert.equal((r.body as { message?: string }).message, 'plan "nope" does not exist');
  });

  it("ListLocalPaths lists the daemon's folders for autocomplete", async () => {
    const r = await callJson(url, "v1.Backrest/ListLocalPaths", { prefix: `${fx.sourceDir}/` });
    assert.equal(r.status, 200, r.text);
    const body = r.body as { dir: string; entries: { path: string; isDir?: boolean }[] };
    assert.equal(body.dir, fx.sourceDir);
    assert.deepEqual(body.entries[0], { path: `${fx.sourceDir}/sub`, isDir: true });
    assert.ok(body.entries.some((e) => e.path === `${fx.sourceDir}/file-0.txt` && !e.isDir));
    const bad = await callJson(url, "v1.Backrest/ListLocalPaths", { prefix: "relative/path" });
    assert.equal(bad.status, 400);
  });
});
