/**
 * Two backups on two repositories at once against the same two one after the other, through
 * the daemon: each iteration backs data set A up to one fresh repository and data set B
 * (similar: same sizes, other random content) to another, both started together (StartBackup
 * both, WaitOperation both), and the same two one after the other to two more fresh
 * repositories (each timed on its own, the daemon's follow-up index drained in between).
 * Ratio = at once / one after the other, median over iterations. Goal: at most 0.65 on two
 * cores. Also reads how much CPU restic used (the daemon's reaped children, /proc), which
 * bounds what running two at once can gain. Printed and written to this benchmark's section
 * of BENCHMARKS.md; never asserted.
 *
 * Environment: BENCH_RUNS (iterations, default 4).
 */
import { join } from "node:path";
import {
  awaitIndexed,
  type BenchRepo,
  initRepos,
  runBackups,
  writeBackupConfig,
} from "./lib/backup-runs.js";
import { baseEnv, directRestic, log, positiveInt, ROOT, runMain, withScratch } from "./lib/cli.js";
import { spawnDaemon } from "./lib/daemon.js";
import { changeDataSet, DEFAULT_DATA_SET, generateDataSet } from "./lib/data.js";
import { writeSection } from "./lib/markdown.js";
import { environment } from "./lib/overhead-report.js";
import { type Iteration, renderParallelReport, type Timed } from "./lib/parallel-report.js";
import { cpuTimesOf, findDaemonPid, load } from "./lib/proc.js";
import { resticVersion } from "./lib/restic.js";

const RUNS = positiveInt(process.env.BENCH_RUNS, 4);

async function main(): Promise<void> {
  await withScratch("restwell-bench-parallel-", async ({ tmp, own }) => {
    const restic = directRestic(join(tmp, "direct-cache"));
    const env = environment(await resticVersion(restic));
    log(`generating two data sets in ${tmp}`);
    const a = generateDataSet(join(tmp, "data-a"), DEFAULT_DATA_SET);
    const b = generateDataSet(join(tmp, "data-b"), DEFAULT_DATA_SET);
    // Per iteration: serial A and B, parallel A and B; one more pair warms up.
    const names = Array.from({ length: RUNS + 1 }, (_, i) => [
      { name: `${i}-serial-a`, paths: [a.dir] },
      { name: `${i}-serial-b`, paths: [b.dir] },
      { name: `${i}-parallel-a`, paths: [a.dir] },
      { name: `${i}-parallel-b`, paths: [b.dir] },
    ]).flat();
    log(`initializing ${names.length} repositories (untimed)`);
    const repos = await initRepos(restic, join(tmp, "repos"), names);
    const configPath = writeBackupConfig(join(tmp, "daemon"), repos);
    const dataDir = join(tmp, "daemon", "data");
    const daemon = own(await spawnDaemon({ configPath, dataDir, env: baseEnv() }));
    const pid = findDaemonPid(dataDir);
    log(`daemon at ${daemon.url} (${daemon.entry}); warming up (untimed)`);
    const byName = new Map(repos.map((r) => [r.repoId.slice(2), r]));
    const repo = (name: string) => byName.get(name) as BenchRepo;
    const timed = (planIds: string[]) => timedBackups(daemon.url, pid, planIds);
    await timed([repo("0-serial-a").planId, repo("0-serial-b").planId]);
    await timed([repo("0-parallel-a").planId]);
    const initial: Iteration[] = [];
    const incremental: Iteration[] = [];
    for (let i = 1; i <= RUNS; i++) {
      const serialFirst = i % 2 === 1;
      // Initial backups to fresh repositories, then, on top of them, incremental ones after
      // the same change to both data sets.
      initial.push(await iteration(i, serialFirst, timed, repo, "initial"));
      changeDataSet(a.dir);
      changeDataSet(b.dir);
      incremental.push(await iteration(i, serialFirst, timed, repo, "incremental"));
    }
    const report = renderParallelReport({
      initial,
      incremental,
      env,
      dataBytes: a.bytes + b.bytes,
      files: a.files,
      daemonEntry: daemon.entry,
    });
    process.stdout.write(`\n${report.summary}\n`);
    writeSection(join(ROOT, "BENCHMARKS.md"), "parallel-repos", report.markdown);
    log("wrote the parallel-repos section of BENCHMARKS.md");
  });
}

/** Iteration `i` of one kind: A and B one after the other, and A and B at once. */
async function iteration(
  i: number,
  serialFirst: boolean,
  timed: (planIds: string[]) => Promise<Timed>,
  repo: (name: string) => BenchRepo,
  kind: "initial" | "incremental",
): Promise<Iteration> {
  const loadAvg = load().load1;
  const runSerial = async () => [
    await timed([repo(`${i}-serial-a`).planId]),
    await timed([repo(`${i}-serial-b`).planId]),
  ];
  const runParallel = () => timed([repo(`${i}-parallel-a`).planId, repo(`${i}-parallel-b`).planId]);
  let serial: Timed[];
  let parallel: Timed;
  if (serialFirst) {
    serial = await runSerial();
    parallel = await runParallel();
  } else {
    parallel = await runParallel();
    serial = await runSerial();
  }
  const serialMs = serial.reduce((n, s) => n + s.ms, 0);
  log(
    `run ${i} (${kind}): one after the other ${(serialMs / 1000).toFixed(2)} s, at once ${(parallel.ms / 1000).toFixed(2)} s, ratio ${(parallel.ms / serialMs).toFixed(3)}`,
  );
  return { run: i, serialFirst, serial, parallel, load: loadAvg };
}

/**
 * Runs the backups of `planIds` at once and times them; reads restic's CPU time from the
 * daemon's reaped children; then drains the follow-up index of each (untimed).
 */
async function timedBackups(url: string, pid: number, planIds: string[]): Promise<Timed> {
  const before = cpuTimesOf(pid);
  const { ms, ops } = await runBackups(url, planIds);
  const after = cpuTimesOf(pid);
  await awaitIndexed(url, ops);
  return {
    ms,
    opSpans: ops.map((op) => ({
      startMs: Number(op.unixTimeStartMs),
      endMs: Number(op.unixTimeEndMs),
    })),
    resticCpuS: after.children - before.children,
    daemonCpuS: after.self - before.self,
  };
}

await runMain(main);
