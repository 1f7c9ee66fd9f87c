/**
 * A restic wrapper for tests that need a backup to be seen running: the real restic does the
 * work, but the wrapper holds back a backup's output after its first progress report for as
 * many seconds as a file says. The daemon meanwhile records that report (so a client sees
 * progress) and can cancel the backup (SIGINT reaches restic through the wrapper).
 */
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after } from "node:test";
import { hashPassword } from "../../src/auth/password.js";
import { startDaemon } from "../../src/daemon.js";
import { silentLogger } from "../../src/log.js";
import { initRepo, makeSourceTree, TEST_PASSWORD } from "./data.js";
import { tempDir } from "./temp.js";

const SCRIPT = `#!/bin/bash
is_backup=
for a in "$@"; do [ "$a" = backup ] && is_backup=1; done
[ -z "$is_backup" ] && exec restic "$@"
fifo=$(mktemp -u); mkfifo "$fifo"
restic "$@" > "$fifo" &
restic_pid=$!
exec 3<"$fifo"; rm -f "$fifo"
sleep_pid=
trap 'kill -INT $restic_pid 2>/dev/null; [ -n "$sleep_pid" ] && kill $sleep_pid 2>/dev/null' INT
held=
while IFS= read -r -u 3 line; do
  printf '%s\\n' "$line"
  if [ -z "$held" ] && [[ $line == *'"message_type":"status"'* ]]; then
    held=1
    sleep "$(cat "$SLOW_RESTIC_DELAY_FILE")" & sleep_pid=$!
    wait $sleep_pid
    sleep_pid=
  fi
done
wait $restic_pid
`;

export interface SlowRestic {
  /** The wrapper to use as the daemon's restic command. */
  command: string;
  /** Environment the daemon must pass to restic (PATH to the real one, the delay file). */
  env: Record<string, string>;
  /** Sets how long the next backups are held after their first progress report. */
  setDelaySeconds(seconds: number): void;
}

/** Writes the wrapper into a temp dir; backups are held `seconds` (default 2). */
export function slowRestic(seconds = 2): SlowRestic {
  const dir = tempDir();
  const command = join(dir, "slow-restic");
  const delayFile = join(dir, "delay");
  writeFileSync(command, SCRIPT);
  chmodSync(command, 0o755);
  const setDelaySeconds = (s: number) => writeFileSync(delayFile, String(s));
  setDelaySeconds(seconds);
  return {
    command,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/root",
      SLOW_RESTIC_DELAY_FILE: delayFile,
    },
    setDelaySeconds,
  };
}

/** A daemon with authentication on, one repo and one plan, whose backups run through slowRestic. */
export interface SlowResticDaemon {
  daemon: Awaited<ReturnType<typeof startDaemon>>;
  slow: SlowRestic;
  /** The temp dir holding the repo, the plan's source files, the config and the data dir. */
  dir: string;
  repoPath: string;
  /** The plan's source folder. */
  sourceDir: string;
}

/**
 * Starts a daemon on a port-0 server with one user, a repo "local" (initialized) and a plan
 * `planId` backing up `files` small files; stopped after the calling suite.
 */
export async function startSlowResticDaemon(opts: {
  instance: string;
  planId: string;
  files: number;
  user: string;
  password: string;
}): Promise<SlowResticDaemon> {
  const dir = tempDir();
  const repoPath = join(dir, "repo");
  const sourceDir = makeSourceTree(join(dir, "src"), { files: opts.files });
  await initRepo(repoPath);
  const slow = slowRestic(2);
  const configPath = join(dir, "config.json");
  writeFileSync(
    configPath,
    JSON.stringify({
      instance: opts.instance,
      repos: [{ id: "local", uri: repoPath, password: TEST_PASSWORD }],
      plans: [{ id: opts.planId, repo: "local", paths: [sourceDir] }],
      auth: { users: [{ name: opts.user, passwordBcrypt: await hashPassword(opts.password) }] },
    }),
    { mode: 0o600 },
  );
  const daemon = await startDaemon({
    configPath,
    dataDir: join(dir, "data"),
    bindAddress: "127.0.0.1:0",
    resticCommand: slow.command,
    resticEnv: slow.env,
    log: silentLogger,
  });
  after(() => daemon.stop());
  return { daemon, slow, dir, repoPath, sourceDir };
}
