/**
 * A repository with many snapshots, made once and kept under `.bench/` (gitignored) for
 * later runs: snapshots are encrypted with the repository key, so the only honest way to
 * make them is one `restic backup` each (about 0.6 s of mostly key derivation on a small
 * machine). They run a few at a time (backup takes a shared lock) and an interrupted build
 * resumes where it stopped.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { log } from "./cli.js";
import { type DirectRestic, initRepo, runResticOk } from "./restic.js";

/** A finished repository of `count` snapshots. */
export interface SnapshotRepo {
  path: string;
  guid: string;
  count: number;
  /** Wall time of the build, in ms (of the run that finished it, when it was resumed). */
  buildMs: number;
  /** False when a finished cached repository was reused. */
  built: boolean;
}

/** Tags of every generated snapshot: a plan of the daemon's config, made by another instance. */
export const SNAPSHOT_TAGS = ["plan:p1", "created-by:elsewhere"];

const BACKUP_TIMEOUT_MS = 2 * 60_000;
/** Snapshot times: one a minute from here, so each is distinct and none is in the future. */
const FIRST_TIME_MS = Date.UTC(2024, 0, 1);

/**
 * The cached repository of `count` snapshots under `cacheDir`, building (or finishing) it
 * first when needed with `concurrency` restic processes at a time.
 */
export async function cachedSnapshotRepo(
  restic: DirectRestic,
  cacheDir: string,
  count: number,
  concurrency: number,
): Promise<SnapshotRepo> {
  const dir = join(cacheDir, `snapshots-${count}`);
  const path = join(dir, "repo");
  const marker = join(dir, "complete.json");
  if (existsSync(marker)) {
    const done = JSON.parse(readFileSync(marker, "utf8")) as SnapshotRepo;
    return { ...done, path, built: false };
  }
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  const guid = existsSync(join(path, "config"))
    ? await repoId(restic, path)
    : await initRepo(restic, path);
  const source = join(dir, "source");
  mkdirSync(source, { recursive: true });
  writeFileSync(join(source, "hello.txt"), "a tiny folder, backed up many times\n");
  const have = snapshotFiles(path);
  if (have > count) throw new Error(`${path} has ${have} snapshots, more than ${count}`);
  log(`making ${count - have} snapshots in ${path} (${have} there already; one-time cost)`);
  let next = have;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      await backupAt(restic, path, source, FIRST_TIME_MS + index * 60_000);
      if (index % 100 === 99) log(`  ${index + 1}/${count} snapshots`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const made = snapshotFiles(path);
  if (made !== count) throw new Error(`${path} has ${made} snapshots, expected ${count}`);
  const repo: SnapshotRepo = {
    path,
    guid,
    count,
    buildMs: performance.now() - started,
    built: true,
  };
  writeFileSync(marker, `${JSON.stringify(repo, null, 2)}\n`);
  return repo;
}

/**
 * One small `restic backup` of `source` dated `timeMs` (restic's --time is local time).
 * `--force` skips the search for a parent snapshot, which reads every snapshot so far.
 */
async function backupAt(restic: DirectRestic, repo: string, source: string, timeMs: number) {
  const t = new Date(timeMs);
  const pad = (n: number) => String(n).padStart(2, "0");
  const time = `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())} ${pad(t.getHours())}:${pad(t.getMinutes())}:00`;
  const tags = SNAPSHOT_TAGS.map((tag) => `--tag=${tag}`);
  await runResticOk(
    restic,
    repo,
    ["backup", "--json", "--force", "--host=bench-host", `--time=${time}`, ...tags, "--", source],
    BACKUP_TIMEOUT_MS,
  );
}

/** The number of snapshot files of a local repository (no restic call, no key needed). */
function snapshotFiles(repo: string): number {
  const dir = join(repo, "snapshots");
  return existsSync(dir) ? readdirSync(dir).length : 0;
}

async function repoId(restic: DirectRestic, repo: string): Promise<string> {
  const config = await runResticOk(restic, repo, ["cat", "config", "--json"], 60_000);
  const id = (JSON.parse(config.stdout) as { id?: unknown }).id;
  if (typeof id !== "string") throw new Error(`restic cat config printed no id: ${config.stdout}`);
  return id;
}
