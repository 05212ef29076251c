/**
 * Noise injection into the generator's content decoder (MODEL.md §2.7 item 4): the paper adds Gaussian noise
 * to "later content-generating transposed-conv layers" so one input can give several plausible masks. Where
 * exactly is unknown, so it is configurable: after `deconv1_content` (c1) and/or `deconv2_content` (c2), either
 * before instance norm ('preNorm': the noise is then rescaled with the activations) or after the ReLU
 * ('postAct': it survives as texture). Only the content branch gets noise; the attention branch stays
 * deterministic so the choice of background pixels is stable. Every draw is seeded: one call seed gives one
 * seed per layer, so the same call seed reproduces the output and another seed gives another sample.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Static } from '@sinclair/typebox';
import type { Noise } from '../dsl/definitions.js';
import type { Tf } from '../kit/tf-backend.js';
import { deriveSeed } from '../kit/prng.js';

/** Content-decoder layers that can take noise: c1 = deconv1_content, c2 = deconv2_content. */
export const NOISE_LAYERS = ['c1', 'c2'] as const;
export type NoiseLayer = (typeof NOISE_LAYERS)[number];

/** Where in a layer the noise is added. */
export const NOISE_POSITIONS = ['preNorm', 'postAct'] as const;
export type NoisePosition = (typeof NOISE_POSITIONS)[number];

/**
 * Which layers get ε ~ N(0, σ²), where ('preNorm': added to the transposed-conv output before instance
 * norm; 'postAct': after the ReLU), and how much (σ; 0 turns noise off): the params schema `Noise` is its
 * only definition.
 */
export type NoiseSpec = Static<typeof Noise>;

/** Throws when the spec is malformed, naming the field, what was expected and what was received. */
export function assertNoiseSpec(spec: NoiseSpec): void {
  if (!Array.isArray(spec.layers) || spec.layers.some((layer) => !(NOISE_LAYERS as readonly string[]).includes(layer))) {
    throw new RangeError(`noise 'layers' expected a list of 'c1' | 'c2', received ${JSON.stringify(spec.layers)}`);
  }
  if (!(NOISE_POSITIONS as readonly string[]).includes(spec.position)) {
    throw new RangeError(`noise 'position' expected 'preNorm' or 'postAct', received ${JSON.stringify(spec.position)}`);
  }
  if (typeof spec.sigma !== 'number' || !Number.isFinite(spec.sigma) || spec.sigma < 0) {
    throw new RangeError(`noise 'sigma' expected a finite number >= 0, received ${String(spec.sigma)}`);
  }
}

/** Whether a spec adds anything at all. */
export function isNoiseActive(spec: NoiseSpec | undefined): spec is NoiseSpec {
  return spec !== undefined && spec.sigma > 0 && spec.layers.length > 0;
}

/** The seed of one layer's draw for one call; never 0 (tfjs treats seed 0 as "unseeded"). */
export function noiseLayerSeed(noiseSeed: number, layer: NoiseLayer): number {
  return deriveSeed(noiseSeed, 'noise', layer) || 1;
}

/**
 * ε ~ N(0, σ²) of `shape` when `spec` puts noise on `layer` at `position`, else undefined; the same arguments
 * draw the same ε (the generator adds it before the norm, or after the ReLU as the next unit's input noise).
 */
export function drawNoise(
  tf: Tf, shape: readonly [number, number, number, number], spec: NoiseSpec | undefined, layer: NoiseLayer, position: NoisePosition, noiseSeed: number | undefined,
): tfjs.Tensor4D | undefined {
  if (!isNoiseActive(spec) || spec.position !== position || !spec.layers.includes(layer)) return undefined;
  if (noiseSeed === undefined) {
    throw new RangeError(`noise on '${layer}' expected a 'noiseSeed' (every draw is seeded), received none`);
  }
  return tf.randomNormal<tfjs.Rank.R4>([...shape], 0, spec.sigma, 'float32', noiseLayerSeed(noiseSeed, layer)); // [N, H, W, C]
}
