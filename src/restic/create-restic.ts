/** The Restic factory: typed commands on top of the process seam. */
import { backupArgs, createBackupCollector } from "./backup.js";
import { badOutputError } from "./classify.js";
import { runCommand } from "./command.js";
import { runDiff } from "./diff.js";
import { startDump } from "./dump.js";
import { buildCallEnv } from "./env.js";
import { runForget } from "./forget.js";
import { type InvokeContext, invoke } from "./invoke.js";
import { runKeyAdd, runKeyList, runKeyRemove } from "./keys.js";
import { runLs } from "./ls.js";
import { runCheck, runPrune } from "./maintenance.js";
import { maskSecrets } from "./mask.js";
import { runRestore } from "./restore.js";
import { watchInput } from "./run.js";
import { parseRepoId, parseSnapshots, snapshotsArgs } from "./snapshots.js";
import { runStats } from "./stats.js";
import { runTag } from "./tag.js";
import type {
  BackupOptions,
  BackupResult,
  BackupStatus,
  CallOptions,
  Restic,
  ResticKeys,
  ResticRepo,
  ResticVersion,
  Snapshot,
} from "./types.js";
import { parseResticVersion } from "./version.js";

/** Settings of one Restic instance. */
export interface CreateResticOptions {
  /** Program to run; "restic" unless given, looked up on `env.PATH` (or /usr/bin:/bin without one). */
  command?: string;
  /**
   * The base environment of every call (e.g. PATH, HOME or RESTIC_CACHE_DIR). Nothing of
   * process.env is inherited: the caller decides what restic sees.
   */
  env?: Record<string, string>;
  /** Time between SIGINT and SIGKILL when a call is aborted; 10 s unless given. */
  killGraceMs?: number;
  /** Receives one masked line when each call starts and ends. */
  log?: (line: string) => void;
}

/**
 * Creates the typed access to restic. Every method rejects with ResticError when restic
 * fails and with ResticCancelledError when its signal fires; `version()` is cached after
 * its first success.
 */
export function createRestic(options: CreateResticOptions = {}): Restic & ResticKeys {
  const ctx: InvokeContext = {
    command: options.command ?? "restic",
    baseEnv: { ...options.env },
    killGraceMs: options.killGraceMs ?? 10_000,
    log: options.log,
  };
  let version: Promise<ResticVersion> | undefined;
  const getVersion = () => {
    version ??= loadVersion(ctx).catch((error: unknown) => {
      version = undefined;
      throw error;
    });
    return version;
  };
  return {
    version: getVersion,
    async init(repo, opts) {
      await invoke(ctx, repo, {
        subcommand: "init",
        args: ["init", "--json"],
        signal: opts?.signal,
      });
    },
    repoId: (repo, opts) => repoId(ctx, repo, opts),
    backup: async (repo, backup, opts) => runBackup(ctx, repo, backup, await getVersion(), opts),
    snapshots: (repo, filter, opts) => snapshots(ctx, repo, filter?.tags, opts),
    async unlock(repo, opts) {
      const args = ["unlock", "--json", ...(opts?.removeAll ? ["--remove-all"] : [])];
      await invoke(ctx, repo, { subcommand: "unlock", args, signal: opts?.signal });
    },
    ls: (repo, snapshotId, opts) => runLs(ctx, repo, snapshotId, opts),
    restore: async (repo, restore, opts) =>
      runRestore(ctx, repo, restore, await getVersion(), opts),
    dump: (repo, snapshotId, path, opts) => startDump(ctx, repo, snapshotId, path, opts),
    forget: (repo, forget, opts) => runForget(ctx, repo, forget, opts),
    prune: (repo, prune, opts) => runPrune(ctx, repo, prune, opts),
    check: (repo, check, opts) => runCheck(ctx, repo, check, opts),
    stats: (repo, mode, opts) => runStats(ctx, repo, mode, opts),
    diff: (repo, snapshotA, snapshotB, opts) => runDiff(ctx, repo, snapshotA, snapshotB, opts),
    tag: (repo, snapshotIds, change, opts) => runTag(ctx, repo, snapshotIds, change, opts),
    command: (repo, args, opts) => runCommand(ctx, repo, args, opts),
    keyList: (repo, opts) => runKeyList(ctx, repo, opts),
    keyAdd: (repo, newPassword, opts) => runKeyAdd(ctx, repo, newPassword, opts),
    keyRemove: (repo, keyId, opts) => runKeyRemove(ctx, repo, keyId, opts),
  };
}

async function loadVersion(ctx: InvokeContext): Promise<ResticVersion> {
  const { outcome, run } = await invoke(ctx, undefined, {
    subcommand: "version",
    args: ["version"],
  });
  const version = parseResticVersion(outcome.stdout);
  if (!version) throw badOutputError(run, "printed a version line that could not be read");
  return version;
}

async function repoId(ctx: InvokeContext, repo: ResticRepo, opts?: CallOptions): Promise<string> {
  // Reading the config needs no lock, and a stale lock must not hide which repo this is.
  const args = ["cat", "config", "--json", "--no-lock"];
  const { outcome, run } = await invoke(ctx, repo, {
    subcommand: "cat config",
    args,
    signal: opts?.signal,
  });
  const id = parseRepoId(outcome.stdout);
  if (!id) throw badOutputError(run, "printed a config without an id");
  return id;
}

async function snapshots(
  ctx: InvokeContext,
  repo: ResticRepo,
  tags: string[] | undefined,
  opts?: CallOptions,
): Promise<Snapshot[]> {
  const args = snapshotsArgs(tags);
  const { outcome, run } = await invoke(ctx, repo, {
    subcommand: "snapshots",
    args,
    signal: opts?.signal,
  });
  const list = parseSnapshots(outcome.stdout);
  if (!list) throw badOutputError(run, "printed a snapshot list that is not a JSON array");
  return list;
}

async function runBackup(
  ctx: InvokeContext,
  repo: ResticRepo,
  backup: BackupOptions,
  version: ResticVersion,
  opts?: CallOptions & { onStatus?: (status: BackupStatus) => void },
): Promise<BackupResult> {
  const { secrets } = buildCallEnv(ctx.baseEnv, repo);
  const collector = createBackupCollector(opts?.onStatus, (error) =>
    ctx.log?.(maskSecrets(`restic backup: the onStatus callback threw: ${String(error)}`, secrets)),
  );
  const input = backup.stdin
    ? watchInput(backup.stdin.input, "the input stream", opts?.signal)
    : undefined;
  const { outcome, run } = await invoke(ctx, repo, {
    subcommand: "backup",
    args: backupArgs(backup, version),
    // 3: the snapshot was written but some files could not be read.
    okExitCodes: [0, 3],
    cwd: backup.cwd,
    signal: input?.signal ?? opts?.signal,
    onStdoutLine: collector.onStdoutLine,
    onStderrLine: collector.onStderrLine,
    stdinFrom: backup.stdin?.input,
  }).finally(() => input?.dispose());
  const summary = collector.summary;
  if (!summary) throw badOutputError(run, "finished without printing a summary");
  const result: BackupResult = {
    summary,
    errors: collector.errors,
    partial: outcome.exitCode === 3,
  };
  if (collector.errorsOmitted > 0) result.errorsOmitted = collector.errorsOmitted;
  return result;
}
