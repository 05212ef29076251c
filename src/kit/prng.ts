/**
 * Seeded randomness for stages: every random draw comes from a generator seeded from params, and a
 * per-item seed is derived from the stage seed plus a stable label (e.g. the file name), so results do
 * not depend on processing order. mulberry32: small, fast, good enough for sampling colours and jitter.
 * Its whole state is one 32-bit number, so a generator can be checkpointed with `getState()` and continued
 * exactly with `restoreRng(state)` (training resumes draw the same batches as an uninterrupted run).
 */
import { createHash } from 'node:crypto';

export interface Rng {
  /** uniform in [0, 1) */
  next(): number;
  /** uniform integer in [0, n) */
  int(n: number): number;
  /** uniform in [lo, hi) */
  range(lo: number, hi: number): number;
  /** one element, uniformly */
  pick<T>(items: readonly T[]): T;
  /** standard normal (Box–Muller) */
  normal(): number;
}

/** A generator whose position in its sequence can be saved and restored. */
export interface StatefulRng extends Rng {
  /** the internal 32-bit state; `restoreRng(getState())` continues with the same draws */
  getState(): number;
}

/** A generator for a 32-bit seed. */
export function createRng(seed: number): StatefulRng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    getState: () => state,
    int: (n) => Math.floor(next() * n),
    range: (lo, hi) => lo + (hi - lo) * next(),
    pick: (items) => {
      if (items.length === 0) throw new Error('expected at least one item to pick from, received none');
      return items[Math.floor(next() * items.length)]!;
    },
    normal: () => {
      const u = Math.max(next(), 1e-12);
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
  };
}

/** A generator that continues from a state saved with `getState()`. */
export function restoreRng(state: number): StatefulRng {
  if (!Number.isInteger(state) || state < 0 || state > 0xffffffff) {
    throw new RangeError(`restoreRng expected a 32-bit unsigned state, received ${String(state)}`);
  }
  // NOTE: mulberry32's seed is its initial state, so restoring is seeding with the saved state.
  return createRng(state);
}

/** A seed for one item: the same (seed, labels) always give the same number. */
export function deriveSeed(seed: number, ...labels: readonly (string | number)[]): number {
  return createHash('sha256').update([seed, ...labels].join('\0')).digest().readUInt32BE(0);
}
