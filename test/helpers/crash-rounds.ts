/**
 * Crash rounds: the daemon runs as a child process in its own process group and is killed with
 * SIGKILL (together with its restic) at a random moment while backups, forgets, prunes and
 * config saves run. After every kill:
 * - the repository passes `restic check` (run with --no-lock while nothing runs, so the stale
 *   locks stay for the daemon to clear);
 * - after a restart, config.json is byte for byte one of the versions that were being saved;
 * - the operation log holds every operation that had finished before the kill, with the same
 *   status, and nothing is left pending or in progress;
 * - a backup succeeds, its follow-ups succeed, and no lock is left in the repository.
 * Choices (actions, delays, sizes) come from a seeded generator; every round logs its seed.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { clone, toJson } from "@bufbuild/protobuf";
import { type Config, ConfigSchema } from "../../gen/v1/config_pb.js";
import { parseConfigJson, serializeConfig } from "../../src/config/index.js";
import {
  type BeforeKill,
  backupSucceeds,
  listOps,
  repoPassesCheck,
  type Setup,
  UNFINISHED,
  verifyRecovered,
} from "./crash-checks.js";
import { type DaemonProcess, spawnDaemon, writeConfig } from "./daemon.js";
import { initRepo, makeSourceTree, TEST_PASSWORD } from "./data.js";
import { callJson, waitFor } from "./http.js";
import { createPrng, type Prng, roundSeed } from "./prng.js";
import { tempDir } from "./temp.js";

/** What a round can start before the kill. */
export const CRASH_ACTIONS = [
  "backup",
  "backup-plan2",
  "forget",
  "forget-repo",
  "prune",
  "config",
] as const;
export type CrashAction = (typeof CRASH_ACTIONS)[number];

export interface CrashRoundsOptions {
  rounds: number;
  seed: number;
  /** Longest wait between starting the actions and the kill (default 5000 ms). */
  maxDelayMs?: number;
  log?: (line: string) => void;
}

export interface CrashRoundsReport {
  rounds: number;
  /** How often each action was started. */
  actions: Record<string, number>;
  /** Operations that were pending or in progress at a kill and found marked failed afterwards. */
  interrupted: number;
  /** Config saves the kill landed in the middle of (neither the first nor the last version kept). */
  configKilledMidBurst: number;
  durationMs: number;
}

/** Runs `rounds` crash rounds on a fresh repo and daemon; throws on the first broken round. */
export async function runCrashRounds(opts: CrashRoundsOptions): Promise<CrashRoundsReport> {
  const started = Date.now();
  const log = opts.log ?? (() => {});
  const setup = await createSetup();
  const report: CrashRoundsReport = {
    rounds: 0,
    actions: {},
    interrupted: 0,
    configKilledMidBurst: 0,
    durationMs: 0,
  };
  let daemon = await spawnDaemon(setup.configPath, setup.dataDir);
  let before: BeforeKill | undefined;
  for (let round = 1; round <= opts.rounds; round++) {
    const seed = roundSeed(opts.seed, round);
    const where = `round ${round}/${opts.rounds} (SEED=${opts.seed}, round seed ${seed})`;
    const laps = createLaps();
    try {
      if (before) report.interrupted += await verifyRecovered(setup, daemon, before);
      await backupSucceeds(setup, daemon);
      laps.lap("verify+backup");
      const rng = createPrng(seed);
      const plan = planRound(rng, opts.maxDelayMs ?? 5000);
      for (const a of plan.actions) report.actions[a] = (report.actions[a] ?? 0) + 1;
      if (plan.restartKill)
        report.actions["restart-kill"] = (report.actions["restart-kill"] ?? 0) + 1;
      changeSources(setup, rng);
      const outcome = await runUntilKilled(setup, daemon, plan, rng);
      if (outcome.midBurst) report.configKilledMidBurst += 1;
      before = outcome.before;
      laps.lap("actions+kill");
      await repoPassesCheck(setup);
      laps.lap("check");
      daemon = await spawnDaemon(setup.configPath, setup.dataDir);
      laps.lap("restart");
      if (plan.restartKill) {
        // Killed again while the restarted daemon may still be recovering (unlocking).
        await sleep(rng.int(0, 800));
        await killGroup(daemon);
        await repoPassesCheck(setup);
        daemon = await spawnDaemon(setup.configPath, setup.dataDir);
        laps.lap("second kill+restart");
      }
      const again = plan.restartKill ? ", killed again while recovering" : "";
      log(
        `${where}: ${plan.actions.join("+")}, kill after ${plan.delayMs} ms${again} (${laps.summary()})`,
      );
      report.rounds = round;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`${where} failed: ${message}\n--- daemon log tail ---\n${tail(daemon)}`, {
        cause: err,
      });
    }
  }
  if (before) report.interrupted += await verifyRecovered(setup, daemon, before);
  await backupSucceeds(setup, daemon);
  await stopGracefully(daemon);
  report.durationMs = Date.now() - started;
  return report;
}

