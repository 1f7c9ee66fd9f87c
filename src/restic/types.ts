/**
 * The restic module's public types. Nothing here knows about config, proto or the API:
 * callers describe a repository with plain values.
 */

/** How to reach one repository. Secrets go to restic by environment, never argv. */
export interface ResticRepo {
  /** Repository location (path, rest:, sftp:, s3:...). */
  uri: string;
  /** Repository password (RESTIC_PASSWORD). */
  password?: string;
  /** Extra environment for restic, e.g. RESTIC_PASSWORD_FILE or cloud credentials. */
  env?: Record<string, string>;
  /** Extra global flags for every command. */
  flags?: string[];
}

export interface ResticVersion {
  /** e.g. "0.14.0" */
  version: string;
  major: number;
  minor: number;
  patch: number;
}

export interface BackupOptions {
  paths: string[];
  excludes?: string[];
  iexcludes?: string[];
  tags?: string[];
  /** Extra flags for `restic backup`. */
  flags?: string[];
  dryRun?: boolean;
  /**
   * Make no snapshot when nothing changed since the parent (restic >= 0.17
   * `--skip-if-unchanged`); ignored by older restic, which always makes one.
   */
  skipIfUnchanged?: boolean;
  /** Working directory for restic (relative paths resolve against it). */
  cwd?: string;
  /**
   * Back up a stream instead of `paths` (`--stdin --stdin-filename`): the snapshot holds
   * one file named `filename` with the stream's bytes. Only a stream that ends normally
   * makes a snapshot: if it errors or is destroyed first, restic is stopped before it
   * reaches the end of its input and the call rejects with ResticCancelledError.
   */
  stdin?: { filename: string; input: NodeJS.ReadableStream };
}

/** A `status` message of `restic backup --json`. */
export interface BackupStatus {
  percentDone: number;
  totalFiles: number;
  filesDone: number;
  totalBytes: number;
  bytesDone: number;
  currentFiles: string[];
  secondsElapsed: number;
  /** Absent until restic can estimate it. */
  secondsRemaining?: number;
}

/** The `summary` message of `restic backup --json`. */
export interface BackupSummary {
  filesNew: number;
  filesChanged: number;
  filesUnmodified: number;
  dirsNew: number;
  dirsChanged: number;
  dirsUnmodified: number;
  dataBlobs: number;
  treeBlobs: number;
  dataAdded: number;
  totalFilesProcessed: number;
  totalBytesProcessed: number;
  /** Seconds. */
  totalDuration: number;
  /** Empty on a dry run. */
  snapshotId: string;
}

/** A file restic could not read (JSON `error` message on stderr). */
export interface BackupFileError {
  item: string;
  during: string;
  message: string;
}

export interface BackupResult {
  summary: BackupSummary;
  /** Per-file errors; non-empty when restic exited 3 (partial snapshot). */
  errors: BackupFileError[];
  /** True when restic exited 3: the snapshot was made but some files are missing. */
  partial: boolean;
  /** Per-file errors beyond the first 1000, counted but not kept in `errors`. */
  errorsOmitted?: number;
}

export interface Snapshot {
  id: string;
  shortId: string;
  time: string;
  unixTimeMs: number;
  hostname: string;
  username: string;
  tree: string;
  parent: string;
  paths: string[];
  tags: string[];
}

/** Per-call options of long-running commands. */
export interface CallOptions {
  /** Aborting sends restic SIGINT, then SIGKILL after a grace period. */
  signal?: AbortSignal;
}

