/**
 * Folder-listing latency: `POST /v1.Backrest/ListSnapshotFiles`, which reads a snapshot's
 * whole tree once with one `restic ls` into the tree index and serves every later folder
 * from there, against `restic ls --json <snapshot> <folder>` run directly for each folder
 * (what Backrest does). Goal: from the second folder on, at least 20 times faster.
 *
 * Data: 50,000 tiny files in 1,000 folders (1,021 with the upper levels), backed up once
 * through the daemon. The first listing (the data's top folder) is timed on its own; then
 * BENCH_FOLDERS (default 30) other folders, picked at random, are listed both ways, the
 * side that goes first alternating per folder. Printed and written to this benchmark's
 * section of BENCHMARKS.md; reported, never asserted.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { timedCall, timedPlanBackup } from "./lib/api.js";
import { type FolderSample, renderBrowseReport } from "./lib/browse-report.js";
import {
  baseEnv,
  directRestic,
  log,
  PASSWORD,
  positiveInt,
  ROOT,
  runMain,
  withScratch,
} from "./lib/cli.js";
import { type BenchDaemon, spawnDaemon } from "./lib/daemon.js";
import { writeSection } from "./lib/markdown.js";
import { environment } from "./lib/overhead-report.js";
import { type DirectRestic, initRepo, resticVersion, runResticOk } from "./lib/restic.js";
import { generateTree, type TreeData } from "./lib/tree-data.js";

const FOLDERS = positiveInt(process.env.BENCH_FOLDERS, 30);
const CALL_TIMEOUT_MS = 3 * 60_000;
const SECTION = "browse-latency";

/** What every timed listing needs. */
interface BrowseContext {
  restic: DirectRestic;
  daemon: BenchDaemon;
  repo: string;
  snapshotId: string;
}

async function main(): Promise<void> {
  await withScratch("restwell-bench-browse-", async ({ tmp, own }) => {
    const restic = directRestic(join(tmp, "direct", "restic-cache"));
    const env = environment(await resticVersion(restic));
    log(`generating the tree in ${tmp}`);
    const data = generateTree(join(tmp, "data"));
    const repo = join(tmp, "repo");
    const guid = await initRepo(restic, repo);
    const daemon = own(await startDaemon(tmp, repo, guid, data));
    log(`daemon listening at ${daemon.url} (${daemon.entry}); backing up ${data.files} files`);
    const backupMs = await backUp(daemon, data);
    const snapshotId = await latestSnapshot(daemon);
    const ctx: BrowseContext = { restic, daemon, repo, snapshotId };
    log(`snapshot ${snapshotId} (backup took ${(backupMs / 1000).toFixed(1)} s)`);
    // Warms the direct side's cache as the backup warmed the daemon's (untimed).
    await directLs(ctx, data.dir);
    const firstMs = (await daemonLs(ctx, data.dir, data.topEntries)).ms;
    const wholeTreeMs = await directLsWholeTree(ctx);
    log(`first listing (reads the whole tree): ${firstMs.toFixed(0)} ms`);
    log(`restic ls of the whole tree, directly: ${wholeTreeMs.toFixed(0)} ms`);
    const samples: FolderSample[] = [];
    for (const [i, folder] of pickFolders(data, FOLDERS).entries()) {
      samples.push(await listBoth(ctx, folder, i % 2 === 0 ? "direct" : "api"));
      const s = samples.at(-1) as FolderSample;
      log(`${folder.path}: restic ls ${s.directMs.toFixed(0)} ms, API ${s.apiMs.toFixed(1)} ms`);
    }
    const report = renderBrowseReport({
      samples,
      firstMs,
      wholeTreeMs,
      backupMs,
      env,
      data,
      daemonEntry: daemon.entry,
    });
    process.stdout.write(`\n${report.summary}`);
    const path = join(ROOT, "BENCHMARKS.md");
    writeSection(path, SECTION, report.markdown);
    log(`wrote the ${SECTION} section of ${path}`);
  });
}

async function startDaemon(tmp: string, repo: string, guid: string, data: TreeData) {
  const config = {
    version: 4,
    instance: "bench",
    repos: [{ id: "r1", uri: repo, password: PASSWORD, guid }],
    plans: [{ id: "p1", repo: "r1", paths: [data.dir] }],
    auth: { disabled: true },
  };
  const configPath = join(tmp, "daemon", "config.json");
  mkdirSync(join(tmp, "daemon"), { recursive: true });
  writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
  return spawnDaemon({ configPath, dataDir: join(tmp, "daemon", "data"), env: baseEnv() });
}

