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
}