async function createSetup(): Promise<Setup> {
  const dir = tempDir("restwell-crash-");
  const repoPath = join(dir, "repo");
  await initRepo(repoPath);
  const sources = [
    makeSourceTree(join(dir, "src1"), { files: 200, bigBytes: 8 * 1024 * 1024 }),
    makeSourceTree(join(dir, "src2"), { files: 50, bigBytes: 2 * 1024 * 1024 }),
  ];
  const paths = writeConfig(
    {
      instance: "crash-rounds",
      repos: [{ id: "local", uri: repoPath, password: TEST_PASSWORD }],
      plans: [
        {
          id: "plan1",
          repo: "local",
          paths: [sources[0]],
          retention: { policyKeepLastN: 3 },
        },
        {
          id: "plan2",
          repo: "local",
          paths: [sources[1]],
          retention: { policyKeepLastN: 2 },
        },
      ],
      auth: { disabled: true },
      settings: { rateLimitPerMinute: -1 },
    },
    dir,
  );
  return { dir, repoPath, sources, ...paths };
}

interface RoundPlan {
  actions: CrashAction[];
  delayMs: number;
  /** How many config saves a "config" action sends one after another. */
  configSaves: number;
  /** Kill the restarted daemon once more, while its recovery may still be unlocking. */
  restartKill: boolean;
}

function planRound(rng: Prng, maxDelayMs: number): RoundPlan {
  const actions = rng.sample(CRASH_ACTIONS, rng.int(1, 3));
  // A quarter of the kills land while requests are still being taken in.
  const delayMs = rng.next() < 0.25 ? rng.int(0, 300) : rng.int(300, maxDelayMs);
  return { actions, delayMs, configSaves: rng.int(1, 25), restartKill: rng.next() < 0.2 };
}

/** New data each round, so backups write new packs (and a kill can land mid-write). */
function changeSources(setup: Setup, rng: Prng): void {
  const [src1, src2] = setup.sources as [string, string];
  writeFileSync(join(src1, "round.bin"), randomBytes(rng.int(1, 12) * 1024 * 1024));
  writeFileSync(join(src2, `note-${rng.int(0, 9)}.txt`), randomBytes(rng.int(1, 64) * 1024));
}

/** Starts the round's actions, kills the daemon's process group after the delay, returns the state before. */
async function runUntilKilled(
  setup: Setup,
  daemon: DaemonProcess,
  plan: RoundPlan,
  rng: Prng,
): Promise<{ before: BeforeKill; midBurst: boolean }> {
  const candidates = [readFileSync(setup.configPath, "utf8")];
  const problems: string[] = [];
  let killed = false;
  const running = plan.actions.map((action) =>
    startAction(setup, daemon.url, action, {
      candidates,
      problems,
      saves: plan.configSaves,
      rng,
      killed: () => killed,
    }).catch((err: unknown) => {
      // Requests cut by the kill fail; anything that failed before it is a finding.
      if (!killed) problems.push(`${action}: ${err instanceof Error ? err.message : String(err)}`);
    }),
  );
  await sleep(plan.delayMs);
  const ops = await listOps(daemon.url);
  killed = true;
  await killGroup(daemon);
  await Promise.all(running);
  assert.deepEqual(problems, [], "requests failed before the kill");
  const finished = new Map<string, string>();
  const unfinished = new Set<string>();
  for (const op of ops) {
    if (UNFINISHED.has(op.status)) unfinished.add(op.id);
    else finished.set(op.id, op.status);
  }
  const saved = readFileSync(setup.configPath, "utf8");
  const index = candidates.indexOf(saved);
  return {
    before: { candidates, finished, unfinished },
    midBurst: index > 0 && index < candidates.length - 1,
  };
}