/** Backs up plan p1 and waits for the index that follows it, so nothing runs in the background. */
async function backUp(daemon: BenchDaemon, data: TreeData): Promise<number> {
  const { ms, op } = await timedPlanBackup(daemon, "p1", 10 * 60_000);
  const files = Number(op.operationBackup?.lastStatus?.summary?.totalFilesProcessed);
  if (op.status !== "STATUS_SUCCESS" || files !== data.files) {
    throw new Error(`the backup ended ${op.status} with ${files} files: ${op.displayMessage}`);
  }
  const index = { repoId: "r1", task: "TASK_INDEX_SNAPSHOTS" };
  await timedCall(daemon.url, "DoRepoTask", index, CALL_TIMEOUT_MS);
  return ms;
}

async function latestSnapshot(daemon: BenchDaemon): Promise<string> {
  const { body } = await timedCall<{ snapshots?: { id: string }[] }>(
    daemon.url,
    "ListSnapshots",
    { repoId: "r1" },
    CALL_TIMEOUT_MS,
  );
  const id = body.snapshots?.at(-1)?.id;
  if (!id) throw new Error("ListSnapshots returned no snapshot");
  return id;
}

/** `count` distinct folders below the data's top folder, in random order. */
function pickFolders(data: TreeData, count: number): TreeData["folders"] {
  const pool = [...data.folders];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [pool[i], pool[j]] = [pool[j] as (typeof pool)[number], pool[i] as (typeof pool)[number]];
  }
  return pool.slice(0, Math.min(count, pool.length));
}

/** Lists one folder directly and through the API, `first` going first. */
async function listBoth(
  ctx: BrowseContext,
  folder: TreeData["folders"][number],
  first: FolderSample["first"],
): Promise<FolderSample> {
  const load = loadavg()[0] ?? 0;
  let directMs = 0;
  let apiMs = 0;
  const direct = async () => {
    directMs = await directLs(ctx, folder.path, folder.entries);
  };
  const api = async () => {
    apiMs = (await daemonLs(ctx, folder.path, folder.entries)).ms;
  };
  for (const step of first === "direct" ? [direct, api] : [api, direct]) await step();
  return { folder: folder.path, first, directMs, apiMs, load };
}

/** `ListSnapshotFiles` of `folder`; checks it has `entries` entries. */
async function daemonLs(ctx: BrowseContext, folder: string, entries: number) {
  const request = { repoId: "r1", snapshotId: ctx.snapshotId, path: folder };
  const res = await timedCall<{ entries?: unknown[] }>(
    ctx.daemon.url,
    "ListSnapshotFiles",
    request,
    CALL_TIMEOUT_MS,
  );
  const n = res.body.entries?.length ?? 0;
  if (n !== entries) throw new Error(`ListSnapshotFiles ${folder}: ${n} entries, not ${entries}`);
  return res;
}

/** `restic ls --json <snapshot>`: the whole tree, the one call behind the first listing. */
async function directLsWholeTree(ctx: BrowseContext): Promise<number> {
  const args = ["ls", "--json", "--", ctx.snapshotId];
  return (await runResticOk(ctx.restic, ctx.repo, args, CALL_TIMEOUT_MS)).ms;
}

/**
 * `restic ls --json <snapshot> <folder>`, the per-folder call of Backrest; restic prints the
 * snapshot, the folder itself and its children. Checks the children (when `entries` is set).
 */
async function directLs(ctx: BrowseContext, folder: string, entries?: number): Promise<number> {
  const args = ["ls", "--json", "--", ctx.snapshotId, folder];
  const run = await runResticOk(ctx.restic, ctx.repo, args, CALL_TIMEOUT_MS);
  if (entries !== undefined) {
    const nodes = run.stdout.split("\n").filter((l) => l.includes('"struct_type":"node"'));
    const children = nodes.length - 1;
    if (children !== entries) throw new Error(`restic ls ${folder}: ${children}, not ${entries}`);
  }
  return run.ms;
}

await runMain(main);
