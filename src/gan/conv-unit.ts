/**
 * One network "unit" as a single taped op with its gradient written out, cut so a training step keeps ONE
 * tensor per unit where PyTorch keeps three (padded input, conv output, activation) and tfjs's composed ops
 * six to nine (it saves every Add/Slice/Concat/Reshape input just for its shape). The cut is pre-activation:
 *   x → [input activation (ReLU / LeakyReLU) + input noise] → pad → conv (or the stride-2 transposed conv)
 *     → bias → [noise] → [instance norm] → [tanh]
 * so a unit's input is the previous unit's normalised map x̂, which that unit keeps anyway for its own norm
 * gradient: the unit keeps its input x (shared) and its own x̂ (or its tanh output), and rebuilds the
 * activation mask, the input noise and the padded input in the backward pass (cheap copies next to the
 * convolutions). Forward values are the same ops as the composed path (`mode: 'taped'`, made of layers.ts),
 * so outputs agree bit for bit and gradients to float rounding (test/gan/conv-unit.test.ts). Reflect
 * padding's gradient folds the mirrored border rows back onto the rows they copy (tf.mirrorPad's own
 * gradient is wrong, MODEL.md §3.1); its forward is right and is used. On native TensorFlow that fold and the
 * ReLU masks are TensorFlow's own single gradient ops (kit/native-grad-kernels.ts). NHWC throughout.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { nativeGradKernels } from '../kit/native-grad-kernels.js';
import type { Tf } from '../kit/tf-backend.js';
import { conv2dValid, convTranspose3x3s2, INSTANCE_NORM_EPSILON, instanceNorm, reflectPad, type ConvWeights } from './layers.js';

/** What one unit computes. */
export interface ConvUnitSpec {
  /** 'conv': k×k conv with `stride`; 'deconv': PyTorch ConvTranspose2d(k3, s2, p1, output_padding 1). */
  readonly kind: 'conv' | 'deconv';
  /** Applied to the input first: the previous layer's activation. @default 'none' */
  readonly input?: 'relu' | 'leaky' | 'none';
  /** LeakyReLU slope. @default 0.2 */
  readonly leakySlope?: number;
  /** Conv stride (conv only). @default 1 */
  readonly stride?: 1 | 2;
  /** Padding on each spatial side before the conv (conv only). @default 0 */
  readonly pad?: number;
  /** 'reflect' or 'zero'. @default 'zero' */
  readonly padMode?: 'reflect' | 'zero';
  /** Instance norm after the bias. */
  readonly norm: boolean;
  /** tanh at the end (the content head). @default 'none' */
  readonly output?: 'tanh' | 'none';
}

/** 'fused': one op with a hand-written gradient (training); 'taped': the composed ops of layers.ts (reference). */
export type UnitMode = 'fused' | 'taped';

/** How to run one unit. */
export interface ConvUnitOptions {
  /** @default 'fused' */
  readonly mode?: UnitMode | undefined;
  /** Added after the input activation (a constant: noise after the previous ReLU), [N, H, W, in]. */
  readonly inputNoise?: tfjs.Tensor4D | undefined;
  /** Added after the bias, before the norm (a constant: noise), [N, H', W', out]. */
  readonly preNorm?: tfjs.Tensor4D | undefined;
  /**
   * The weights are not being trained in this pass (a D inside the G step): the fused op then takes only x,
   * so its backward computes dx and skips the filter and bias gradients. Same values either way.
   */
  readonly frozen?: boolean | undefined;
}

/** Constants a unit's forward and backward share. */
interface UnitContext {
  readonly spec: ConvUnitSpec;
  readonly inputNoise?: tfjs.Tensor4D | undefined;
  readonly preNorm?: tfjs.Tensor4D | undefined;
}

/**
 * Runs one unit on x [N, H, W, in] with `layer` (kernel [k, k, in, out] for conv, [3, 3, out, in] for deconv).
 */
