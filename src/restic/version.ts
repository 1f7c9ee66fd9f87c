/** Reading `restic version` output. */
import type { ResticVersion } from "./types.js";

// "restic 0.14.0 compiled with go1.19.8 on linux/amd64"; dev builds say "restic 0.16.0-dev (compiled manually)".
const VERSION_LINE = /^restic (\d+)\.(\d+)\.(\d+)(\S*)/m;

/** Parses `restic version` output; undefined when it does not look like restic's. */
export function parseResticVersion(text: string): ResticVersion | undefined {
  const match = VERSION_LINE.exec(text);
  if (!match) return undefined;
  const [, major = "", minor = "", patch = "", suffix = ""] = match;
  return {
    version: `${major}.${minor}.${patch}${suffix}`,
    major: Number(major),
    minor: Number(minor),
    patch: Number(patch),
  };
}

/** True when `version` is at least `major.minor.patch`, for gating newer restic features. */
export function versionAtLeast(
  version: ResticVersion,
  major: number,
  minor: number,
  patch = 0,
): boolean {
  if (version.major !== major) return version.major > major;
  if (version.minor !== minor) return version.minor > minor;
  return version.patch >= patch;
}
