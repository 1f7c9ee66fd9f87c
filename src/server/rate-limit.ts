/**
 * A fixed-window request counter per key (a principal, a client address), with an injectable
 * clock and bounded memory. Pure: no timers, no I/O; the caller passes the limit on every
 * call, so a limit changed in the config applies to the next request.
 *
 * Each key's window starts at its first counted request and lasts `windowMs`; up to `limit`
 * requests are allowed in it. A key whose window has ended is idle and may be dropped.
 */

/** What a limiter decided for one request, and what the X-RateLimit-* headers report. */
export interface RateDecision {
  /** False when the key has used up its window: refuse the request. */
  allowed: boolean;
  /** Requests allowed per window. */
  limit: number;
  /** Requests left in the current window (0 when refused). */
  remaining: number;
  /** Milliseconds until the current window ends and the count starts again. */
  resetMs: number;
}

export interface RateLimiter {
  /** Counts one request of `key` unless it is over `limit` (a refused request is not counted). */
  take(key: string, limit: number): RateDecision;
  /** The state of `key` without counting anything. */
  peek(key: string, limit: number): RateDecision;
  /** Keys currently held (for tests of the memory bound). */
  size(): number;
}

export interface RateLimiterOptions {
  /** Length of a window (default one minute). */
  windowMs?: number;
  /** Most keys held at once; beyond it the oldest windows are dropped (default 10,000). */
  maxKeys?: number;
  /** The clock, in ms (default Date.now). */
  now?: () => number;
}

interface Window {
  startMs: number;
  count: number;
}

/** Creates a limiter; `limit` must be at least 1 on every call. */
export function createRateLimiter(opts: RateLimiterOptions = {}): RateLimiter {
  const windowMs = opts.windowMs ?? 60_000;
  const maxKeys = opts.maxKeys ?? 10_000;
  const now = opts.now ?? Date.now;
  // Insertion order is window start order: a key is re-inserted whenever its window restarts,
  // so ended windows gather at the front and the oldest live window is the first one left.
  const windows = new Map<string, Window>();

  const current = (key: string, t: number): Window | undefined => {
    const w = windows.get(key);
    return w && t - w.startMs < windowMs ? w : undefined;
  };
  const decide = (w: Window | undefined, limit: number, t: number): RateDecision => {
    const count = w?.count ?? 0;
    return {
      allowed: count < limit,
      limit,
      remaining: Math.max(0, limit - count),
      resetMs: w ? w.startMs + windowMs - t : windowMs,
    };
  };
  const evict = (t: number) => {
    for (const [key, w] of windows) {
      if (t - w.startMs < windowMs && windows.size < maxKeys) break;
      windows.delete(key);
    }
  };

  return {
    take(key, limit) {
      const t = now();
      let w = current(key, t);
      if (!w) {
        windows.delete(key);
        evict(t);
        w = { startMs: t, count: 0 };
        windows.set(key, w);
      }
      const decision = decide(w, limit, t);
      if (!decision.allowed) return decision;
      w.count++;
      return { ...decision, remaining: decision.remaining - 1 };
    },
    peek(key, limit) {
      const t = now();
      return decide(current(key, t), limit, t);
    },
    size: () => windows.size,
  };
}

/** Seconds a refused client should wait: the rest of the window, rounded up, at least 1. */
export function retryAfterSeconds(d: RateDecision): number {
  return Math.max(1, Math.ceil(d.resetMs / 1000));
}

/**
 * The response headers of a decision: X-RateLimit-Limit, -Remaining and -Reset (seconds until
 * the window ends, rounded up), and Retry-After (seconds) when the request was refused.
 */
export function rateLimitHeaders(d: RateDecision): Record<string, string> {
  const headers: Record<string, string> = {
    "x-ratelimit-limit": String(d.limit),
    "x-ratelimit-remaining": String(d.remaining),
    "x-ratelimit-reset": String(Math.ceil(d.resetMs / 1000)),
  };
  if (!d.allowed) headers["retry-after"] = String(retryAfterSeconds(d));
  return headers;
}
