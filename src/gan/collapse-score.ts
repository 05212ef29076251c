/**
 * How much of the background attention map A₁₀ has collapsed to a constant. The attention head is a 1×1
 * conv on the ReLU'd features of the attention decoder, so where every channel of those features is dead
 * (≤ 0 before the ReLU) the head sees zeros and A₁₀ is softmax(bias)₁₀ — the same value at every such
 * pixel, whatever the input. With the reference's stride-2 transposed convolutions the output's four 2×2
 * phases get 1, 2, 2 and 4 kernel taps, and the weaker phases are the ones that die (MODEL.md §3.2); so the
 * score is reported per phase — (row mod 2, column mod 2) in the order (0,0), (0,1), (1,0), (1,1) — and over
 * all pixels. A pixel counts as dead when A₁₀ is within `tolerance` of the bias-only value.
 */

/** Dead shares of A₁₀, each in [0, 1]. */
export interface CollapseScore {
  /** share of dead pixels in each 2×2 output phase: (0,0), (0,1), (1,0), (1,1) */
  readonly phases: readonly [number, number, number, number];
  /** share of dead pixels over the whole map (pixels with no active feature channel) */
  readonly dead: number;
}

/** Largest |A₁₀ − bias-only A₁₀| still counted as dead (softmax outputs in float32). */
export const COLLAPSE_TOLERANCE = 1e-6;

/**
 * The collapse score of background maps `a10` (row-major [N, H, W]) against `biasOnly`, the A₁₀ the head
 * gives for all-zero features (`biasOnlyBackground`).
 */
export function collapseScore(a10: Float32Array | Float64Array, shape: readonly [number, number, number], biasOnly: number, tolerance = COLLAPSE_TOLERANCE): CollapseScore {
  const [n, h, w] = shape;
  if (a10.length !== n * h * w) throw new RangeError(`collapseScore: expected ${n}×${h}×${w} = ${n * h * w} values, received ${a10.length}`);
  if (!Number.isFinite(biasOnly)) throw new RangeError(`collapseScore: biasOnly expected a finite number, received ${biasOnly}`);
  const dead = [0, 0, 0, 0];
  const total = [0, 0, 0, 0];
  for (let b = 0; b < n; b += 1) {
    for (let y = 0; y < h; y += 1) {
      for (let x = 0; x < w; x += 1) {
        const phase = (y % 2) * 2 + (x % 2);
        total[phase]! += 1;
        if (Math.abs(a10[(b * h + y) * w + x]! - biasOnly) <= tolerance) dead[phase]! += 1;
      }
    }
  }
  const share = (k: number) => (total[k]! > 0 ? dead[k]! / total[k]! : 0);
  const all = total.reduce((s, t) => s + t, 0);
  return { phases: [share(0), share(1), share(2), share(3)], dead: all > 0 ? dead.reduce((s, d) => s + d, 0) / all : 0 };
}

/** softmax(bias)ₘ₋₁: the background attention of a head that sees all-zero features, from its M biases. */
export function biasOnlyBackground(bias: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < bias.length; i += 1) max = Math.max(max, bias[i]!);
  let sum = 0;
  for (let i = 0; i < bias.length; i += 1) sum += Math.exp(bias[i]! - max);
  return Math.exp(bias[bias.length - 1]! - max) / sum;
}