/** Typed access to the restic binary. The only code that spawns restic. */
export interface Restic {
  version(): Promise<ResticVersion>;
  /** `restic init`. */
  init(repo: ResticRepo, opts?: CallOptions): Promise<void>;
  /** The repository's id from `restic cat config --json`. Throws ResticError kind "repo-not-found" when there is none. */
  repoId(repo: ResticRepo, opts?: CallOptions): Promise<string>;
  /** `restic backup --json`; onStatus gets every progress message. */
  backup(
    repo: ResticRepo,
    backup: BackupOptions,
    opts?: CallOptions & { onStatus?: (status: BackupStatus) => void },
  ): Promise<BackupResult>;
  /** `restic snapshots --json`, optionally limited to snapshots carrying all of `tags`. */
  snapshots(
    repo: ResticRepo,
    filter?: { tags?: string[] },
    opts?: CallOptions,
  ): Promise<Snapshot[]>;
  /** `restic unlock` (stale locks only, unless removeAll). */
  unlock(repo: ResticRepo, opts?: CallOptions & { removeAll?: boolean }): Promise<void>;
  /**
   * `restic ls --json <snapshot> [path]`: streams every node of the snapshot's tree (or,
   * with `path`, that path and its direct children, or its subtree with `recursive`) to
   * onNode, in restic's order, without holding the list in memory. Resolves with the
   * snapshot it listed. A path not in the snapshot lists nothing (restic does not fail).
   * The whole tree includes the parent folders of the backed-up paths (e.g. /home).
   * If onNode throws, restic is stopped and the call rejects with that error.
   */
  ls(
    repo: ResticRepo,
    snapshotId: string,
    opts: CallOptions & {
      path?: string;
      /** With `path`: list its whole subtree; without, only the path and its direct children. */
      recursive?: boolean;
      onNode: (node: LsNode) => void;
    },
  ): Promise<Snapshot>;
  /**
   * `restic restore <snapshot> --target <dir> [--include path]`. Files land under their
   * full snapshot path (`<dir>/home/me/x` for `/home/me/x`). onProgress gets restic's
   * progress where restic reports it as JSON (0.16+); 0.14 reports none. onOutput gets
   * every text line (masked), including stderr's per-file errors.
   */
  restore(
    repo: ResticRepo,
    restore: RestoreOptions,
    opts?: CallOptions & {
      onProgress?: (p: RestoreProgress) => void;
      onOutput?: (line: string) => void;
    },
  ): Promise<RestoreResult>;
  /**
   * `restic dump [--archive tar] <snapshot> <path>`: a file's content, or a folder as a tar
   * archive (restic's default for folders), streamed with backpressure. `stream` must be
   * consumed; `done` settles when restic has exited and its output is delivered (rejecting
   * with ResticError on failure, e.g. a path that is not in the snapshot or a symlink).
   * On failure the stream is destroyed with the same error, so a truncated download never
   * looks complete. Destroying the stream early stops restic; `done` then rejects with
   * ResticCancelledError.
   */
  dump(
    repo: ResticRepo,
    snapshotId: string,
    path: string,
    opts?: CallOptions & { archive?: "tar" | "zip" },
  ): { stream: NodeJS.ReadableStream; done: Promise<void> };
  /**
   * `restic forget --json`: either explicit snapshot ids, or a keep policy applied to the
   * snapshots carrying all of `tags` (grouped as `groupBy`, default "" = one group).
   * Returns the groups restic reports with what it kept and removed. With no id and no
   * keep rule above 0, restic is not run and the result is [] (restic would refuse or
   * ignore such a policy). With ids, restic 0.14 reports no groups: the result is [].
   */
  forget(repo: ResticRepo, forget: ForgetOptions, opts?: CallOptions): Promise<ForgetGroup[]>;
  /** `restic prune`; onOutput gets each (masked) text line. Resolves with the whole (capped) output. */
  prune(
    repo: ResticRepo,
    prune: { maxUnused?: string },
    opts?: CallOptions & { onOutput?: (line: string) => void },
  ): Promise<string>;
  /**
   * `restic check [--read-data-subset x]`; onOutput gets each (masked) line. Rejects with
   * ResticError kind "failed" saying the repository has errors when restic found damage.
   * Only reading data (readDataSubset) finds damaged pack contents.
   */
  check(
    repo: ResticRepo,
    check: { readDataSubset?: string },
    opts?: CallOptions & { onOutput?: (line: string) => void },
  ): Promise<string>;
  /** `restic stats --json --mode <mode>` (with a shared lock: "locked" while a prune runs). */
  stats(
    repo: ResticRepo,
    mode: "restore-size" | "raw-data",
    opts?: CallOptions,
  ): Promise<RepoStatsResult>;
  /**
   * `restic diff --json <a> <b>`: the paths that changed from snapshot `a` to snapshot `b`
   * and restic's totals, streamed: at most `maxChanges` (default 10,000) changes are kept,
   * the rest only counted. Rejects with ResticError kind "snapshot-not-found" for an id that
   * is not in the repository.
   */
  diff(
    repo: ResticRepo,
    snapshotA: string,
    snapshotB: string,
    opts?: CallOptions & { maxChanges?: number },
  ): Promise<DiffResult>;
  /**
   * `restic tag --add/--remove ... <ids>` on the given snapshots; nothing happens for no
   * ids or no tags. restic stores each changed snapshot under a NEW id (the old one is in
   * its `original` field), so re-read snapshots afterwards. A tag with a comma is refused.
   */
  tag(
    repo: ResticRepo,
    snapshotIds: string[],
    change: { add?: string[]; remove?: string[] },
    opts?: CallOptions,
  ): Promise<void>;
  /**
   * Runs `restic <args>` as given (no shell) for a user's RunCommand; onOutput gets every
   * stdout/stderr line (masked). Resolves with the exit code (non-zero is not an error here).
   * Refuses (ResticError kind "failed", restic not started) flags that would switch the
   * repository or password: -r/--repo, --repository-file, -p/--password-file,
   * --password-command, --insecure-no-password.
   */
  command(
    repo: ResticRepo,
    args: string[],
    opts?: CallOptions & { onOutput?: (line: string) => void },
  ): Promise<{ exitCode: number }>;
}

