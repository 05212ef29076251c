/**
 * The AttentionGAN v2 generator (`ResnetGenerator_our`, MODEL.md §2.1) in NHWC: a ResNet encoder (e0–e2 and
 * `blocks` residual blocks), a content decoder that paints 9 RGB candidate images with tanh, and an
 * attention decoder that softmaxes 10 maps per pixel; the output mixes the 9 candidates and the input
 * (map 10, the background) by those maps, so it stays in [−1, 1]. Weights are seeded variables named after
 * the PyTorch modules (`conv1`, `resnet_blocks.3.conv2`, `deconv1_content`, …) so a converted checkpoint can
 * be loaded by name. Optional noise (§2.7, `noise.ts`) is added to the content branch after c1 and/or c2;
 * without it, or with σ = 0, the forward pass is deterministic.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../kit/tf-backend.js';
import { mixAttention } from './attention-mix.js';
import { convUnit, type ConvUnitSpec, type UnitMode } from './conv-unit.js';
import type { ConvWeights } from './layers.js';
import { assertNoiseSpec, drawNoise, type NoiseLayer, type NoiseSpec } from './noise.js';
import { createConvFactory, type ConvVariables } from './weights.js';

export { countParameters, disposeWeights } from './weights.js';

/** Number of content images and attention maps (the reference hard-wires 27 = 9×3 and 10 channels). */
export const CONTENT_IMAGES = 9;
export const ATTENTION_MAPS = CONTENT_IMAGES + 1;

/** Generator size and seed. */
export interface GeneratorConfig {
  /** Filters of the first conv; the reference uses 64. */
  readonly ngf: number;
  /** Residual blocks; the reference uses 9. */
  readonly blocks: number;
  /** Seed of the N(0, 0.02) kernel init. */
  readonly seed: number;
  /** Variable-name prefix, unique among live networks. @default 'generator' */
  readonly scope?: string;
  /**
   * How the decoders double the resolution: 'deconv', the reference's stride-2 transposed 3×3 conv (its
   * four output phases see 1, 2, 2 and 4 kernel taps, and the weak phases of the attention map die at small
   * scale, MODEL.md §3.2); 'resize-conv', ×2 nearest-neighbour resize then a 3×3 conv with reflect pad 1
   * (every output pixel sees all nine taps; same parameter count). @default 'deconv'
   */
  readonly upsample?: Upsample;
  /**
   * The activation inside the attention decoder: 'relu' (the reference) or 'leaky-relu' (slope 0.2), which
   * leaves no pixel with every channel dead, so A10 cannot go bias-only. @default 'relu'
   */
  readonly attentionActivation?: AttentionActivation;
  /**
   * The background map's share A10 at initialisation: the last attention conv's bias starts at
   * log(9p / (1 − p)) for map 10 and 0 for the others, so with the small initial kernels every pixel starts
   * near A10 = p. The reference starts every bias at 0, which is p = 0.1 (`REFERENCE_ATTENTION_PRIOR`): each
   * background pixel must then climb to A10 > 0.5 before the input shows through (RetinaNet's prior init of
   * its classifier bias is the same idea). Weights loaded from a checkpoint replace it. @default 0.1
   */
  readonly attentionPrior?: number;
  /**
   * What the content decoder paints: 'direct', the reference's candidates C_i = tanh(z_i), drawn from the
   * 4× downsampled features alone (so inside the mask the output is as soft as the decoder's resolution); or
   * 'residual', C_i = tanh(z_i + atanh(0.999·x)): every candidate starts as the input and the decoder paints a
   * change onto it in tanh's logit space, so the input's full-resolution detail (the warp's edges, folds and
   * weave) reaches the mask while the candidates stay in (−1, 1). Same parameters. @default 'direct'
   */
  readonly content?: ContentMode;
}

/** The content decoder's candidates: painted from the features alone, or a change on the input. */
export type ContentMode = 'direct' | 'residual';
export const CONTENT_MODES = ['direct', 'residual'] as const satisfies readonly ContentMode[];
/** How far x is pulled in before atanh in 'residual' content, so that atanh(±1) stays finite (|logit| ≤ 3.8). */
export const RESIDUAL_INPUT_SCALE = 0.999;

/** The decoder settings a network description (a stage's `network` param) gives every generator built from it, defaults filled. */
export function decoderSettings(network: {
  readonly upsample?: Upsample;
  readonly attentionActivation?: AttentionActivation;
  readonly attentionPrior?: number;
  readonly content?: ContentMode;
}): Required<Pick<GeneratorConfig, 'upsample' | 'attentionActivation' | 'attentionPrior' | 'content'>> {
  return {
    upsample: network.upsample ?? 'deconv',
    attentionActivation: network.attentionActivation ?? 'relu',
    attentionPrior: network.attentionPrior ?? REFERENCE_ATTENTION_PRIOR,
    content: network.content ?? 'direct',
  };
}

