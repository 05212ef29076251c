/**
 * The PatchGAN discriminator ("basic", n_layers = 3, MODEL.md §2.2) in NHWC: five 4×4 convs with PyTorch's
 * symmetric zero padding 1 (explicit pad, then 'valid'), LeakyReLU 0.2 after all but the last, instance norm
 * on layers 2–4 (which keep their bias, as the reference does with InstanceNorm), and a raw logit map with no
 * sigmoid. A 256² input gives 128 → 64 → 32 → 31 → 30×30 patch logits. Variables are named after the
 * PyTorch `model.{0,2,5,8,11}` modules.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../kit/tf-backend.js';
import { convUnit, type UnitMode } from './conv-unit.js';
import { createConvFactory, type ConvVariables } from './weights.js';

export { countParameters, disposeWeights } from './weights.js';

/** Discriminator size and seed. */
export interface DiscriminatorConfig {
  /** Filters of the first conv; the reference uses 64. */
  readonly ndf: number;
  /** Seed of the N(0, 0.02) kernel init. */
  readonly seed: number;
  /** Variable-name prefix, unique among live networks. @default 'discriminator' */
  readonly scope?: string;
  /** Input channels. @default 3 */
  readonly inputChannels?: number;
}

/** One conv of the stack and how it is used. */
export interface DiscriminatorLayer {
  readonly conv: ConvVariables;
  readonly stride: 1 | 2;
  /** Instance norm after the conv. */
  readonly norm: boolean;
  /** LeakyReLU 0.2 after the (normed) conv; false only for the final logit conv. */
  readonly activation: boolean;
}

/** The discriminator's parameters, in forward order, plus the flat list for optimisers. */
export interface DiscriminatorWeights {
  readonly config: DiscriminatorConfig;
  readonly layers: readonly DiscriminatorLayer[];
  readonly variables: readonly tfjs.Variable[];
}

/** LeakyReLU slope of the reference. */
export const LEAKY_SLOPE = 0.2;

/** Creates the discriminator's variables, seeded. */
export function createDiscriminatorWeights(tf: Tf, config: DiscriminatorConfig): DiscriminatorWeights {
  const { ndf } = config;
  const factory = createConvFactory(tf, config.scope ?? 'discriminator', config.seed);
  const plan: readonly [string, number, number, 1 | 2, boolean, boolean][] = [
    // module,     in,                         out,     stride, norm,  activation
    ['model.0', config.inputChannels ?? 3, ndf, 2, false, true],
    ['model.2', ndf, 2 * ndf, 2, true, true],
    ['model.5', 2 * ndf, 4 * ndf, 2, true, true],
    ['model.8', 4 * ndf, 8 * ndf, 1, true, true],
    ['model.11', 8 * ndf, 1, 1, false, false],
  ];
  const layers = plan.map(([module, cin, cout, stride, norm, activation]) => ({
    conv: factory.create(module, [4, 4, cin, cout]), stride, norm, activation,
  }));
  return { config, layers, variables: factory.variables };
}

/** How a discriminator pass runs its layers. */
export interface RunDiscriminatorOptions {
  /** @default 'fused' */
  readonly units?: UnitMode | undefined;
  /** Not being trained in this pass (the G step): its backward then yields only the input's gradient. */
  readonly frozen?: boolean | undefined;
}

/** Patch logits for x [N, H, W, C]: [N, H/8 − 2, W/8 − 2, 1] for H, W divisible by 8 (30×30 at 256²). */
export function runDiscriminator(tf: Tf, weights: DiscriminatorWeights, x: tfjs.Tensor4D, options: RunDiscriminatorOptions = {}): tfjs.Tensor4D {
  return tf.tidy(() => {
    let h = x;
    let activate = false;                                                          // pre-activation units: a layer's LeakyReLU runs in the next unit
    for (const layer of weights.layers) {
      h = convUnit(tf, h, layer.conv, {                                            // s2: [N, H/2, W/2, out]; s1: [N, H−1, W−1, out]
        kind: 'conv', input: activate ? 'leaky' : 'none', leakySlope: LEAKY_SLOPE, stride: layer.stride, pad: 1, padMode: 'zero', norm: layer.norm,
      }, { mode: options.units, frozen: options.frozen });
      activate = layer.activation;
    }
    return activate ? tf.leakyRelu(h, LEAKY_SLOPE) : h;                           // [N, 30, 30, 1] at 256²
  });
}

/** Side of the patch-logit map for a `size`² input: 256 → 30; below 1 the input is too small for the 5 convs. */
export function patchSide(size: number): number {
  let side = size;
  for (const stride of [2, 2, 2, 1, 1]) side = Math.floor((side + 2 - 4) / stride) + 1;
  return side;
}
