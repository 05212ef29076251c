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
}

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
   * 'fused' (default): each conv → norm → activation is one op with a hand-written gradient that keeps two
   * tensors (conv-unit.ts); 'taped': the composed tfjs ops, the reference the fused path is tested against.
   */
  readonly units?: UnitMode | undefined;
}

const ENCODER_IN: ConvUnitSpec = { kind: 'conv', pad: 3, padMode: 'reflect', norm: true, activation: 'relu' };
const DOWN: ConvUnitSpec = { kind: 'conv', stride: 2, pad: 1, padMode: 'zero', norm: true, activation: 'relu' };
const BLOCK_IN: ConvUnitSpec = { kind: 'conv', pad: 1, padMode: 'reflect', norm: true, activation: 'relu' };
const BLOCK_OUT: ConvUnitSpec = { kind: 'conv', pad: 1, padMode: 'reflect', norm: true, activation: 'none' };
const UP: ConvUnitSpec = { kind: 'deconv', norm: true, activation: 'relu' };
const CONTENT_OUT: ConvUnitSpec = { kind: 'conv', pad: 3, padMode: 'reflect', norm: false, activation: 'tanh' };
const ATTENTION_OUT: ConvUnitSpec = { kind: 'conv', norm: false, activation: 'none' };

/** Creates the generator's variables, seeded. */
export function createGeneratorWeights(tf: Tf, config: GeneratorConfig): GeneratorWeights {
  const { ngf, blocks } = config;
  const factory = createConvFactory(tf, config.scope ?? 'generator', config.seed);
  const conv = (name: string, k: number, cin: number, cout: number) => factory.create(name, [k, k, cin, cout]);
  const deconv = (name: string, cin: number, cout: number) => factory.create(name, [3, 3, cout, cin], true);
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
  return {
    config, conv1, conv2, conv3, blocks: resnet,
    deconv1Content, deconv2Content, deconv3Content, deconv1Attention, deconv2Attention, deconv3Attention,
    variables: factory.variables,
  };
}

/** One forward pass. x is [N, H, W, 3] in [−1, 1] with H and W divisible by 4. */
export function runGenerator(tf: Tf, weights: GeneratorWeights, x: tfjs.Tensor4D, options: RunGeneratorOptions = {}): GeneratorOutput {
  const [, h, w] = x.shape;
  if (h % 4 !== 0 || w % 4 !== 0 || x.shape[3] !== 3) {
    throw new RangeError(`runGenerator expected x [N, H, W, 3] with H, W divisible by 4, received [${x.shape.join(', ')}]`);
  }
  if (options.noise !== undefined) assertNoiseSpec(options.noise);
  const mode = options.units ?? 'fused';
  return tf.tidy(() => {
    const unit = (input: tfjs.Tensor4D, layer: ConvWeights, spec: ConvUnitSpec, preNorm?: tfjs.Tensor4D) => convUnit(tf, input, layer, spec, { mode, preNorm });
    const { noise, noiseSeed } = options;
    const upContent = (input: tfjs.Tensor4D, layer: ConvWeights, name: NoiseLayer) => {
      const [batch, height, width] = input.shape;
      const shape = [batch, 2 * height, 2 * width, layer.kernel.shape[2]] as const;                  // [N, 2H, 2W, out]
      const activated = unit(input, layer, UP, drawNoise(tf, shape, noise, name, 'preNorm', noiseSeed));
      const postAct = drawNoise(tf, shape, noise, name, 'postAct', noiseSeed);
      return postAct === undefined ? activated : tf.add(activated, postAct) as tfjs.Tensor4D;
    };

    // encoder
    let e = unit(x, weights.conv1, ENCODER_IN);                            // [N, H, W, ngf]
    e = unit(e, weights.conv2, DOWN);                                      // [N, H/2, W/2, 2ngf]
    e = unit(e, weights.conv3, DOWN);                                      // [N, H/4, W/4, 4ngf]
    for (const block of weights.blocks) {
      const r = unit(e, block.conv1, BLOCK_IN);                            // [N, H/4, W/4, 4ngf]
      e = tf.add(e, unit(r, block.conv2, BLOCK_OUT));                      // skip, no ReLU after the add
    }

    // content branch: 9 RGB images (noise, when asked, after c1 and/or c2)
    let c = upContent(e, weights.deconv1Content, 'c1');                    // [N, H/2, W/2, 2ngf]
    c = upContent(c, weights.deconv2Content, 'c2');                        // [N, H, W, ngf]
    const content = unit(c, weights.deconv3Content, CONTENT_OUT);          // [N, H, W, 27]

    // attention branch: 10 maps, softmax over the maps
    let a = unit(e, weights.deconv1Attention, UP);                         // [N, H/2, W/2, 2ngf]
    a = unit(a, weights.deconv2Attention, UP);                             // [N, H, W, ngf]
    const attention = tf.softmax(unit(a, weights.deconv3Attention, ATTENTION_OUT), -1) as tfjs.Tensor4D; // [N, H, W, 10]

    // y = Σ_{i≤9} C_i·A_i + x·A_10
    const output = mixAttention(tf, content, attention, x, mode);         // [N, H, W, 3]
    return { output, attention, content };
  });
}
