/** Source data for backups and direct restic calls used to check what the daemon did. */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";

export const TEST_PASSWORD = "correct horse battery staple";

/** Writes `files` small text files (and optionally one random file of `bigBytes`) under dir. */
export function makeSourceTree(
  dir: string,
  opts: { files?: number; bigBytes?: number } = {},
): string {
  const files = opts.files ?? 20;
  mkdirSync(join(dir, "sub"), { recursive: true });
  for (let i = 0; i < files; i++) {
    writeFileSync(
      join(dir, i % 2 ? "sub" : "", `file-${i}.txt`),
      `content of file ${i}\n`.repeat(i + 1),
    );
  }
  if (opts.bigBytes) writeFileSync(join(dir, "big.bin"), randomBytes(opts.bigBytes));
  return dir;
}

/** Runs restic directly (not through the daemon) against a local repo. */
export async function restic(repo: string, args: string[], password = TEST_PASSWORD) {
  return execa("restic", ["-r", repo, ...args], {
    env: { RESTIC_PASSWORD: password, RESTIC_CACHE_DIR: join(repo, "..", ".restic-cache") },
    reject: false,
  });
}

/** Creates a restic repository with `restic init`. */
export async function initRepo(repo: string, password = TEST_PASSWORD): Promise<void> {
  const r = await restic(repo, ["init"], password);
  if (r.exitCode !== 0) throw new Error(`restic init failed: ${r.stderr}`);
}

export interface SnapshotJson {
  id: string;
  tags?: string[];
  paths: string[];
}

/**
 * Lists the repository's snapshots with `restic snapshots --json --no-lock`: without a lock,
 * so a test that looks while the daemon works never makes the daemon's forget or prune fail
 * on a lock, nor fails itself on the daemon's.
 */
export async function listSnapshots(repo: string): Promise<SnapshotJson[]> {
  const r = await restic(repo, ["snapshots", "--json", "--no-lock"]);
  if (r.exitCode !== 0) throw new Error(`restic snapshots failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as SnapshotJson[];
}