export function convUnit(tf: Tf, x: tfjs.Tensor4D, layer: ConvWeights, spec: ConvUnitSpec, options: ConvUnitOptions = {}): tfjs.Tensor4D {
  const context: UnitContext = { spec, inputNoise: options.inputNoise, preNorm: options.preNorm };
  if (options.mode === 'taped') return tapedUnit(tf, x, layer, context);
  // the backward pass rebuilds the conv input, so the input noise is kept (the caller's copy may be freed)
  const noiseToKeep = options.inputNoise === undefined ? [] : [options.inputNoise];
  const trainWeights = options.frozen !== true;
  // frozen: the op's only input is x, so tfjs asks for dx alone; otherwise [x, kernel, bias]
  const unit = tf.customGrad(((...args: unknown[]) => {
    const save = args.pop() as tfjs.GradSaveFunc;
    const [input, kernel, bias] = (trainWeights ? args : [args[0], layer.kernel, layer.bias]) as [tfjs.Tensor4D, tfjs.Tensor4D, tfjs.Tensor1D];
    const { value, keep } = unitForward(tf, input, kernel, bias, context);
    save([input, kernel, ...keep, ...noiseToKeep]);
    return {
      value,
      gradFunc: (dy: tfjs.Tensor, saved: tfjs.Tensor[]) => unitBackward(tf, dy as tfjs.Tensor4D, saved as tfjs.Tensor4D[], context, trainWeights),
    };
  }) as unknown as Parameters<Tf['customGrad']>[0]);
  return (trainWeights ? unit(x, layer.kernel, layer.bias) : unit(x)) as tfjs.Tensor4D;
}

/** The composed reference path: the same maths through taped tfjs ops. */
function tapedUnit(tf: Tf, x: tfjs.Tensor4D, layer: ConvWeights, { spec, inputNoise, preNorm }: UnitContext): tfjs.Tensor4D {
  return tf.tidy(() => {
    let h = activateInput(tf, x, spec);
    if (inputNoise !== undefined) h = tf.add(h, inputNoise);
    let z: tfjs.Tensor4D;
    if (spec.kind === 'deconv') {
      z = convTranspose3x3s2(tf, h, layer.kernel, layer.bias);                           // [N, 2H, 2W, out]
    } else if (spec.padMode === 'reflect') {
      z = conv2dValid(tf, reflectPad(tf, h, spec.pad ?? 0), layer.kernel, layer.bias, spec.stride ?? 1);
    } else {
      z = conv2dValid(tf, h, layer.kernel, layer.bias, spec.stride ?? 1, spec.pad ?? 0);
    }
    if (preNorm !== undefined) z = tf.add(z, preNorm);
    if (spec.norm) z = instanceNorm(tf, z);
    return spec.output === 'tanh' ? tf.tanh(z) : z;
  });
}

function activateInput(tf: Tf, x: tfjs.Tensor4D, spec: ConvUnitSpec): tfjs.Tensor4D {
  switch (spec.input ?? 'none') {
    case 'relu': return tf.relu(x);
    case 'leaky': return tf.leakyRelu(x, spec.leakySlope ?? 0.2);
    case 'none': return x;
  }
}

/** The conv's input: activation, input noise, padding: [N, H+2p, W+2p, in] (deconv: [N, H, W, in]). */
function convInput(tf: Tf, x: tfjs.Tensor4D, { spec, inputNoise }: UnitContext): tfjs.Tensor4D {
  let h = activateInput(tf, x, spec);
  if (inputNoise !== undefined) h = tf.add(h, inputNoise);
  const p = spec.pad ?? 0;
  if (p === 0 || spec.kind === 'deconv') return h;
  const paddings: [number, number][] = [[0, 0], [p, p], [p, p], [0, 0]];
  return spec.padMode === 'reflect' ? tf.mirrorPad(h, paddings, 'reflect') : tf.pad(h, paddings);
}

/** Forward of one unit; `keep` is what the backward pass needs besides x and the kernel. */
function unitForward(
  tf: Tf, x: tfjs.Tensor4D, kernel: tfjs.Tensor4D, bias: tfjs.Tensor1D, context: UnitContext,
): { value: tfjs.Tensor4D; keep: tfjs.Tensor[] } {
  const { spec, preNorm } = context;
  // tidy frees the activated and padded input, the conv output and the moments; what is returned survives
  const kept = tf.tidy(() => {
    const input = convInput(tf, x, context);
    let z: tfjs.Tensor4D;
    if (spec.kind === 'deconv') {
      const [n, h, w] = x.shape;
      const out = kernel.shape[2];
      const full = tf.conv2dTranspose(input, kernel, [n, 2 * h + 1, 2 * w + 1, out], 2, 'valid'); // [N, 2H+1, 2W+1, out]
      z = tf.add(tf.slice(full, [0, 1, 1, 0], [n, 2 * h, 2 * w, out]), bias);                     // [N, 2H, 2W, out]
    } else {
      z = tf.add(tf.conv2d(input, kernel, spec.stride ?? 1, 'valid'), bias);                      // [N, H', W', out]
    }
    if (preNorm !== undefined) z = tf.add(z, preNorm);
    if (spec.norm) {
      const { mean, variance } = tf.moments(z, [1, 2], true);                                     // [N, 1, 1, out] each
      const rstd = tf.rsqrt(tf.add(variance, INSTANCE_NORM_EPSILON));                             // [N, 1, 1, out]
      z = tf.mul(tf.sub(z, mean), rstd) as tfjs.Tensor4D;                                          // x̂ [N, H', W', out]
      return spec.output === 'tanh' ? [tf.tanh(z), z, rstd] : [z, z, rstd];
    }
    if (spec.output !== 'tanh') return [z];
    const y = tf.tanh(z);
    return [y, y];
  });
  const value = kept[0] as tfjs.Tensor4D;
  return { value, keep: kept.slice(1) };
}