/** A10 at initialisation with all attention biases 0, the reference's init: one in ten maps. */
export const REFERENCE_ATTENTION_PRIOR = 1 / 10;

/** The attention decoder's activation. */
export type AttentionActivation = 'relu' | 'leaky-relu';
export const ATTENTION_ACTIVATIONS = ['relu', 'leaky-relu'] as const satisfies readonly AttentionActivation[];
/** LeakyReLU slope of the 'leaky-relu' attention decoder (the discriminator's). */
export const ATTENTION_LEAK = 0.2;

/** The decoders' upsampling layer. */
export type Upsample = 'deconv' | 'resize-conv';
export const UPSAMPLES = ['deconv', 'resize-conv'] as const satisfies readonly Upsample[];

/** The generator's parameters, one entry per PyTorch module, plus the flat list for optimisers. */
export interface GeneratorWeights {
  readonly config: GeneratorConfig;
  readonly conv1: ConvVariables;
  readonly conv2: ConvVariables;
  readonly conv3: ConvVariables;
  readonly blocks: readonly { readonly conv1: ConvVariables; readonly conv2: ConvVariables }[];
  readonly deconv1Content: ConvVariables;
  readonly deconv2Content: ConvVariables;
  readonly deconv3Content: ConvVariables;
  readonly deconv1Attention: ConvVariables;
  readonly deconv2Attention: ConvVariables;
  readonly deconv3Attention: ConvVariables;
  /** Every variable in creation order. */
  readonly variables: readonly tfjs.Variable[];
}

/** What one forward pass gives back. */
export interface GeneratorOutput {
  /** y = Σ C_i·A_i + x·A_10, [N, H, W, 3] in [−1, 1]. */
  readonly output: tfjs.Tensor4D;
  /** A_1..A_10 after the softmax, [N, H, W, 10], summing to 1 at every pixel. */
  readonly attention: tfjs.Tensor4D;
  /** C_1..C_9 after tanh, [N, H, W, 27], image i in channels 3i..3i+2. */
  readonly content: tfjs.Tensor4D;
}

/** Options of one forward pass. */
export interface RunGeneratorOptions {
  /** Noise on the content branch; none by default. */
  readonly noise?: NoiseSpec | undefined;
  /** Seed of this call's noise draws; required when `noise` adds anything. */
  readonly noiseSeed?: number | undefined;
  /**
   * 'fused' (default): each activation → pad → conv → norm is one op with a hand-written gradient that keeps
   * one new tensor (conv-unit.ts); 'taped': the composed tfjs ops, the reference the fused path is tested against.
   */
  readonly units?: UnitMode | undefined;
}

// pre-activation units (conv-unit.ts): each applies the previous layer's ReLU to its input
const ENCODER_IN: ConvUnitSpec = { kind: 'conv', pad: 3, padMode: 'reflect', norm: true };
const DOWN: ConvUnitSpec = { kind: 'conv', input: 'relu', stride: 2, pad: 1, padMode: 'zero', norm: true };
const BLOCK_IN: ConvUnitSpec = { kind: 'conv', pad: 1, padMode: 'reflect', norm: true };
const BLOCK_OUT: ConvUnitSpec = { kind: 'conv', input: 'relu', pad: 1, padMode: 'reflect', norm: true };
const UP_FIRST: ConvUnitSpec = { kind: 'deconv', norm: true };
const UP_SECOND: ConvUnitSpec = { kind: 'deconv', input: 'relu', norm: true };
// resize-conv: the unit gets the input already resized ×2 (nearest commutes with the ReLU it applies)
const RESIZE_UP_FIRST: ConvUnitSpec = { kind: 'conv', pad: 1, padMode: 'reflect', norm: true };
const RESIZE_UP_SECOND: ConvUnitSpec = { kind: 'conv', input: 'relu', pad: 1, padMode: 'reflect', norm: true };
const CONTENT_OUT: ConvUnitSpec = { kind: 'conv', input: 'relu', pad: 3, padMode: 'reflect', norm: false, output: 'tanh' };
const CONTENT_LOGITS: ConvUnitSpec = { ...CONTENT_OUT, output: 'none' };
const ATTENTION_OUT: ConvUnitSpec = { kind: 'conv', input: 'relu', norm: false };

/**
 * x [N, H, W, C] → [N, 2H, 2W, C], each pixel repeated 2×2: reshapes and rank-4 tiles (tfjs has the tile
 * gradient up to rank 4 only), so every backend can train through it.
 */
