/**
 * Watches failed sign-ins per client address and raises an alert when one address fails
 * `limit` times within `windowMs` (once per window, so a brute-force attempt is one alert).
 * `onFailed` sees every failure (the failed sign-in rate limit counts them there).
 */
export interface FailureWatch {
  /** Records a failed sign-in from `address`. */
  failed(address: string): void;
}

export function createFailureWatch(opts: {
  /** Failures that raise an alert; a function is read on every failure (default 5). */
  limit?: number | (() => number);
  windowMs?: number;
  now?: () => number;
  onAlert: (address: string, failures: number) => void;
  onFailed?: (address: string) => void;
}): FailureWatch {
  const limitOption = opts.limit ?? 5;
  const limitOf = typeof limitOption === "function" ? limitOption : () => limitOption;
  const windowMs = opts.windowMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const recent = new Map<string, { times: number[]; alertedAt: number }>();
  return {
    failed(address) {
      opts.onFailed?.(address);
      const limit = limitOf();
      const t = now();
      const entry = recent.get(address) ?? { times: [], alertedAt: -Infinity };
      entry.times = entry.times.filter((x) => t - x < windowMs);
      entry.times.push(t);
      recent.set(address, entry);
      if (entry.times.length >= limit && t - entry.alertedAt >= windowMs) {
        entry.alertedAt = t;
        opts.onAlert(address, entry.times.length);
      }
      // Bounded memory under a flood of addresses: forget the oldest entries.
      if (recent.size > 10_000) {
        const oldest = recent.keys().next().value;
        if (oldest !== undefined) recent.delete(oldest);
      }
    },
  };
}
