/**
 * Quantitative proxies for checkpoint selection on a fixed probe batch of domain A (MODEL.md §7): the
 * non-mask-change error (what NMC claims to fix), how well the background attention A10 finds the mask
 * (attention IoU), and the diversity of noise samples inside versus outside the mask (§2.7.4: samples
 * should differ inside the mask and not outside it). The generator comes in as a `generate(x, noiseSeed)`
 * callback, so this file knows nothing of weights or noise settings; noise seeds are derived from one seed,
 * so every epoch is scored on the same draws. The mask region is keep < 0.5, the rest (keep ≥ 0.5) is
 * outside — exactly keep = 0 / keep = 1 for binary maps. Errors are in [0, 1] image units (half the [−1, 1]
 * difference). Given the attention head's bias-only A10, also the collapse score (collapse-score.ts). All
 * results are plain numbers; every tensor made here is disposed.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../kit/tf-backend.js';
import { deriveSeed } from '../kit/prng.js';
import { collapseScore, type CollapseScore } from './collapse-score.js';

/** What `generate` must return (a `GeneratorOutput` fits). */
export interface GenerateResult {
  /** [N, H, W, 3] in [−1, 1]. */
  readonly output: tfjs.Tensor4D;
  /** [N, H, W, M] softmax maps; the last one is the background A10 that copies the input. */
  readonly attention: tfjs.Tensor4D;
}

/** One generator pass: x [N, H, W, 3] in [−1, 1], noise drawn from `noiseSeed`. */
export type GenerateFn = (x: tfjs.Tensor4D, noiseSeed: number) => GenerateResult;

/** The probe's generator outputs; release with `disposeProbeRun`. */
export interface ProbeRun {
  /** Output with noise seed `seeds[0]`, [N, H, W, 3]. */
  readonly output: tfjs.Tensor4D;
  /** Attention of that pass, [N, H, W, M]. */
  readonly attention: tfjs.Tensor4D;
  /** Outputs with noise seeds `seeds[1..k]`, k × [N, H, W, 3]. */
  readonly samples: readonly tfjs.Tensor4D[];
  /** Noise seed of `output`, then of each sample. */
  readonly seeds: readonly number[];
}

/** Settings of a probe run. */
export interface ProbeOptions {
  /** Noise samples for diversity. @default 3 */
  readonly samples?: number;
  /** Seed the noise seeds are derived from. @default 0 */
  readonly seed?: number;
  /** Background attention below 1 − threshold counts as "attends to the mask". @default 0.5 */
  readonly threshold?: number;
  /**
   * A10 of the attention head on all-zero features (`biasOnlyBackground` of its biases): given, the scores
   * include the collapse score (collapse-score.ts); absent, those are NaN.
   */
  readonly biasOnlyBackground?: number;
}

/** The probe's scores. */
export interface ProbeMetrics {
  /** Mean |y − x| outside the mask, [0, 1] units; NaN when no pixel is outside. */
  readonly nmcError: number;
  /** IoU of (1 − A10 > threshold) with the mask region, pooled over the batch; 1 when both are empty. */
  readonly attentionIoU: number;
  /** Mean pairwise |y_i − y_j| between noise samples inside the mask, [0, 1] units. */
  readonly diversityInside: number;
  /** The same outside the mask. */
  readonly diversityOutside: number;
  /** inside / outside; Infinity when only the inside varies, NaN when neither does. */
  readonly diversityRatio: number;
  /** share of A10's pixels that are bias-only (no active feature channel), over the probe */
  readonly collapseDead: number;
  /** the same per 2×2 output phase (row mod 2, column mod 2) */
  readonly collapse00: number;
  readonly collapse01: number;
  readonly collapse10: number;
  readonly collapse11: number;
}