/**
 * Gradients of one unit with respect to [x, kernel, bias] (only [x] unless `weights`).
 * saved = [x, kernel, x̂, rstd] (norm), [x, kernel, tanh output] (tanh, no norm) or [x, kernel], then the
 * input noise when there is one.
 */
function unitBackward(tf: Tf, dy: tfjs.Tensor4D, savedAll: tfjs.Tensor4D[], forward: UnitContext, weights: boolean): tfjs.Tensor[] {
  const { spec } = forward;
  const hasNoise = forward.inputNoise !== undefined;
  const saved = hasNoise ? savedAll.slice(0, -1) : savedAll;
  const context: UnitContext = { spec, inputNoise: hasNoise ? savedAll[savedAll.length - 1] : undefined };
  const [x, kernel] = saved as [tfjs.Tensor4D, tfjs.Tensor4D];
  return tf.tidy(() => {
    let dz = dy;
    if (spec.norm) {
      const [xhat, rstd] = saved.slice(2) as [tfjs.Tensor4D, tfjs.Tensor4D];
      if (spec.output === 'tanh') dz = tf.mul(dz, tf.sub(1, tf.square(tf.tanh(xhat))));
      const meanG = tf.mean(dz, [1, 2], true);                                                     // [N, 1, 1, out]
      const meanGXhat = tf.mean(tf.mul(dz, xhat), [1, 2], true);                                   // [N, 1, 1, out]
      dz = tf.mul(rstd, tf.sub(tf.sub(dz, meanG), tf.mul(xhat, meanGXhat))) as tfjs.Tensor4D;     // [N, H', W', out]
    } else if (spec.output === 'tanh') {
      dz = tf.mul(dz, tf.sub(1, tf.square(saved[2]!))) as tfjs.Tensor4D;                           // 1 − tanh²
    }
    const input = convInput(tf, x, context);                                                       // rebuilt, [N, H+2p, W+2p, in]
    let dInput: tfjs.Tensor4D;
    let dKernel: (() => tfjs.Tensor) | undefined;
    if (spec.kind === 'deconv') {
      const dFull = tf.pad(dz, [[0, 0], [1, 0], [1, 0], [0, 0]]) as tfjs.Tensor4D;                  // [N, 2H+1, 2W+1, out]
      dInput = tf.conv2d(dFull, kernel, 2, 'valid');                                               // [N, H, W, in]
      dKernel = () => filterGradient(tf, dFull, input, kernel.shape, 2);                          // [3, 3, out, in]
    } else {
      const stride = spec.stride ?? 1;
      const dPadded = tf.conv2dTranspose(dz, kernel, input.shape, stride, 'valid') as tfjs.Tensor4D; // [N, H+2p, W+2p, in]
      dInput = unpadGradient(tf, dPadded, spec);                                                   // [N, H, W, in]
      dKernel = () => filterGradient(tf, input, dz, kernel.shape, stride);                        // [k, k, in, out]
    }
    const dx = inputActivationBackward(tf, dInput, x, spec);                                      // [N, H, W, in]
    return weights ? [dx, dKernel(), tf.sum(dz, [0, 1, 2])] : [dx];                                // dBias [out]
  });
}

