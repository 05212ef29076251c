/**
 * Scores one generator on a held-out set of domain A against real masked faces: the probe scores of
 * evaluate.ts over the whole set (NMC error, attention IoU, noise diversity inside / outside the mask,
 * collapse of A10) and the KID (kid.ts) between the faces it makes and the real masked faces, on face-api's
 * 128-d face descriptors (face-descriptors.ts). The set is run through the generator `batch` images at a
 * time and the results joined, so the scores are exactly those of one pass over the whole set. The
 * baseline — the rule-based warp alone, i.e. the held-out inputs as they are — is scored the same way by
 * `baselineKid`, so the two KIDs share the real features and the subset draws. Given paste maps, the
 * outputs pasted into their inputs inside the grown mask (paste-inside.ts) get their own KID on the same draws.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../kit/tf-backend.js';
import { describeFaceTensor } from '../vision/face-descriptors.js';
import type { FaceModels } from '../vision/faces.js';
import { disposeProbeRun, runProbe, scoreProbe, type GenerateFn, type ProbeMetrics, type ProbeRun } from './evaluate.js';
import { kernelInceptionDistance, type KidResult } from './kid.js';
import { pasteInside } from './paste-inside.js';

/** How KID draws its subsets. */
export interface KidSettings {
  readonly subsets: number;
  /** the most vectors per subset (capped by both sets' sizes) */
  readonly subsetSize: number;
  readonly seed: number;
}

/** One generator's scores on the held-out set. */
export interface HeldOutScores extends ProbeMetrics {
  readonly kid: number;
  readonly kidStd: number;
  /** KID of the outputs pasted into their inputs inside the grown mask (paste-inside.ts); absent without paste maps */
  readonly kidPasted?: number;
  readonly kidPastedStd?: number;
}

/**
 * The held-out set in memory: images `[N, S, S, 3]` in [−1, 1], keep maps `[N, S, S, 1]` (1 outside the
 * mask) and, to score pasted faces too, paste maps `[N, S, S, 1]` (1 inside the grown mask).
 */
export interface HeldOutSet {
  readonly images: tfjs.Tensor4D;
  readonly keep: tfjs.Tensor4D;
  readonly paste?: tfjs.Tensor4D;
}

/** Scores `generate` on the held-out set; `real` holds the real masked faces' descriptors. */
export async function scoreHeldOut(
  tf: Tf,
  models: FaceModels,
  generate: GenerateFn,
  set: HeldOutSet,
  real: readonly Float32Array[],
  options: { readonly batch: number; readonly samples: number; readonly seed: number; readonly biasOnlyBackground: number; readonly kid: KidSettings },
): Promise<{ scores: HeldOutScores; run: ProbeRun }> {
  const run = runInBatches(tf, generate, set.images, options.batch, { samples: options.samples, seed: options.seed });
  try {
    const probe = scoreProbe(tf, set.images, set.keep, run, { samples: options.samples, seed: options.seed, biasOnlyBackground: options.biasOnlyBackground });
    const made = await describeFaceTensor(models, run.output);
    const kid = kidOf(made, real, options.kid);
    if (set.paste === undefined) return { scores: { ...probe, kid: kid.mean, kidStd: kid.std }, run };
    const pasted = pasteInside(tf, run.output, set.images, set.paste); // [N, S, S, 3]
    let pastedKid: KidResult;
    try {
      pastedKid = kidOf(await describeFaceTensor(models, pasted), real, options.kid);
    } finally {
      pasted.dispose();
    }
    return { scores: { ...probe, kid: kid.mean, kidStd: kid.std, kidPasted: pastedKid.mean, kidPastedStd: pastedKid.std }, run };
  } catch (error) {
    disposeProbeRun(tf, run);
    throw error;
  }
}

/** KID of the held-out inputs themselves (the rule-based warp) against the real faces. */
export async function baselineKid(models: FaceModels, images: tfjs.Tensor4D, real: readonly Float32Array[], kid: KidSettings): Promise<KidResult> {
  return kidOf(await describeFaceTensor(models, images), real, kid);
}

function kidOf(made: readonly Float32Array[], real: readonly Float32Array[], kid: KidSettings): KidResult {
  const subsetSize = Math.min(kid.subsetSize, made.length, real.length);
  return kernelInceptionDistance(made, real, { subsets: kid.subsets, subsetSize, seed: kid.seed });
}

/** `runProbe` over `x` in batches, joined into one run (same noise seeds for every batch). */
function runInBatches(tf: Tf, generate: GenerateFn, x: tfjs.Tensor4D, batch: number, options: { samples: number; seed: number }): ProbeRun {
  const [n] = x.shape;
  const parts: ProbeRun[] = [];
  try {
    for (let start = 0; start < n; start += batch) {
      const slice = tf.slice(x, [start, 0, 0, 0], [Math.min(batch, n - start), -1, -1, -1]); // [B, S, S, 3]
      try {
        parts.push(runProbe(tf, generate, slice, options));
      } finally {
        slice.dispose();
      }
    }
    if (parts.length === 1) return parts[0]!;
    const join = (pick: (run: ProbeRun) => tfjs.Tensor4D) => tf.concat(parts.map(pick), 0) as tfjs.Tensor4D;
    return {
      output: join((r) => r.output),
      attention: join((r) => r.attention),
      samples: parts[0]!.samples.map((_, k) => join((r) => r.samples[k]!)),
      seeds: parts[0]!.seeds,
    };
  } finally {
    if (parts.length > 1) for (const part of parts) disposeProbeRun(tf, part);
  }
}
