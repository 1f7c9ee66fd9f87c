/**
 * A restic wrapper for tests that need a backup to be seen running: the real restic does the
 * work, but the wrapper holds back a backup's output after its first progress report for as
 * many seconds as a file says. The daemon meanwhile records that report (so a client sees
 * progress) and can cancel the backup (SIGINT reaches restic through the wrapper).
 */
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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
