/**
 * A backup's progress as a bar on a terminal (redrawn in place) or as plain lines elsewhere
 * (logs, pipes, tests): percent, files, bytes, rate and time left.
 */
import type { BackupProgressStatusEntry } from "../../gen/v1/restic_pb.js";
import type { CliOutput } from "./context.js";
import { formatBytes, formatDuration } from "./format.js";

const BAR_WIDTH = 24;

/** The numbers shown for one progress report. */
export interface ProgressFigures {
  percent: number;
  files: string;
  bytes: string;
  /** Bytes per second so far, formatted; "-" before anything was read. */
  rate: string;
  /** restic's estimate, or one from the rate; "-" when unknown. */
  left: string;
}

/** Works out what a progress report says. */
export function progressFigures(s: BackupProgressStatusEntry): ProgressFigures {
  const done = Number(s.bytesDone);
  const total = Number(s.totalBytes);
  const rate = s.secondsElapsed > 0 ? done / s.secondsElapsed : 0;
  const remaining =
    Number(s.secondsRemaining) > 0
      ? Number(s.secondsRemaining)
      : rate > 0 && total > done
        ? (total - done) / rate
        : undefined;
  return {
    percent: Math.max(0, Math.min(100, Math.floor(s.percentDone * 100))),
    files: `${s.filesDone}/${s.totalFiles} files`,
    bytes: `${formatBytes(done)}/${formatBytes(total)}`,
    rate: rate > 0 ? `${formatBytes(Math.round(rate))}/s` : "-",
    left: remaining === undefined ? "-" : formatDuration(remaining),
  };
}

/** "42%  12/300 files  1.2 MiB/40 MiB  3.1 MiB/s  1m05s left" */
export function progressText(s: BackupProgressStatusEntry): string {
  const f = progressFigures(s);
  return `${String(f.percent).padStart(3)}%  ${f.files}  ${f.bytes}  ${f.rate}  ${f.left} left`;
}

/** "[#########...............]  42%  ..." */
export function progressBar(s: BackupProgressStatusEntry): string {
  const filled = Math.round((progressFigures(s).percent / 100) * BAR_WIDTH);
  return `[${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}] ${progressText(s)}`;
}

/** Draws progress reports on `out`; `end()` leaves the cursor on a fresh line. */
export interface ProgressReporter {
  update(status: BackupProgressStatusEntry): void;
  end(): void;
}

/** A bar redrawn in place on a terminal; one "progress ..." line per new report elsewhere. */
export function createProgressReporter(out: CliOutput): ProgressReporter {
  let last = "";
  let drawn = false;
  return {
    update(status) {
      if (out.isTTY) {
        const bar = progressBar(status);
        const width = out.columns ?? 80;
        out.write(`\r${bar.slice(0, Math.max(10, width - 1))}\x1b[K`);
        drawn = true;
        return;
      }
      const line = `progress ${progressText(status)}`;
      if (line !== last) out.write(`${line}\n`);
      last = line;
    },
    end() {
      if (drawn) out.write("\r\x1b[K");
      drawn = false;
    },
  };
}
