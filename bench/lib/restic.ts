/**
 * restic run directly by the benchmark, not through the daemon: the baseline the daemon is
 * compared with, plus the set-up calls (init, repository id, version).
 */
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";

/** The environment and binary of direct restic calls. */
export interface DirectRestic {
  command: string;
  /** The whole environment of every call; nothing of process.env is added. */
  env: Record<string, string>;
}

/** How one call ended. */
export interface DirectRun {
  exitCode: number | null;
  stdout: string;
  /** Last few KB of stderr. */
  stderr: string;
  /** Wall time from spawn to exit with output drained, in ms. */
  ms: number;
}

const STDERR_TAIL = 8 * 1024;

/**
 * Runs `restic args` against `repo` (passed as RESTIC_REPOSITORY). Rejects when restic
 * cannot start or runs longer than `timeoutMs` (it is then killed); a non-zero exit is
 * returned, not thrown.
 */
export function runRestic(
  restic: DirectRestic,
  repo: string | undefined,
  args: readonly string[],
  timeoutMs: number,
): Promise<DirectRun> {
  const env = repo ? { ...restic.env, RESTIC_REPOSITORY: repo } : restic.env;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(restic.command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      stdout += s;
    });
    child.stderr.setEncoding("utf8").on("data", (s: string) => {
      stderr = (stderr + s).slice(-STDERR_TAIL);
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`restic ${args[0]} took longer than ${timeoutMs / 1000} s; killed it`));
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${restic.command}: ${err.message}`));
    });
    child.on("close", (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** Like runRestic, but rejects unless restic exits 0. */
export async function runResticOk(
  restic: DirectRestic,
  repo: string | undefined,
  args: readonly string[],
  timeoutMs: number,
): Promise<DirectRun> {
  const run = await runRestic(restic, repo, args, timeoutMs);
  if (run.exitCode !== 0) {
    throw new Error(`restic ${args.join(" ")} exited with ${run.exitCode}:\n${run.stderr}`);
  }
  return run;
}

/** `restic version`, e.g. "restic 0.14.0 compiled with go1.19.8 on linux/amd64". */
export async function resticVersion(restic: DirectRestic): Promise<string> {
  return (await runResticOk(restic, undefined, ["version"], 30_000)).stdout.trim();
}

/** Creates the repository with `restic init` and returns its id (the daemon's repo guid). */
export async function initRepo(restic: DirectRestic, repo: string): Promise<string> {
  await runResticOk(restic, repo, ["init"], 60_000);
  const config = await runResticOk(restic, repo, ["cat", "config", "--json"], 60_000);
  const id = (JSON.parse(config.stdout) as { id?: unknown }).id;
  if (typeof id !== "string") throw new Error(`restic cat config printed no id: ${config.stdout}`);
  return id;
}

/** The parts of the `summary` message the benchmark checks. */
export interface BackupSummary {
  files: number;
  bytes: number;
  snapshotId: string;
}

/**
 * Runs `restic backup --json` with the argv the daemon builds (tags, `--`, paths) and
 * returns its wall time and summary. Rejects when restic fails or prints no summary.
 */
export async function timedBackup(
  restic: DirectRestic,
  repo: string,
  opts: { paths: string[]; tags: string[]; timeoutMs: number },
): Promise<{ ms: number; summary: BackupSummary }> {
  const args = ["backup", "--json", ...opts.tags.map((t) => `--tag=${t}`), "--", ...opts.paths];
  const run = await runResticOk(restic, repo, args, opts.timeoutMs);
  return { ms: run.ms, summary: parseSummary(run.stdout) };
}

function parseSummary(stdout: string): BackupSummary {
  for (const line of stdout.split("\n").reverse()) {
    if (!line.includes('"summary"')) continue;
    const msg = JSON.parse(line) as Record<string, unknown>;
    if (msg.message_type !== "summary") continue;
    return {
      files: Number(msg.total_files_processed),
      bytes: Number(msg.total_bytes_processed),
      snapshotId: String(msg.snapshot_id),
    };
  }
  throw new Error("restic backup printed no summary message");
}
