/**
 * A small seeded pseudo-random generator (mulberry32) for fault tests: a failing round prints
 * its seed, and the same seed makes the same choices again.
 */

export interface Prng {
  /** The seed this generator started from. */
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max] (both included). */
  int(min: number, max: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** `n` distinct elements of `items` (fewer when the list is shorter), in random order. */
  sample<T>(items: readonly T[], n: number): T[];
}

/** A generator for `seed` (any 32-bit integer). */
export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    seed,
    next,
    int,
    pick: <T>(items: readonly T[]): T => items[int(0, items.length - 1)] as T,
    sample<T>(items: readonly T[], n: number): T[] {
      const pool = [...items];
      const out: T[] = [];
      while (out.length < n && pool.length > 0)
        out.push(pool.splice(int(0, pool.length - 1), 1)[0] as T);
      return out;
    },
  };
}

/** The seed of round `round` of a run started with `seed` (so one round can be told apart). */
export function roundSeed(seed: number, round: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(round, 0xc2b2ae35)) >>> 0;
}

/** The seed written in `value` (e.g. an environment variable), or a random one when it is unset. */
export function seedFrom(value: string | undefined): number {
  if (value !== undefined && value !== "") {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new Error(`seed "${value}" is not an integer`);
    return n >>> 0;
  }
  return Math.floor(Math.random() * 2 ** 32) >>> 0;
}
