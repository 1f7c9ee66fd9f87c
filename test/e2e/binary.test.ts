/**
 * dist/restwell, the single executable (`make binary`), on a PATH with restic and no node:
 * it serves the API and the embedded web UI, runs a real backup (SQLite through the embedded
 * addon), works as its own client, and leaves no extracted files behind when it stops.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { delimiter, join } from "node:path";
import { after, describe, it } from "node:test";
import { execa } from "execa";
import { writeConfig } from "../helpers/daemon.js";
import { initRepo, makeSourceTree, TEST_PASSWORD } from "../helpers/data.js";
import { callJson, type OpJson } from "../helpers/http.js";
import { tempDir } from "../helpers/temp.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BINARY = join(ROOT, "dist", "restwell");
const MANIFEST = join(ROOT, "dist", "sea", "sea-manifest.json");

/** The real restic on this machine's PATH. */
function findRestic(): string {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const file = join(dir, "restic");
    if (dir && existsSync(file)) return file;
  }
  throw new Error("restic is not on PATH");
}

const built = existsSync(BINARY);

describe("the single executable", {
  skip: built ? false : "dist/restwell is not built: run `make binary` (make test builds it)",
}, async () => {
  const dir = tempDir();
  const bin = join(dir, "bin");
  const tmp = join(dir, "tmp");
  mkdirSync(bin);
  mkdirSync(tmp);
  symlinkSync(findRestic(), join(bin, "restic"));
  // Nothing but restic: no node, no sh.
  const env = { PATH: bin, HOME: dir, TMPDIR: tmp };
  const repoPath = join(dir, "repo");
  await initRepo(repoPath);
  const source = makeSourceTree(join(dir, "src"), { files: 7 });
  const { configPath, dataDir } = writeConfig(
    {
      instance: "sea",
      repos: [{ id: "local", uri: repoPath, password: TEST_PASSWORD }],
      plans: [{ id: "plan1", repo: "local", paths: [source] }],
      auth: { disabled: true },
    },
    dir,
  );

  const child = execa(
    BINARY,
    ["serve", "--config-file", configPath, "--data-dir", dataDir, "--bind-address", "127.0.0.1:0"],
    { env, extendEnv: false, reject: false, stdin: "ignore", buffer: false },
  );
  after(() => child.kill("SIGKILL"));
  let logs = "";
  child.stderr?.on("data", (b: Buffer) => {
    logs += b.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not start:\n${logs}`)), 30_000);
    child.stderr?.on("data", () => {
      const m = /restwell is listening url=(\S+)/.exec(logs);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void child.then((r) => reject(new Error(`exited ${r.exitCode} before listening:\n${logs}`)));
  });

  it("prints its help without node", async () => {
    assert.equal(existsSync(join(bin, "node")), false);
    const r = await execa(BINARY, ["--help"], { env, extendEnv: false, reject: false });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /^ {2}import-backrest /m);
  });

  it("serves the API and runs a backup with real restic and SQLite", async () => {
    const cfg = await callJson(url, "v1.Backrest/GetConfig", {});
    assert.equal(cfg.status, 200, cfg.text);
    assert.equal((cfg.body as { instance: string }).instance, "sea");
    const res = await callJson(url, "v1.Backrest/Backup", { value: "plan1" });
    assert.equal(res.status, 200, res.text);
    const op = res.body as OpJson;
    assert.equal(op.status, "STATUS_SUCCESS", op.displayMessage);
    assert.match(op.snapshotId ?? "", /^[0-9a-f]{8,64}$/);
  });

  it("serves the web UI it embeds", async (t) => {
    const embedded = JSON.parse(readFileSync(MANIFEST, "utf8")) as string[];
    if (!embedded.includes("web/index.html")) {
      t.skip("dist/web was not built when dist/restwell was (make web)");
      return;
    }
    const res = await fetch(`${url}/`, { headers: { accept: "text/html" } });
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /<title>Restwell<\/title>/);
    // Every file the page loads is one the executable embeds (dist/web may have been rebuilt
    // since), and is served from it.
    const refs = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1] as string);
    assert.ok(refs.length > 0, html);
    for (const ref of refs) {
      assert.ok(embedded.includes(`web/${ref}`), `${ref} is embedded`);
      const asset = await fetch(`${url}/${ref}`);
      assert.equal(asset.status, 200, ref);
      assert.match(asset.headers.get("cache-control") ?? "", /immutable/);
      await asset.arrayBuffer();
    }
  });

  it("is its own client: restwell backup and ops", async () => {
    const clientEnv = { ...env, RESTWELL_SERVER: url };
    const backup = await execa(BINARY, ["backup", "plan1"], {
      env: clientEnv,
      extendEnv: false,
      reject: false,
    });
    assert.equal(backup.exitCode, 0, String(backup.stderr));
    assert.match(String(backup.stdout), /^backup of plan "plan1" succeeded/);
    const ops = await execa(BINARY, ["ops", "--json"], {
      env: clientEnv,
      extendEnv: false,
      reject: false,
    });
    const list = JSON.parse(String(ops.stdout)) as { operations: OpJson[] };
    assert.equal(list.operations.filter((o) => o.operationBackup).length, 2);
  });

  it("stops on SIGTERM and removes the files it extracted", async () => {
    assert.notDeepEqual(readdirSync(tmp), [], "embedded files were extracted under TMPDIR");
    child.kill("SIGTERM");
    const r = await child;
    assert.equal(r.exitCode, 0, logs);
    assert.deepEqual(readdirSync(tmp), []);
  });
});
