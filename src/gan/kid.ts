/**
 * Kernel Inception Distance (Bińkowski et al., "Demystifying MMD GANs", 2018) on any feature vectors: the
 * unbiased estimate of the squared maximum mean discrepancy with the cubic polynomial kernel
 * k(x, y) = (x·y / d + 1)³, computed on `subsets` random subsets of `subsetSize` vectors drawn from each set
 * (without replacement within a subset, seeded), reported as the mean and standard deviation over subsets.
 * Features here are face-api's 128-d face descriptors (face-descriptors.ts), not Inception's — the formula
 * is KID's, the embedding is one that knows faces. 0 means the two sets are indistinguishable by the kernel;
 * the estimate is unbiased, so it can fall slightly below 0.
 */
import { createRng } from '../kit/prng.js';

/** KID over subsets. */
export interface KidResult {
  readonly mean: number;
  readonly std: number;
  readonly subsets: number;
  readonly subsetSize: number;
}

export interface KidOptions {
  /** @default 100 */
  readonly subsets?: number;
  /** vectors per subset, from each set; @default min(1000, both set sizes) */
  readonly subsetSize?: number;
  /** seed of the subset draws @default 0 */
  readonly seed?: number;
}

/** KID between feature sets `a` and `b` (vectors of one length d). */
export function kernelInceptionDistance(a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[], options: KidOptions = {}): KidResult {
  const d = a[0]?.length ?? 0;
  if (a.length < 2 || b.length < 2) throw new RangeError(`kernelInceptionDistance: expected at least 2 vectors in each set, received ${a.length} and ${b.length}`);
  for (const [name, set] of [['a', a], ['b', b]] as const) {
    set.forEach((v, i) => {
      if (v.length !== d) throw new RangeError(`kernelInceptionDistance: ${name}[${i}] expected ${d} values, received ${v.length}`);
    });
  }
  const size = options.subsetSize ?? Math.min(1000, a.length, b.length);
  if (!Number.isInteger(size) || size < 2 || size > a.length || size > b.length) {
    throw new RangeError(`kernelInceptionDistance: subsetSize expected an integer in [2, ${Math.min(a.length, b.length)}], received ${size}`);
  }
  const subsets = options.subsets ?? 100;
  const rng = createRng(options.seed ?? 0);
  const values: number[] = [];
  for (let s = 0; s < subsets; s += 1) values.push(mmd2Unbiased(sample(a, size, rng), sample(b, size, rng), d));
  const mean = values.reduce((t, v) => t + v, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((t, v) => t + (v - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, std: Math.sqrt(variance), subsets, subsetSize: size };
}

/** Unbiased MMD² of two equal-size sets with the cubic polynomial kernel. */
export function mmd2Unbiased(x: readonly ArrayLike<number>[], y: readonly ArrayLike<number>[], d: number): number {
  const m = x.length;
  const k = (p: ArrayLike<number>, q: ArrayLike<number>) => {
    let dot = 0;
    for (let i = 0; i < d; i += 1) dot += p[i]! * q[i]!;
    return (dot / d + 1) ** 3;
  };
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let i = 0; i < m; i += 1) {
    for (let j = 0; j < m; j += 1) {
      if (i !== j) {
        xx += k(x[i]!, x[j]!);
        yy += k(y[i]!, y[j]!);
      }
      xy += k(x[i]!, y[j]!);
    }
  }
  return xx / (m * (m - 1)) + yy / (m * (m - 1)) - (2 * xy) / (m * m);
}

/** `size` distinct vectors of `set`, drawn with a partial Fisher–Yates shuffle. */
function sample<T>(set: readonly T[], size: number, rng: { next(): number }): T[] {
  const index = set.map((_, i) => i);
  for (let i = 0; i < size; i += 1) {
    const j = i + Math.floor(rng.next() * (index.length - i));
    [index[i], index[j]] = [index[j]!, index[i]!];
  }
  return index.slice(0, size).map((i) => set[i]!);
}