/** Runs `generate` once for the output and once per noise sample. x [N, H, W, 3] in [−1, 1]. */
export function runProbe(tf: Tf, generate: GenerateFn, x: tfjs.Tensor4D, options: ProbeOptions = {}): ProbeRun {
  const k = options.samples ?? 3;
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`runProbe: samples expected a non-negative integer, received ${k}`);
  const seeds = Array.from({ length: k + 1 }, (_, i) => deriveSeed(options.seed ?? 0, 'probe-noise', i));
  const pass = (noiseSeed: number, keepAttention: boolean) =>
    tf.tidy(() => {
      const result = generate(x, noiseSeed); // anything else it made (content maps, …) is disposed by the tidy
      checkResult(x, result);
      return keepAttention ? { output: result.output, attention: result.attention } : { output: result.output };
    });
  const first = pass(seeds[0]!, true);
  const samples = seeds.slice(1).map((s) => pass(s, false).output);
  return { output: first.output, attention: first.attention!, samples, seeds };
}

/** Disposes every tensor of a probe run. */
export function disposeProbeRun(tf: Tf, run: ProbeRun): void {
  tf.dispose([run.output, run.attention, ...run.samples]);
}

/** Scores a probe run. x [N, H, W, 3] in [−1, 1]; keep [N, H, W, 1], 1 = the pixel may not change. */
export function scoreProbe(tf: Tf, x: tfjs.Tensor4D, keep: tfjs.Tensor4D, run: ProbeRun, options: ProbeOptions = {}): ProbeMetrics {
  const diversity = run.samples.length >= 2 ? sampleDiversity(tf, run.samples, keep) : { inside: NaN, outside: NaN, ratio: NaN };
  const collapse = options.biasOnlyBackground === undefined ? undefined : backgroundCollapse(tf, run.attention, options.biasOnlyBackground);
  return {
    nmcError: nmcError(tf, x, run.output, keep),
    attentionIoU: attentionIoU(tf, run.attention, keep, options.threshold ?? 0.5),
    diversityInside: diversity.inside,
    diversityOutside: diversity.outside,
    diversityRatio: diversity.ratio,
    collapseDead: collapse?.dead ?? NaN,
    collapse00: collapse?.phases[0] ?? NaN,
    collapse01: collapse?.phases[1] ?? NaN,
    collapse10: collapse?.phases[2] ?? NaN,
    collapse11: collapse?.phases[3] ?? NaN,
  };
}

/** The collapse score of the last attention map of `attention` [N, H, W, M]. */
export function backgroundCollapse(tf: Tf, attention: tfjs.Tensor4D, biasOnly: number): CollapseScore {
  const [n, h, w, m] = attention.shape;
  const background = tf.tidy(() => tf.slice(attention, [0, 0, 0, m - 1], [n, h, w, 1])); // [N, H, W, 1] A10
  try {
    return collapseScore(background.dataSync() as Float32Array, [n, h, w], biasOnly);
  } finally {
    background.dispose();
  }
}

/** `runProbe` + `scoreProbe` + dispose: the probe's scores for one checkpoint. */
export function evaluateProbe(tf: Tf, generate: GenerateFn, probe: { readonly images: tfjs.Tensor4D; readonly keep: tfjs.Tensor4D }, options: ProbeOptions = {}): ProbeMetrics {
  const run = runProbe(tf, generate, probe.images, options);
  try {
    return scoreProbe(tf, probe.images, probe.keep, run, options);
  } finally {
    disposeProbeRun(tf, run);
  }
}

/** Mean |y − x| over pixels and channels outside the mask (keep ≥ 0.5), in [0, 1] units. */
export function nmcError(tf: Tf, x: tfjs.Tensor4D, y: tfjs.Tensor4D, keep: tfjs.Tensor4D): number {
  checkKeep(x, keep);
  sameShape('y', y, x);
  const [sum, count] = readSums(tf, () => {
    const outside = tf.cast(tf.greaterEqual(keep, 0.5), 'float32');                 // [N, H, W, 1]
    const diff = tf.mul(tf.abs(tf.sub(y, x)), 0.5);                                  // [N, H, W, 3], [0, 1] units
    return [tf.sum(tf.mul(diff, outside)), tf.mul(tf.sum(outside), 3)];
  });
  return count > 0 ? sum / count : NaN;
}