/** dL/dx from dL/d(activated input): ReLU passes where x > 0, LeakyReLU scales the rest by its slope. */
function inputActivationBackward(tf: Tf, d: tfjs.Tensor4D, x: tfjs.Tensor4D, spec: ConvUnitSpec): tfjs.Tensor4D {
  const native = nativeGradKernels(tf);
  if (native !== undefined && spec.input === 'relu') return native.reluGrad(d, x);
  if (native !== undefined && spec.input === 'leaky') return native.leakyReluGrad(d, x, spec.leakySlope ?? 0.2);
  switch (spec.input ?? 'none') {
    case 'relu': return tf.mul(d, tf.step(x)) as tfjs.Tensor4D;
    case 'leaky': return tf.mul(d, tf.step(x, spec.leakySlope ?? 0.2)) as tfjs.Tensor4D;
    case 'none': return d;
  }
}

/**
 * The conv's filter gradient with 'valid' padding, dW[a, b, i, o] = Σ_{n,y,x} input[n, y·s + a, x·s + b, i] · dy[n, y, x, o]:
 * the backend's Conv2DBackpropFilter, or, where it has none (wasm), the same sum as a forward conv of the
 * input (channels as batch) with dy (batch as channels) dilated by the stride.
 */
function filterGradient(tf: Tf, input: tfjs.Tensor4D, dy: tfjs.Tensor4D, filterShape: readonly number[], stride: number): tfjs.Tensor4D {
  if (tf.getKernel('Conv2DBackpropFilter', tf.getBackend()) !== undefined) {
    return tf.engine().runKernel('Conv2DBackpropFilter', { x: input, dy }, {
      strides: stride, pad: 'valid', dataFormat: 'NHWC', filterShape: [...filterShape],
    }) as tfjs.Tensor4D;
  }
  const [kh, kw] = filterShape as [number, number];
  return tf.tidy(() => {
    const channelsAsBatch = tf.transpose(input, [3, 1, 2, 0]);                         // [in, H, W, N]
    const dyAsFilter = tf.transpose(dy, [1, 2, 0, 3]);                                  // [H', W', N, out]
    const full = tf.conv2d(channelsAsBatch, dyAsFilter, 1, 'valid', 'NHWC', stride);    // [in, ≥kh, ≥kw, out]
    return tf.transpose(tf.slice(full, [0, 0, 0, 0], [-1, kh, kw, -1]), [1, 2, 0, 3]) as tfjs.Tensor4D; // [kh, kw, in, out]
  });
}

/** dL/d(activated x) from dL/d(padded): the centre, plus (reflect) each mirrored border row/column added onto its source. */
function unpadGradient(tf: Tf, dPadded: tfjs.Tensor4D, spec: ConvUnitSpec): tfjs.Tensor4D {
  const p = spec.pad ?? 0;
  if (p === 0) return dPadded;
  const [n, hp, wp, c] = dPadded.shape;
  if (spec.padMode !== 'reflect') return tf.slice(dPadded, [0, p, p, 0], [n, hp - 2 * p, wp - 2 * p, c]);
  const native = nativeGradKernels(tf);
  if (native !== undefined) return native.mirrorPadGrad(dPadded, [[0, 0], [p, p], [p, p], [0, 0]]);
  const columns = foldReflectAxis(tf, dPadded, p, 2);   // [N, H+2p, W, C]: undo the column pad first (it was applied last)
  return foldReflectAxis(tf, columns, p, 1);             // [N, H, W, C]
}

/** Undoes reflect padding by p along one axis: rows p..1 came from 1..p, rows L..L+p−1 from L−2..L−1−p. */
function foldReflectAxis(tf: Tf, d: tfjs.Tensor4D, p: number, axis: 1 | 2): tfjs.Tensor4D {
  const length = d.shape[axis] - 2 * p;
  const take = (start: number, size: number) => tf.slice(d, axis === 1 ? [0, start, 0, 0] : [0, 0, start, 0],
    axis === 1 ? [-1, size, -1, -1] : [-1, -1, size, -1]);
  const along = (before: number, after: number): [number, number][] => (axis === 1
    ? [[0, 0], [before, after], [0, 0], [0, 0]] : [[0, 0], [0, 0], [before, after], [0, 0]]);
  const centre = take(p, length);                                                        // [.., L, ..]
  const head = tf.pad(tf.reverse(take(0, p), axis), along(1, length - 1 - p));            // onto rows 1..p
  const tail = tf.pad(tf.reverse(take(length + p, p), axis), along(length - 1 - p, 1));   // onto rows L−1−p..L−2
  return tf.addN([centre, head, tail]) as tfjs.Tensor4D;
}
