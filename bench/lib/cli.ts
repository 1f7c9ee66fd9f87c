/** Small pieces every benchmark script shares: settings from the environment, logging. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BenchDaemon } from "./daemon.js";
import type { DirectRestic } from "./restic.js";

/** The repository root (BENCHMARKS.md, .bench/). */
export const ROOT = join(import.meta.dirname, "..", "..");

/** The password of every benchmark repository. */
export const PASSWORD = "restwell benchmark password";

/** The progress rate the daemon gives restic (src/restic/env.ts); direct runs use it too. */
export const PROGRESS_FPS = "2";

/** `value` as a positive integer, `fallback` when unset; throws on anything else. */
export function positiveInt(value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got "${value}"`);
  return n;
}

/** The little both the daemon and direct restic inherit; no RESTIC_* from the caller's shell. */
export function baseEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? tmpdir() };
}

/** restic with the environment the daemon gives it, a cache dir of its own, and our password. */
export function directRestic(cacheDir: string): DirectRestic {
  return {
    command: "restic",
    env: {
      ...baseEnv(),
      RESTIC_PASSWORD: PASSWORD,
      RESTIC_CACHE_DIR: cacheDir,
      RESTIC_PROGRESS_FPS: PROGRESS_FPS,
    },
  };
}

/** A progress line on stderr. */
export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** A benchmark's scratch space: a temp dir, and the daemon it starts once `own`ed. */
export interface Scratch {
  tmp: string;
  /** Hands a started daemon to the scratch, which stops it at the end (and prints its log on failure). */
  own(daemon: BenchDaemon): BenchDaemon;
}

/**
 * Runs `body` with a fresh temp dir; afterwards, on failure and on Ctrl-C, stops the daemon
 * and removes the dir.
 */
export async function withScratch(
  prefix: string,
  body: (scratch: Scratch) => Promise<void>,
): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), prefix));
  let daemon: BenchDaemon | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanUp = () => {
    cleaning ??= (async () => {
      await daemon?.stop();
      rmSync(tmp, { recursive: true, force: true });
    })();
    return cleaning;
  };
  process.once("SIGINT", () => void cleanUp().finally(() => process.exit(130)));
  try {
    await body({
      tmp,
      own: (d) => {
        daemon = d;
        return d;
      },
    });
  } catch (err) {
    if (daemon) process.stderr.write(`daemon log (tail):\n${daemon.logs()}\n`);
    throw err;
  } finally {
    await cleanUp();
  }
}

/** Runs a benchmark's main, reporting a failure on stderr with exit code 1. */
export async function runMain(main: () => Promise<void>): Promise<void> {
  await main().catch((err: unknown) => {
    process.stderr.write(`[bench] failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
