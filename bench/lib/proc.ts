/**
 * What /proc says about a process: its memory and CPU time, and finding the daemon a benchmark
 * started (Linux only, as the benchmarks are).
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";

/** Resident memory now and at its peak, in bytes (VmRSS and VmHWM of /proc/<pid>/status). */
export interface Memory {
  rss: number;
  peak: number;
}

/** The daemon's resident memory. */
export function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
    return Number(m[1]) * 1024;
  };
  return { rss: kib("VmRSS"), peak: kib("VmHWM") };
}

/** CPU seconds of a process itself and of its children it has waited for (e.g. restic). */
export interface CpuTimes {
  self: number;
  children: number;
}

let ticks: number | undefined;
function clockTicks(): number {
  ticks ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  return ticks;
}

/** utime+stime and cutime+cstime of /proc/<pid>/stat, in seconds. */
export function cpuTimesOf(pid: number): CpuTimes {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
  const fields = stat
    .slice(stat.lastIndexOf(")") + 2)
    .split(" ")
    .map(Number);
  // Fields 14-17 of the man page (utime, stime, cutime, cstime) are 11-14 after the name.
  const [utime = 0, stime = 0, cutime = 0, cstime = 0] = fields.slice(11, 15);
  const hz = clockTicks();
  return { self: (utime + stime) / hz, children: (cutime + cstime) / hz };
}

/**
 * The pid of the `restwell serve` started with `--data-dir dataDir` (each benchmark's data dir
 * is a fresh temp dir, so exactly one process matches).
 */
export function findDaemonPid(dataDir: string): number {
  const wanted = `--data-dir\0${dataDir}\0`;
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    if (cmdline.includes("\0serve\0") && `${cmdline}\0`.includes(wanted)) found.push(Number(entry));
  }
  if (found.length !== 1) {
    throw new Error(`expected one daemon with --data-dir ${dataDir}, found ${found.length}`);
  }
  return found[0] as number;
}

/** The 1-minute load average and the number of CPUs, for the notes of a result. */
export function load(): { load1: number; cpus: number } {
  return { load1: loadavg()[0] ?? 0, cpus: cpus().length };
}
