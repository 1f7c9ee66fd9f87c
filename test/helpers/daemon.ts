/**
 * Starts a real daemon for end-to-end tests: in-process on a port-0 server, or as a child
 * process (for signal and crash tests). Both use the real restic and SQLite.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after } from "node:test";
import { execa, type ResultPromise } from "execa";
import { type Daemon, startDaemon } from "../../src/daemon.js";
import { silentLogger } from "../../src/log.js";
import { tempDir } from "./temp.js";

const ROOT = join(import.meta.dirname, "..", "..");

export interface TestDaemon extends Daemon {
  configPath: string;
  dataDir: string;
}

/** Writes a config file (Backrest JSON) into a fresh temp dir and returns its paths. */
export function writeConfig(
  config: object,
  dir = tempDir(),
): { configPath: string; dataDir: string } {
  const configPath = join(dir, "config.json");
  writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
  return { configPath, dataDir: join(dir, "data") };
}

/** Starts the daemon in this process on 127.0.0.1:0; stopped when the test file ends. */
export async function startTestDaemon(
  config?: object,
  opts: { keepAliveMs?: number } = {},
): Promise<TestDaemon> {
  const dir = tempDir();
  const paths = config
    ? writeConfig(config, dir)
    : { configPath: join(dir, "config.json"), dataDir: join(dir, "data") };
  const dataDir = paths.dataDir;
  const daemon = await startDaemon({
    configPath: paths.configPath,
    dataDir,
    bindAddress: "127.0.0.1:0",
    resticCommand: "restic",
    resticEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root" },
    log: silentLogger,
    keepAliveMs: opts.keepAliveMs,
  });
  after(() => daemon.stop());
  return { ...daemon, configPath: paths.configPath, dataDir };
}

export interface DaemonProcess {
  url: string;
  child: ResultPromise;
  /** Everything the daemon wrote to stderr so far. */
  logs(): string;
}

/**
 * Runs `restwell serve` as a child process in its own process group (so a test can kill
 * the daemon together with its restic children, like a power cut) and waits until it listens.
 * `restic` runs another restic command (a test wrapper) with extra environment.
 */
export async function spawnDaemon(
  configPath: string,
  dataDir: string,
  restic?: { command: string; env?: Record<string, string> },
): Promise<DaemonProcess> {
  const args = [
    "--config-file",
    configPath,
    "--data-dir",
    dataDir,
    "--bind-address",
    "127.0.0.1:0",
    ...(restic ? ["--restic-cmd", restic.command] : []),
  ];
  return spawnRestwell(["serve", ...args], restic?.env);
}

/** Runs `restwell <args>` from source with extra environment and waits until it listens. */
export async function spawnRestwell(
  args: string[],
  env: Record<string, string> = {},
): Promise<DaemonProcess> {
  const child = execa(
    process.execPath,
    ["--import", "tsx", join(ROOT, "src", "main.ts"), ...args],
    {
      cwd: ROOT,
      env,
      detached: true,
      reject: false,
      stdin: "ignore",
      buffer: false,
      cleanup: true,
    },
  );
  let stderr = "";
  child.stderr?.on("data", (b: Buffer) => {
    stderr += b.toString();
  });
  after(() => {
    try {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`daemon did not start:\n${stderr}`)), 30_000);
    const check = () => {
      const m = /restwell is listening url=(\S+)/.exec(stderr);
      if (m?.[1]) {
        clearTimeout(timer);
        child.stderr?.off("data", check);
        resolve(m[1]);
      }
    };
    child.stderr?.on("data", check);
    void child.then((r) =>
      reject(new Error(`daemon exited (${r.exitCode}) before listening:\n${stderr}`)),
    );
  });
  return { url, child, logs: () => stderr };
}