interface ActionContext {
  candidates: string[];
  problems: string[];
  saves: number;
  rng: Prng;
  killed: () => boolean;
}

async function startAction(
  setup: Setup,
  url: string,
  action: CrashAction,
  ctx: ActionContext,
): Promise<void> {
  const expectStarted = async (path: string, body: unknown) => {
    const res = await callJson(url, path, body);
    if (res.status !== 200 && !ctx.killed())
      ctx.problems.push(`${path} answered ${res.status}: ${res.text}`);
  };
  switch (action) {
    case "backup":
      return expectStarted("v1.Backrest/StartBackup", { value: "plan1" });
    case "backup-plan2":
      return expectStarted("v1.Backrest/StartBackup", { value: "plan2" });
    case "forget":
      return expectStarted("v1.Backrest/Forget", { repoId: "local", planId: "plan1" });
    case "forget-repo":
      return expectStarted("v1.Backrest/DoRepoTask", { repoId: "local", task: "TASK_FORGET" });
    case "prune":
      return expectStarted("v1.Backrest/DoRepoTask", { repoId: "local", task: "TASK_PRUNE" });
    case "config":
      return saveConfigs(setup, url, ctx);
  }
}

/**
 * Sends `ctx.saves` SetConfig requests one after another, each changing a plan's excludes and a
 * setting. Before each is sent, the exact file it must produce (modno bumped, serialized the way
 * the store does) becomes a candidate; after each answer the file must be exactly that.
 */
async function saveConfigs(setup: Setup, url: string, ctx: ActionContext): Promise<void> {
  let current = parseConfigJson(ctx.candidates[0] as string);
  for (let i = 0; i < ctx.saves && !ctx.killed(); i++) {
    const next = clone(ConfigSchema, current);
    changeConfig(next, ctx.rng.int(1, 1_000_000));
    const expected = clone(ConfigSchema, next);
    expected.modno = current.modno + 1;
    const bytes = serializeConfig(expected);
    ctx.candidates.push(bytes);
    const res = await callJson(url, "v1.Backrest/SetConfig", toJson(ConfigSchema, next));
    if (ctx.killed()) return;
    if (res.status !== 200) {
      ctx.problems.push(`SetConfig answered ${res.status}: ${res.text}`);
      return;
    }
    const onDisk = readFileSync(setup.configPath, "utf8");
    if (onDisk !== bytes && !ctx.killed())
      ctx.problems.push(
        `SetConfig saved other bytes than expected:\n${onDisk}\nexpected:\n${bytes}`,
      );
    current = expected;
  }
}

function changeConfig(cfg: Config, n: number): void {
  const plan = cfg.plans.find((p) => p.id === "plan1");
  assert.ok(plan && cfg.settings, "the fixture config has plan1 and settings");
  plan.excludes = [`*.nomatch-${n}`, ...(n % 2 ? [`/never/${n}`] : [])];
  cfg.settings.logRetentionDays = 1 + (n % 100);
}

/** SIGKILLs the daemon's whole process group (the daemon and its restic) and waits for it. */
async function killGroup(daemon: DaemonProcess): Promise<void> {
  const pid = daemon.child.pid;
  assert.ok(pid, "the daemon has a pid");
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
  await daemon.child;
  await waitFor(async () => !groupAlive(pid), 10_000, `process group ${pid} to end`);
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopGracefully(daemon: DaemonProcess): Promise<void> {
  daemon.child.kill("SIGTERM");
  const exit = await daemon.child;
  assert.equal(exit.exitCode, 0, tail(daemon));
}

function tail(daemon: DaemonProcess): string {
  return daemon.logs().split("\n").slice(-25).join("\n");
}

/** Durations of a round's steps, for the log. */
function createLaps() {
  let last = Date.now();
  const laps: string[] = [];
  return {
    lap(what: string) {
      const now = Date.now();
      laps.push(`${what} ${now - last} ms`);
      last = now;
    },
    summary: () => laps.join(", "),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
