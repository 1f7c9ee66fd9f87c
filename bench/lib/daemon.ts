/**
 * The daemon as benchmarks run it: `restwell serve` in a child process on 127.0.0.1:0,
 * reached over plain HTTP the way curl and scripts reach it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..");
const COMPILED_MAIN = join(ROOT, "dist", "src", "main.js");
const LOG_TAIL = 16 * 1024;

/** Log lines recorded from a point on. */
export interface LogCapture {
  /** Everything logged since capture() was called (until stop()). */
  text(): string;
  stop(): void;
}

/** A running daemon child process. */
export interface BenchDaemon {
  url: string;
  /** How it was started, e.g. "node dist/src/main.js". */
  entry: string;
  /** The last few KB of what it logged. */
  logs(): string;
  /** Starts recording what it logs from now on. */
  capture(): LogCapture;
  /** SIGTERM, then SIGKILL of its process group after `graceMs`; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `restwell serve` with `env` as its whole environment and debug logging (which
 * times each restic call): the compiled build (`make build`) when there is one, the
 * TypeScript sources through tsx otherwise. Resolves with its URL once it logs that it is
 * listening.
 */
export async function spawnDaemon(opts: {
  configPath: string;
  dataDir: string;
  env: Record<string, string>;
  startTimeoutMs?: number;
  /** Extra options for node itself, e.g. `--cpu-prof` (not allowed in NODE_OPTIONS). */
  nodeArgs?: string[];
}): Promise<BenchDaemon> {
  const compiled = existsSync(COMPILED_MAIN);
  const entryArgs = compiled ? [COMPILED_MAIN] : ["--import", "tsx", join(ROOT, "src", "main.ts")];
  const args = [
    ...(opts.nodeArgs ?? []),
    ...entryArgs,
    "serve",
    ...["--config-file", opts.configPath, "--data-dir", opts.dataDir],
    ...["--bind-address", "127.0.0.1:0", "--log-level", "debug"],
  ];
  // Its own process group, so a stuck daemon can be killed together with its restic children.
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: opts.env,
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let logs = "";
  const captures = new Set<{ text: string }>();
  child.stderr?.setEncoding("utf8").on("data", (s: string) => {
    logs = (logs + s).slice(-LOG_TAIL);
    for (const c of captures) c.text += s;
  });
  const url = await waitForUrl(child, () => logs, opts.startTimeoutMs ?? 30_000);
  return {
    url,
    entry: compiled ? "node dist/src/main.js" : "node --import tsx src/main.ts",
    logs: () => logs,
    capture() {
      const c = { text: "" };
      captures.add(c);
      return { text: () => c.text, stop: () => captures.delete(c) };
    },
    stop: (graceMs = 15_000) => stopChild(child, graceMs),
  };
}

function waitForUrl(child: ChildProcess, logs: () => string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error, url?: string) => {
      clearTimeout(timer);
      child.stderr?.off("data", check);
      child.off("exit", onExit);
      if (url) resolve(url);
      else reject(err);
    };
    const check = () => {
      const m = /restwell is listening url=(\S+)/.exec(logs());
      if (m?.[1]) done(undefined, m[1]);
    };
    const onExit = (code: number | null) =>
      done(new Error(`the daemon exited (${code}) before listening:\n${logs()}`));
    const timer = setTimeout(() => {
      killGroup(child);
      done(new Error(`the daemon did not listen within ${timeoutMs / 1000} s:\n${logs()}`));
    }, timeoutMs);
    child.stderr?.on("data", check);
    child.on("exit", onExit);
  });
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => killGroup(child), graceMs);
  await exited;
  clearTimeout(timer);
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}