export function upsampleNearest(tf: Tf, x: tfjs.Tensor4D): tfjs.Tensor4D {
  const [n, h, w, c] = x.shape;
  const wide = tf.reshape(tf.tile(tf.reshape(x, [n * h, w, 1, c]), [1, 1, 2, 1]), [n, h, 1, 2 * w * c]); // each pixel twice along W
  return tf.reshape(tf.tile(wide, [1, 1, 2, 1]), [n, 2 * h, 2 * w, c]); // each row twice: [N, 2H, 2W, C]
}

/** Creates the generator's variables, seeded. */
export function createGeneratorWeights(tf: Tf, config: GeneratorConfig): GeneratorWeights {
  const { ngf, blocks } = config;
  const prior = config.attentionPrior ?? REFERENCE_ATTENTION_PRIOR;
  const priorBias = prior === REFERENCE_ATTENTION_PRIOR ? undefined : attentionPriorBias(prior); // checked before any variable exists
  const factory = createConvFactory(tf, config.scope ?? 'generator', config.seed);
  const conv = (name: string, k: number, cin: number, cout: number) => factory.create(name, [k, k, cin, cout]);
  const up = config.upsample ?? 'deconv';
  const deconv = (name: string, cin: number, cout: number) => (up === 'deconv' ? factory.create(name, [3, 3, cout, cin], true) : factory.create(name, [3, 3, cin, cout]));
  const conv1 = conv('conv1', 7, 3, ngf);
  const conv2 = conv('conv2', 3, ngf, 2 * ngf);
  const conv3 = conv('conv3', 3, 2 * ngf, 4 * ngf);
  const resnet = Array.from({ length: blocks }, (_, i) => ({
    conv1: conv(`resnet_blocks.${i}.conv1`, 3, 4 * ngf, 4 * ngf),
    conv2: conv(`resnet_blocks.${i}.conv2`, 3, 4 * ngf, 4 * ngf),
  }));
  const deconv1Content = deconv('deconv1_content', 4 * ngf, 2 * ngf);
  const deconv2Content = deconv('deconv2_content', 2 * ngf, ngf);
  const deconv3Content = conv('deconv3_content', 7, ngf, 3 * CONTENT_IMAGES);
  const deconv1Attention = deconv('deconv1_attention', 4 * ngf, 2 * ngf);
  const deconv2Attention = deconv('deconv2_attention', 2 * ngf, ngf);
  const deconv3Attention = conv('deconv3_attention', 1, ngf, ATTENTION_MAPS);
  if (priorBias !== undefined) tf.tidy(() => deconv3Attention.bias.assign(tf.tensor1d(priorBias)));
  return {
    config, conv1, conv2, conv3, blocks: resnet,
    deconv1Content, deconv2Content, deconv3Content, deconv1Attention, deconv2Attention, deconv3Attention,
    variables: factory.variables,
  };
}

/** 'residual' content: C_i = tanh(z_i + atanh(0.999·x)) for logits z [N, H, W, 27] and x [N, H, W, 3]. */
function residualContent(tf: Tf, z: tfjs.Tensor4D, x: tfjs.Tensor4D): tfjs.Tensor4D {
  const base = tf.atanh(tf.mul(x, RESIDUAL_INPUT_SCALE));                                      // [N, H, W, 3]
  return tf.tanh(tf.add(z, tf.tile(base, [1, 1, 1, CONTENT_IMAGES]))) as tfjs.Tensor4D;       // [N, H, W, 27], image i in 3i..3i+2
}

/**
 * The attention conv's initial bias for background share `prior` (0 < p < 1): map 10 at log(9p / (1 − p)),
 * the nine content maps at 0, so that the softmax gives A10 = p where the kernels contribute nothing.
 */
export function attentionPriorBias(prior: number): number[] {
  if (!(prior > 0 && prior < 1)) throw new RangeError(`attentionPrior expected a share between 0 and 1 (exclusive), received ${prior}`);
  return Array.from({ length: ATTENTION_MAPS }, (_, i) => (i === ATTENTION_MAPS - 1 ? Math.log(((ATTENTION_MAPS - 1) * prior) / (1 - prior)) : 0));
}

