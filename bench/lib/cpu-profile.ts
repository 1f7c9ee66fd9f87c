/**
 * Where a process spent its CPU, from a V8 CPU profile (`node --cpu-prof`): self time by
 * function and by the package or folder it comes from, as shares of the time not idle.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One line of a breakdown. */
export interface Share {
  name: string;
  /** Of the non-idle time, 0..1. */
  share: number;
}

/** What a profile says. */
export interface CpuBreakdown {
  /** Milliseconds not idle. */
  busyMs: number;
  byFunction: Share[];
  byOrigin: Share[];
  /** Functions of ours (src/) by inclusive time: their own and all they called. */
  oursInclusive: Share[];
}

/** The largest .cpuprofile in `dir` (the main thread's, when workers wrote their own). */
export function mainProfile(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
  const sized = files.map((f) => ({ f, size: statSync(join(dir, f)).size }));
  const main = sized.sort((a, b) => b.size - a.size)[0];
  if (!main) throw new Error(`no CPU profile in ${dir}`);
  return join(dir, main.f);
}

/** Where a frame comes from: a package, a folder of ours, Node itself, or V8. */
export function originOf(url: string, functionName: string): string {
  if (url === "") {
    if (functionName === "(garbage collector)") return "garbage collection";
    return functionName.startsWith("(") ? "V8 (program)" : "native (syscalls, addons)";
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg?.[1]) return pkg[1];
  const ours = /\/(?:dist\/)?(src\/[^/]+|gen)\//.exec(url);
  if (ours?.[1]) return ours[1];
  if (url.startsWith("node:")) return "node core";
  return "other";
}

/** Now on the clock V8's profiles use (CLOCK_MONOTONIC, µs), for the window of cpuBreakdown. */
export function profileClockUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * Self time by function and by origin, largest first, `top` of each; only samples within
 * `window` (profileClockUs() readings of any process on this machine) when given.
 */
export function cpuBreakdown(
  path: string,
  top = 12,
  window?: { fromUs: number; toUs: number },
): CpuBreakdown {
  const profile = JSON.parse(readFileSync(path, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  const fn = new Map<string, number>();
  const origin = new Map<string, number>();
  let busy = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame;
    const dt = profile.timeDeltas[i] ?? 0;
    at += dt;
    if (window && (at < window.fromUs || at > window.toUs)) return;
    if (!frame || frame.functionName === "(idle)") return;
    busy += dt;
    const file = frame.url.split("/").slice(-2).join("/");
    const name = `${frame.functionName || "(anonymous)"}${file ? ` (${file})` : ""}`;
    fn.set(name, (fn.get(name) ?? 0) + dt);
    const o = originOf(frame.url, frame.functionName);
    origin.set(o, (origin.get(o) ?? 0) + dt);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)?.callFrame;
      if (!f || !/\/src\//.test(f.url)) continue;
      const name = `${f.functionName || "(anonymous)"} (${f.url.split("/").slice(-2).join("/")})`;
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
    }
  });
  const shares = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, t]) => ({ name, share: busy > 0 ? t / busy : 0 }));
  return {
    busyMs: busy / 1000,
    byFunction: shares(fn),
    byOrigin: shares(origin),
    oursInclusive: shares(inclusive),
  };
}
