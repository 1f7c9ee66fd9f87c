/**
 * 100 clients following the operation log (GetOperationEvents, Connect protocol over HTTP/1.1,
 * one connection each) while a backup runs, against the same backup with nobody listening.
 * Checks that every subscriber received every change the log committed meanwhile (the log's
 * modno counter rises by one per written operation, so a subscriber that missed an event has
 * a gap) and so each progress update of the backup; and compares the backup's duration with
 * and without subscribers (interleaved, each to a fresh repository, median of the per-pair
 * ratios). The subscribers run in a process of their own at the lowest CPU priority (nice 19),
 * standing in for remote clients, so that on two cores they do not take CPU time from restic
 * that remote clients would not; they keep the bytes as they arrive and decode them after the
 * backup. Goals: no subscriber misses a progress update; with 100
 * subscribers the backup
 * takes at most 1.05 times as long. Printed and written to this benchmark's section of
 * BENCHMARKS.md; never asserted.
 *
 * Environment: BENCH_RUNS (pairs, default 6), BENCH_SUBSCRIBERS (default 100).
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import {
  awaitIndexed,
  type BenchRepo,
  initRepos,
  operationMs,
  runBackups,
  writeBackupConfig,
} from "./lib/backup-runs.js";
import { baseEnv, directRestic, log, positiveInt, ROOT, runMain, withScratch } from "./lib/cli.js";
import { spawnDaemon } from "./lib/daemon.js";
import { generateDataSet } from "./lib/data.js";
import { writeSection } from "./lib/markdown.js";
import { environment } from "./lib/overhead-report.js";
import { cpuTimesOf, findDaemonPid, load } from "./lib/proc.js";
import { resticVersion } from "./lib/restic.js";
import { openSubscriberProcess, type RemoteSubscribers } from "./lib/subscriber-process.js";
import { type BackupRun, renderSubscribersReport } from "./lib/subscribers-report.js";

const RUNS = positiveInt(process.env.BENCH_RUNS, 6);
const SUBSCRIBERS = positiveInt(process.env.BENCH_SUBSCRIBERS, 100);
/** About 1 GiB in 5,000 files: a backup long enough for a few dozen progress updates. */
const DATA_SET = {
  largeFiles: 40,
  largeFileBytes: 24 * 1024 * 1024,
  smallFiles: 4_960,
  smallMinBytes: 512,
  smallMaxBytes: 2_560,
  filesPerDir: 100,
};

async function main(): Promise<void> {
  await withScratch("restwell-bench-subscribers-", async ({ tmp, own }) => {
    const restic = directRestic(join(tmp, "direct-cache"));
    const env = environment(await resticVersion(restic));
    log(`generating the data set in ${tmp}`);
    const data = generateDataSet(join(tmp, "data"), DATA_SET);
    const names = Array.from({ length: 2 * RUNS + 1 }, (_, i) => ({
      name: String(i),
      paths: [data.dir],
    }));
    log(`initializing ${names.length} repositories (untimed)`);
    const repos = await initRepos(restic, join(tmp, "repos"), names);
    const configPath = writeBackupConfig(join(tmp, "daemon"), repos);
    const dataDir = join(tmp, "daemon", "data");
    const daemon = own(await spawnDaemon({ configPath, dataDir, env: baseEnv() }));
    const pid = findDaemonPid(dataDir);
    log(`daemon at ${daemon.url} (${daemon.entry}); warming up with ${SUBSCRIBERS} subscribers`);
    const [warmUp, ...measured] = repos as [BenchRepo, ...BenchRepo[]];
    await oneBackup(daemon.url, pid, warmUp, SUBSCRIBERS);
    const runs: BackupRun[] = [];
    for (let pair = 0; pair < RUNS; pair++) {
      // Alternate which goes first, so neither always follows the other's leftovers.
      const order = pair % 2 === 0 ? [0, SUBSCRIBERS] : [SUBSCRIBERS, 0];
      for (const [i, subscribers] of order.entries()) {
        const repo = measured[2 * pair + i] as BenchRepo;
        const run = { pair: pair + 1, ...(await oneBackup(daemon.url, pid, repo, subscribers)) };
        runs.push(run);
        log(
          `pair ${run.pair}, ${subscribers} subscribers: ${(run.ms / 1000).toFixed(2)} s` +
            (subscribers > 0
              ? `, progress updates seen ${run.delivery?.progressMin}-${run.delivery?.progressMax} of ${run.delivery?.progressAll}, gaps ${run.delivery?.gaps}`
              : ""),
        );
        rmSync(repo.uri, { recursive: true, force: true });
      }
    }
    const report = renderSubscribersReport({
      runs,
      subscribers: SUBSCRIBERS,
      env,
      dataBytes: data.bytes,
      files: data.files,
      daemonEntry: daemon.entry,
    });
    process.stdout.write(`\n${report.summary}\n`);
    writeSection(join(ROOT, "BENCHMARKS.md"), "event-subscribers", report.markdown);
    log("wrote the event-subscribers section of BENCHMARKS.md");
  });
}

/**
 * One backup of `repo`'s plan with `subscribers` clients following the log (connected and
 * subscribed before it starts, closed after its last event arrived), drained of its follow-up
 * index afterwards.
 */
async function oneBackup(
  url: string,
  pid: number,
  repo: BenchRepo,
  subscribers: number,
): Promise<Omit<BackupRun, "pair">> {
  let subs: RemoteSubscribers | undefined;
  if (subscribers > 0) subs = await openSubscriberProcess(url, subscribers);
  try {
    const loadAvg = load().load1;
    const before = cpuTimesOf(pid);
    const clientBefore = (await subs?.cpuSeconds()) ?? 0;
    const { ms, ops } = await runBackups(url, [repo.planId]);
    const clientAfter = (await subs?.cpuSeconds()) ?? 0;
    const after = cpuTimesOf(pid);
    const op = ops[0];
    if (!op) throw new Error("no backup operation");
    const delivery = subs ? await subs.delivery(op) : undefined;
    await awaitIndexed(url, ops);
    return {
      subscribers,
      ms,
      opMs: operationMs(op),
      daemonCpuS: after.self - before.self,
      clientCpuS: clientAfter - clientBefore,
      load: loadAvg,
      delivery,
    };
  } finally {
    subs?.close();
  }
}

await runMain(main);