/** One forward pass. x is [N, H, W, 3] in [−1, 1] with H and W divisible by 4. */
export function runGenerator(tf: Tf, weights: GeneratorWeights, x: tfjs.Tensor4D, options: RunGeneratorOptions = {}): GeneratorOutput {
  const [, h, w] = x.shape;
  if (h % 4 !== 0 || w % 4 !== 0 || x.shape[3] !== 3) {
    throw new RangeError(`runGenerator expected x [N, H, W, 3] with H, W divisible by 4, received [${x.shape.join(', ')}]`);
  }
  if (options.noise !== undefined) assertNoiseSpec(options.noise);
  const mode = options.units ?? 'fused';
  const resize = (weights.config.upsample ?? 'deconv') === 'resize-conv';
  return tf.tidy(() => {
    const { noise, noiseSeed } = options;
    const unit = (input: tfjs.Tensor4D, layer: ConvWeights, spec: ConvUnitSpec, inputNoise?: tfjs.Tensor4D, preNorm?: tfjs.Tensor4D) =>
      convUnit(tf, input, layer, spec, { mode, inputNoise, preNorm });
    // ×2 up: the transposed conv, or nearest resize of the input (and of its input noise) then a 3×3 conv
    const upUnit = (input: tfjs.Tensor4D, layer: ConvWeights, second: boolean, inputNoise?: tfjs.Tensor4D, preNorm?: tfjs.Tensor4D, adjust = (s: ConvUnitSpec) => s) =>
      resize
        ? unit(upsampleNearest(tf, input), layer, adjust(second ? RESIZE_UP_SECOND : RESIZE_UP_FIRST), inputNoise && upsampleNearest(tf, inputNoise), preNorm)
        : unit(input, layer, adjust(second ? UP_SECOND : UP_FIRST), inputNoise, preNorm);
    const draw = (input: tfjs.Tensor4D, layer: ConvWeights, name: NoiseLayer, position: 'preNorm' | 'postAct') => {
      const [batch, height, width] = input.shape;
      const out = resize ? layer.kernel.shape[3] : layer.kernel.shape[2]; // conv kernels are [k, k, in, out], transposed ones [k, k, out, in]
      return drawNoise(tf, [batch, 2 * height, 2 * width, out], noise, name, position, noiseSeed); // [N, 2H, 2W, out]
    };

    // encoder; each unit's output is its normalised map x̂, the next unit applies the ReLU
    let e = unit(x, weights.conv1, ENCODER_IN);                            // [N, H, W, ngf]
    e = unit(e, weights.conv2, DOWN);                                      // [N, H/2, W/2, 2ngf]
    e = tf.relu(unit(e, weights.conv3, DOWN));                             // [N, H/4, W/4, 4ngf], the residual stream
    for (const block of weights.blocks) {
      const r = unit(e, block.conv1, BLOCK_IN);                            // [N, H/4, W/4, 4ngf]
      e = tf.add(e, unit(r, block.conv2, BLOCK_OUT));                      // skip, no ReLU after the add
    }

    // content branch: 9 RGB images (noise, when asked, on c1 and/or c2: before the norm, or after the ReLU,
    // which the next unit applies, so that noise is its input noise)
    const c1 = upUnit(e, weights.deconv1Content, false, undefined, draw(e, weights.deconv1Content, 'c1', 'preNorm'));      // [N, H/2, W/2, 2ngf]
    const c1Post = draw(e, weights.deconv1Content, 'c1', 'postAct');
    const c2 = upUnit(c1, weights.deconv2Content, true, c1Post, draw(c1, weights.deconv2Content, 'c2', 'preNorm'));       // [N, H, W, ngf]
    const c2Post = draw(c1, weights.deconv2Content, 'c2', 'postAct');
    const content = (weights.config.content ?? 'direct') === 'residual'
      ? residualContent(tf, unit(c2, weights.deconv3Content, CONTENT_LOGITS, c2Post), x)                     // [N, H, W, 27]
      : unit(c2, weights.deconv3Content, CONTENT_OUT, c2Post);                                                // [N, H, W, 27]

    // attention branch: 10 maps, softmax over the maps (the units after the first apply the activation)
    const leaky = weights.config.attentionActivation === 'leaky-relu';
    const withLeak = (spec: ConvUnitSpec): ConvUnitSpec => (leaky && spec.input === 'relu' ? { ...spec, input: 'leaky', leakySlope: ATTENTION_LEAK } : spec);
    let a = upUnit(e, weights.deconv1Attention, false);                    // [N, H/2, W/2, 2ngf]
    a = upUnit(a, weights.deconv2Attention, true, undefined, undefined, withLeak); // [N, H, W, ngf]
    const attention = tf.softmax(unit(a, weights.deconv3Attention, withLeak(ATTENTION_OUT)), -1) as tfjs.Tensor4D; // [N, H, W, 10]

    // y = Σ_{i≤9} C_i·A_i + x·A_10
    const output = mixAttention(tf, content, attention, x, mode);         // [N, H, W, 3]
    return { output, attention, content };
  });
}