/** One node of `restic ls --json`. */
export interface LsNode {
  name: string;
  /** "file", "dir", "symlink", "dev", "chardev", "fifo", "socket". */
  type: string;
  /** Absolute path inside the snapshot. */
  path: string;
  uid: number;
  gid: number;
  size: number;
  /** Go's os.FileMode bits as restic prints them. */
  mode: number;
  mtime: string;
  atime: string;
  ctime: string;
  /** Symlinks only (restic >= 0.15 prints it; empty otherwise). */
  linkTarget: string;
}

export interface RestoreOptions {
  snapshotId: string;
  /** Absolute folder to restore into. */
  target: string;
  /** Restore only these absolute snapshot paths (restic --include). Empty: everything. */
  include?: string[];
}

export interface RestoreProgress {
  percentDone: number;
  totalFiles: number;
  filesRestored: number;
  totalBytes: number;
  bytesRestored: number;
  secondsElapsed: number;
  /** restic >= 0.17: files left as they were because they already matched. */
  filesSkipped?: number;
  bytesSkipped?: number;
}

export interface RestoreResult {
  /** restic's final JSON summary where it prints one (0.16+); undefined on 0.14. */
  summary?: RestoreProgress;
}

export interface ForgetOptions {
  /** Forget exactly these snapshots (no policy). */
  snapshotIds?: string[];
  /** Keep rules; a rule of 0 or undefined is not passed. */
  keep?: {
    last?: number;
    hourly?: number;
    daily?: number;
    weekly?: number;
    monthly?: number;
    yearly?: number;
  };
  /** Only snapshots carrying all of these tags are considered (restic --tag a,b). */
  tags?: string[];
  /** restic --group-by; "" puts every selected snapshot in one group. Default "". */
  groupBy?: string;
  dryRun?: boolean;
}

/** One group of `restic forget --json`. */
export interface ForgetGroup {
  tags: string[];
  host: string;
  paths: string[];
  keep: Snapshot[];
  remove: Snapshot[];
}

export interface RepoStatsResult {
  totalSize: number;
  totalFileCount: number;
  totalBlobCount: number;
  snapshotsCount: number;
  /** restic >= 0.15 (compression) only. */
  totalUncompressedSize?: number;
  compressionRatio?: number;
  /** restic >= 0.15: percent of the data stored compressed. */
  compressionProgress?: number;
  /** restic >= 0.15: percent of space compression saved. */
  compressionSpaceSaving?: number;
}

/** One `change` line of `restic diff --json`. */
export interface DiffChange {
  /** Absolute path in the snapshots; folders end with "/". */
  path: string;
  /**
   * "+" added, "-" removed, "M" content changed, "T" type changed, "U" metadata changed
   * (with --metadata), "?" bitrot.
   */
  modifier: string;
}

/** What one side of `restic diff` statistics counts (added or removed). */
export interface DiffCounts {
  files: number;
  dirs: number;
  /** Symlinks, devices, fifos, sockets. */
  others: number;
  dataBlobs: number;
  treeBlobs: number;
  /** Bytes of the blobs added or removed (not of the files). */
  bytes: number;
}

/** The `statistics` line of `restic diff --json`. */
export interface DiffStatistics {
  /** The ids as given on the command line (0.14 prints them as given, e.g. a prefix). */
  sourceSnapshot: string;
  targetSnapshot: string;
  /** Files whose content changed ("M"). */
  changedFiles: number;
  added: DiffCounts;
  removed: DiffCounts;
}

/** What `restic diff` found. */
export interface DiffResult {
  /** The changes in restic's order (by path), at most the call's maximum. */
  changes: DiffChange[];
  /** True when restic reported more changes than were kept. */
  truncated: boolean;
  /** How many changes were left out of `changes`. */
  omitted: number;
  statistics: DiffStatistics;
}

/** One key of `restic key list --json`. */
export interface ResticKey {
  /** Short id as restic prints it (a prefix `key remove` accepts). */
  id: string;
  /** True for the key the call's password opened. */
  current: boolean;
  userName: string;
  hostName: string;
  created: string;
}

/**
 * Key management: a capability apart from {@link Restic}, so code that only backs up never
 * sees it. createRestic() returns both.
 */
export interface ResticKeys {
  /** `restic key list --json`: every key; `current` marks the one `repo.password` opened. */
  keyList(repo: ResticRepo, opts?: CallOptions): Promise<ResticKey[]>;
  /**
   * `restic key add`: adds a key opened by `newPassword` (passed in a private temp file,
   * removed afterwards). `repo.password` must open an existing key.
   */
  keyAdd(repo: ResticRepo, newPassword: string, opts?: CallOptions): Promise<void>;
  /** `restic key remove <id>`; restic refuses to remove the key `repo.password` opened. */
  keyRemove(repo: ResticRepo, keyId: string, opts?: CallOptions): Promise<void>;
}
