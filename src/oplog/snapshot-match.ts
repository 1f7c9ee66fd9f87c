/**
 * Matching snapshot ids that may be short (8 hex digits, as restic 0.14 reported them for
 * backups) or full (64 hex digits, as in snapshot listings).
 */

/**
 * A predicate: whether `snapshotId` is a prefix of one of `liveIds` or has one of them as a
 * prefix. Empty ids never match (an empty prefix would match everything). O(log n + 64) per call.
 */
export function createSnapshotMatcher(liveIds: readonly string[]): (snapshotId: string) => boolean {
  const ids = new Set(liveIds.filter((id) => id !== ""));
  const sorted = [...ids].sort();
  return (snapshotId) => {
    if (snapshotId === "" || sorted.length === 0) return false;
    // A live id that is a prefix of snapshotId (or equal to it).
    for (let n = 1; n <= snapshotId.length; n++) {
      if (ids.has(snapshotId.slice(0, n))) return true;
    }
    // A live id that starts with snapshotId sorts right at or after it.
    const next = sorted[lowerBound(sorted, snapshotId)];
    return next?.startsWith(snapshotId) ?? false;
  };
}

/** The first index whose value is >= key. */
function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? "") < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