/** IoU of (1 − A_last > threshold) with the mask region (keep < 0.5), pooled over the batch. */
export function attentionIoU(tf: Tf, attention: tfjs.Tensor4D, keep: tfjs.Tensor4D, threshold = 0.5): number {
  checkKeep(attention, keep);
  const [n, h, w, m] = attention.shape;
  const [intersection, union] = readSums(tf, () => {
    const background = tf.slice(attention, [0, 0, 0, m - 1], [n, h, w, 1]);          // [N, H, W, 1] A10
    const attends = tf.greater(tf.sub(1, background), threshold);                   // [N, H, W, 1] bool
    const mask = tf.less(keep, 0.5);                                                 // [N, H, W, 1] bool
    return [tf.sum(tf.cast(tf.logicalAnd(attends, mask), 'float32')), tf.sum(tf.cast(tf.logicalOr(attends, mask), 'float32'))];
  });
  return union > 0 ? intersection / union : 1;
}

/** Mean pairwise L1 between samples inside and outside the mask, [0, 1] units, and their ratio. */
export function sampleDiversity(tf: Tf, samples: readonly tfjs.Tensor4D[], keep: tfjs.Tensor4D): { inside: number; outside: number; ratio: number } {
  if (samples.length < 2) throw new RangeError(`sampleDiversity: expected at least 2 samples, received ${samples.length}`);
  checkKeep(samples[0]!, keep);
  samples.forEach((s, i) => sameShape(`samples[${i}]`, s, samples[0]!));
  const [insideSum, outsideSum, insideCount, outsideCount] = readSums(tf, () => {
    const outside = tf.cast(tf.greaterEqual(keep, 0.5), 'float32');                 // [N, H, W, 1]
    const inside = tf.sub(1, outside);                                               // [N, H, W, 1]
    let total: tfjs.Tensor = tf.zerosLike(samples[0]!);                              // [N, H, W, 3]
    for (let i = 0; i < samples.length; i += 1) {
      for (let j = i + 1; j < samples.length; j += 1) total = tf.add(total, tf.abs(tf.sub(samples[i]!, samples[j]!)));
    }
    const pairs = (samples.length * (samples.length - 1)) / 2;
    const meanDiff = tf.div(tf.mul(total, 0.5), pairs);                              // [N, H, W, 3], [0, 1] units
    return [tf.sum(tf.mul(meanDiff, inside)), tf.sum(tf.mul(meanDiff, outside)), tf.mul(tf.sum(inside), 3), tf.mul(tf.sum(outside), 3)];
  });
  const insideMean = insideCount > 0 ? insideSum / insideCount : NaN;
  const outsideMean = outsideCount > 0 ? outsideSum / outsideCount : NaN;
  const ratio = outsideMean > 0 ? insideMean / outsideMean : insideMean > 0 ? Infinity : NaN;
  return { inside: insideMean, outside: outsideMean, ratio };
}

/** Computes scalars in a tidy and reads them back, leaving no tensor behind. */
function readSums<const T extends readonly tfjs.Tensor[]>(tf: Tf, compute: () => T): { -readonly [K in keyof T]: number } {
  const stacked = tf.tidy(() => tf.stack([...compute()]));
  try {
    return Array.from(stacked.dataSync()) as { -readonly [K in keyof T]: number };
  } finally {
    stacked.dispose();
  }
}

function checkResult(x: tfjs.Tensor4D, result: GenerateResult): void {
  sameShape('generate(x).output', result.output, x);
  const [n, h, w] = x.shape;
  const a = result.attention.shape;
  if (a.length !== 4 || a[0] !== n || a[1] !== h || a[2] !== w || a[3] < 2) {
    throw new RangeError(`generate(x).attention expected [${n}, ${h}, ${w}, M ≥ 2], received [${a.join(', ')}]`);
  }
}

function checkKeep(like: tfjs.Tensor4D, keep: tfjs.Tensor4D): void {
  const [n, h, w] = like.shape;
  if (keep.rank !== 4 || keep.shape[0] !== n || keep.shape[1] !== h || keep.shape[2] !== w || keep.shape[3] !== 1) {
    throw new RangeError(`keep expected [${n}, ${h}, ${w}, 1], received [${keep.shape.join(', ')}]`);
  }
}

function sameShape(label: string, t: tfjs.Tensor, like: tfjs.Tensor): void {
  if (t.shape.length !== like.shape.length || t.shape.some((d, i) => d !== like.shape[i])) {
    throw new RangeError(`${label} expected [${like.shape.join(', ')}], received [${t.shape.join(', ')}]`);
  }
}
