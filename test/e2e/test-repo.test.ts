/**
 * TestRepo against the real daemon and the real restic: each outcome (ok, not a repository,
 * wrong password, unreachable, failed), the redaction marker of a repo being edited, the
 * repo's env and flags, the time limit on a backend that never answers, and that nothing is
 * saved, initialized or leaked.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { freePort, startRestBackend } from "../helpers/backends.js";
import { startTestDaemon } from "../helpers/daemon.js";
import { listSnapshots, restic, TEST_PASSWORD } from "../helpers/data.js";
import { startBackupFixture } from "../helpers/fixture.js";
import { callJson } from "../helpers/http.js";
import { tempDir } from "../helpers/temp.js";

interface TestRepoJson {
  result?: string;
  message?: string;
  repoGuid?: string;
  snapshotCount?: string;
}

interface RepoJson {
  id: string;
  uri: string;
  password?: string;
  env?: string[];
}

/** A bound on calls that must fail at once (far below TestRepo's own 60 s limit). */
const FAST = { timeout: 30_000 };

describe("TestRepo", async () => {
  const fx = await startBackupFixture({ files: 3 });
  const url = fx.daemon.url;
  const backup = await callJson(url, "v1.Backrest/Backup", { value: "plan1" });
  assert.equal(backup.status, 200, backup.text);
  const snapshotCount = (await listSnapshots(fx.repoPath)).length;
  const guid = (
    JSON.parse((await restic(fx.repoPath, ["cat", "config", "--json"])).stdout) as { id: string }
  ).id;
  // Everything after the backup (which recorded the guid) must leave the config as it is.
  const configBefore = readFileSync(fx.daemon.configPath, "utf8");
  const modnoBefore = ((await callJson(url, "v1.Backrest/GetConfig", {})).body as { modno: number })
    .modno;

  /** Calls TestRepo; asserts an answer (not an error) that does not contain `secrets`. */
  async function testRepo(repo: object, secrets: string[] = []): Promise<TestRepoJson> {
    const res = await callJson(url, "v1.Backrest/TestRepo", { repo });
    assert.equal(res.status, 200, res.text);
    for (const secret of secrets) assert.ok(!res.text.includes(secret), `leaked: ${res.text}`);
    return res.body as TestRepoJson;
  }

  it("opens an existing repository: its guid and snapshot count", async () => {
    const res = await testRepo({ id: "probe", uri: fx.repoPath, password: TEST_PASSWORD }, [
      TEST_PASSWORD,
    ]);
    assert.equal(res.result, "RESULT_OK", res.message);
    assert.equal(res.repoGuid, guid);
    assert.equal(snapshotCount, 1);
    assert.equal(res.snapshotCount, "1");
    assert.match(res.message ?? "", /1 snapshot/);
  });

  it("says an empty folder is not a repository, and initializes nothing there", async () => {
    const empty = tempDir();
    const res = await testRepo({ id: "empty", uri: empty, password: TEST_PASSWORD }, [
      TEST_PASSWORD,
    ]);
    assert.equal(res.result, "RESULT_NOT_A_REPOSITORY", res.message);
    assert.match(res.message ?? "", /initializes a new one/);
    assert.equal(res.repoGuid, undefined);
    assert.deepEqual(readdirSync(empty), []);
  });

  it("reports a wrong password without echoing it", async () => {
    const wrong = "not-the-password-Qz81";
    const res = await testRepo({ id: "local", uri: fx.repoPath, password: wrong }, [wrong]);
    assert.equal(res.result, "RESULT_WRONG_PASSWORD", res.message);
    assert.match(res.message ?? "", /check the repo's password/);
  });

  it("reports rest: on a closed loopback port as unreachable, at once", FAST, async () => {
    const port = await freePort();
    const res = await testRepo({
      id: "closed",
      uri: `rest:http://127.0.0.1:${port}/`,
      password: TEST_PASSWORD,
    });
    assert.equal(res.result, "RESULT_UNREACHABLE", res.message);
    assert.match(res.message ?? "", /connection refused/);
    assert.match(res.message ?? "", /check that the server/);
  });

  it("reports a REST server refusing its credentials as unreachable, masking them", async () => {
    const backend = await startRestBackend({ user: "backup", pass: "server-secret-Yt4" });
    const uri = backend.uriWith("backup", "wrong-server-secret-Jw2");
    const res = await testRepo({ id: "rest", uri, password: TEST_PASSWORD }, [
      "wrong-server-secret-Jw2",
      TEST_PASSWORD,
    ]);
    assert.equal(res.result, "RESULT_UNREACHABLE", res.message);
    assert.match(res.message ?? "", /refused/);
  });

  it("applies the repo's env and flags as operations do", async () => {
    const passwordFile = join(tempDir(), "password");
    writeFileSync(passwordFile, TEST_PASSWORD, { mode: 0o600 });
    const byEnv = await testRepo({
      id: "byenv",
      uri: fx.repoPath,
      env: [`RESTIC_PASSWORD_FILE=${passwordFile}`],
    });
    assert.equal(byEnv.result, "RESULT_OK", byEnv.message);
    const byFlag = await testRepo({
      id: "byflag",
      uri: fx.repoPath,
      flags: [`--password-file=${passwordFile}`],
    });
    assert.equal(byFlag.result, "RESULT_OK", byFlag.message);
    const badFlag = await testRepo(
      { id: "flags", uri: fx.repoPath, password: TEST_PASSWORD, flags: ["--limit-upload=x"] },
      [TEST_PASSWORD],
    );
    assert.equal(badFlag.result, "RESULT_FAILED", badFlag.message);
    assert.match(badFlag.message ?? "", /invalid argument "x" for "--limit-upload"/);
  });

  it("tests an existing repo as the edit form holds it (redacted password)", async () => {
    const cfg = (await callJson(url, "v1.Backrest/GetConfig", {})).body as { repos: RepoJson[] };
    const local = cfg.repos.find((r) => r.id === "local");
    assert.equal(local?.password, "<redacted>");
    const res = await testRepo(local ?? {}, [TEST_PASSWORD]);
    assert.equal(res.result, "RESULT_OK", res.message);
    assert.equal(res.repoGuid, guid);
  });

  it("refuses the redaction marker for a repo that has no stored password", async () => {
    const res = await callJson(url, "v1.Backrest/TestRepo", {
      repo: { id: "unknown", uri: fx.repoPath, password: "<redacted>" },
    });
    assert.equal((res.body as { code: string }).code, "invalid_argument", res.text);
    assert.match(res.text, /password: holds the redaction marker/);
  });

  it("refuses a repo without a location before running restic", async () => {
    const res = await callJson(url, "v1.Backrest/TestRepo", {
      repo: { id: "", uri: "", password: "x" },
    });
    assert.equal((res.body as { code: string }).code, "invalid_argument", res.text);
    assert.match(res.text, /uri/);
  });

  it("refuses flags restic could not be started with, naming the field", async () => {
    const res = await callJson(url, "v1.Backrest/TestRepo", {
      repo: { id: "", uri: fx.repoPath, password: "x", flags: ["--no-lock", "a\u0000b"] },
    });
    assert.equal((res.body as { code: string }).code, "invalid_argument", res.text);
    assert.match(res.text, /flags\[1\]: contains a NUL character/);
  });

  it("saved nothing: the config file and its modno are unchanged", async () => {
    assert.equal(readFileSync(fx.daemon.configPath, "utf8"), configBefore);
    const cfg = (await callJson(url, "v1.Backrest/GetConfig", {})).body as {
      modno: number;
      repos: RepoJson[];
    };
    assert.equal(cfg.modno, modnoBefore);
    assert.deepEqual(
      cfg.repos.map((r) => r.id),
      ["local"],
    );
  });
});

describe("TestRepo on a daemon with its own settings", async () => {
  const source = await startBackupFixture({ files: 1 });
  const passwordFile = join(tempDir(), "password");
  writeFileSync(passwordFile, TEST_PASSWORD, { mode: 0o600 });
  const daemon = await startTestDaemon({
    version: 4,
    instance: "limits",
    repos: [{ id: "byfile", uri: source.repoPath, env: [`RESTIC_PASSWORD_FILE=${passwordFile}`] }],
    plans: [],
    auth: { disabled: true },
    settings: { operationTimeoutSeconds: 2 },
  });

  it("restores a redacted secret env entry of the stored repo", async () => {
    const cfg = (await callJson(daemon.url, "v1.Backrest/GetConfig", {})).body as {
      repos: RepoJson[];
    };
    const repo = cfg.repos[0];
    assert.deepEqual(repo?.env, ["RESTIC_PASSWORD_FILE=<redacted>"]);
    const res = await callJson(daemon.url, "v1.Backrest/TestRepo", { repo });
    assert.equal(res.status, 200, res.text);
    assert.equal((res.body as TestRepoJson).result, "RESULT_OK", res.text);
    assert.ok(!res.text.includes(passwordFile), "the stored env value is not shown");
  });

  it("stops at the time limit when the backend accepts connections but never answers", async () => {
    const backend = await startRestBackend();
    backend.pause();
    try {
      const res = await callJson(daemon.url, "v1.Backrest/TestRepo", {
        repo: { id: "paused", uri: backend.uri, password: TEST_PASSWORD },
      });
      assert.equal(res.status, 200, res.text);
      const body = res.body as TestRepoJson;
      assert.equal(body.result, "RESULT_UNREACHABLE", res.text);
      assert.match(body.message ?? "", /did not answer within 2 s/);
    } finally {
      backend.resume();
    }
  });
});
