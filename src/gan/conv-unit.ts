/**
 * One network "unit" — pad → conv (or the stride-2 transposed conv) → bias → [noise] → [instance norm] →
 * [activation] — as a single taped op with its gradient written out, so a training step keeps only what the
 * backward pass needs: the unit's input x, and the normalised map x̂ (or, without norm, the output) —
 * two tensors per unit where the composed ops keep six to nine (tfjs saves every Add/Slice/Concat/Reshape
 * input just for its shape). PyTorch keeps three (padded input, conv output, activation). The padded input
 * is rebuilt in the backward pass instead of kept (a copy, cheap next to the conv). Forward values are the
 * same ops as the composed path in layers.ts (`mode: 'taped'`), so outputs agree bit for bit and gradients
 * to float rounding (test/gan/conv-unit.test.ts). Reflect padding's gradient folds the mirrored border rows
 * back onto the rows they copy (tf.mirrorPad's own gradient is wrong, MODEL.md §3.1); forward uses
 * tf.mirrorPad, which is right. NHWC throughout.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../kit/tf-backend.js';
import { conv2dValid, convTranspose3x3s2, INSTANCE_NORM_EPSILON, instanceNorm, reflectPad, type ConvWeights } from './layers.js';

/** What one unit computes. */
export interface ConvUnitSpec {
  /** 'conv': k×k conv with `stride`; 'deconv': PyTorch ConvTranspose2d(k3, s2, p1, output_padding 1). */
  readonly kind: 'conv' | 'deconv';
  /** Conv stride (conv only). @default 1 */
  readonly stride?: 1 | 2;
  /** Padding on each spatial side before the conv (conv only). @default 0 */
  readonly pad?: number;
  /** 'reflect' or 'zero'. @default 'zero' */
  readonly padMode?: 'reflect' | 'zero';
  /** Instance norm after the bias. */
  readonly norm: boolean;
  /** Activation at the end. */
  readonly activation: 'relu' | 'leaky' | 'tanh' | 'none';
  /** LeakyReLU slope. @default 0.2 */
  readonly leakySlope?: number;
}

/** 'fused': one op with a hand-written gradient (training); 'taped': the composed ops of layers.ts (reference). */
export type UnitMode = 'fused' | 'taped';

/** How to run one unit. */
export interface ConvUnitOptions {
  /** @default 'fused' */
  readonly mode?: UnitMode | undefined;
  /** Added after the bias, before the norm (a constant: noise), [N, H', W', out]. */
  readonly preNorm?: tfjs.Tensor4D | undefined;
  /**
   * The weights are not being trained in this pass (a D inside the G step): the fused op then takes only x,
   * so its backward computes dx and skips the filter and bias gradients. Same values either way.
   */
  readonly frozen?: boolean | undefined;
}

/**
 * Runs one unit on x [N, H, W, in] with `layer` (kernel [k, k, in, out] for conv, [3, 3, out, in] for deconv).
 */
export function convUnit(tf: Tf, x: tfjs.Tensor4D, layer: ConvWeights, spec: ConvUnitSpec, options: ConvUnitOptions = {}): tfjs.Tensor4D {
  const { preNorm } = options;
  if (options.mode === 'taped') return tapedUnit(tf, x, layer, spec, preNorm);
  if (options.frozen === true) {
    const frozenUnit = tf.customGrad(((input: tfjs.Tensor, save: tfjs.GradSaveFunc) => {
      const { value, keep } = unitForward(tf, input as tfjs.Tensor4D, layer.kernel, layer.bias, spec, preNorm);
      save([input, layer.kernel, ...keep]);
      return {
        value,
        gradFunc: (dy: tfjs.Tensor, saved: tfjs.Tensor[]) => unitBackward(tf, dy as tfjs.Tensor4D, saved as tfjs.Tensor4D[], spec, false)[0]!,
      };
    }) as unknown as Parameters<Tf['customGrad']>[0]);
    return frozenUnit(x) as tfjs.Tensor4D;
  }
  const unit = tf.customGrad(((input: tfjs.Tensor, kernel: tfjs.Tensor, bias: tfjs.Tensor, save: tfjs.GradSaveFunc) => {
    const { value, keep } = unitForward(tf, input as tfjs.Tensor4D, kernel as tfjs.Tensor4D, bias as tfjs.Tensor1D, spec, preNorm);
    save([input, kernel, ...keep]);
    return {
      value,
      gradFunc: (dy: tfjs.Tensor, saved: tfjs.Tensor[]) => unitBackward(tf, dy as tfjs.Tensor4D, saved as tfjs.Tensor4D[], spec, true),
    };
  }) as unknown as Parameters<Tf['customGrad']>[0]);
  return unit(x, layer.kernel, layer.bias) as tfjs.Tensor4D;
}

/** The composed reference path: the same maths through taped tfjs ops. */
function tapedUnit(tf: Tf, x: tfjs.Tensor4D, layer: ConvWeights, spec: ConvUnitSpec, preNorm?: tfjs.Tensor4D): tfjs.Tensor4D {
  return tf.tidy(() => {
    let z: tfjs.Tensor4D;
    if (spec.kind === 'deconv') {
      z = convTranspose3x3s2(tf, x, layer.kernel, layer.bias);                           // [N, 2H, 2W, out]
    } else if (spec.padMode === 'reflect') {
      z = conv2dValid(tf, reflectPad(tf, x, spec.pad ?? 0), layer.kernel, layer.bias, spec.stride ?? 1);
    } else {
      z = conv2dValid(tf, x, layer.kernel, layer.bias, spec.stride ?? 1, spec.pad ?? 0);
    }
    if (preNorm !== undefined) z = tf.add(z, preNorm);
    if (spec.norm) z = instanceNorm(tf, z);
    return activate(tf, z, spec);
  });
}

function activate(tf: Tf, z: tfjs.Tensor4D, spec: ConvUnitSpec): tfjs.Tensor4D {
  switch (spec.activation) {
    case 'relu': return tf.relu(z);
    case 'leaky': return tf.leakyRelu(z, spec.leakySlope ?? 0.2);
    case 'tanh': return tf.tanh(z);
    case 'none': return z;
  }
}

/** x padded as the spec says: [N, H+2p, W+2p, C]. */
function padInput(tf: Tf, x: tfjs.Tensor4D, spec: ConvUnitSpec): tfjs.Tensor4D {
  const p = spec.pad ?? 0;
  if (p === 0 || spec.kind === 'deconv') return x;
  const paddings: [number, number][] = [[0, 0], [p, p], [p, p], [0, 0]];
  return spec.padMode === 'reflect' ? tf.mirrorPad(x, paddings, 'reflect') : tf.pad(x, paddings);
}

/** Forward of one unit; `keep` is what the backward pass needs besides x and the kernel. */
function unitForward(
  tf: Tf, x: tfjs.Tensor4D, kernel: tfjs.Tensor4D, bias: tfjs.Tensor1D, spec: ConvUnitSpec, preNorm?: tfjs.Tensor4D,
): { value: tfjs.Tensor4D; keep: tfjs.Tensor[] } {
  let value!: tfjs.Tensor4D;
  let keep!: tfjs.Tensor[];
  // tidy frees the pads, the conv output and the moments; what is returned survives
  const kept = tf.tidy(() => {
    let z: tfjs.Tensor4D;
    if (spec.kind === 'deconv') {
      const [n, h, w] = x.shape;
      const out = kernel.shape[2];
      const full = tf.conv2dTranspose(x, kernel, [n, 2 * h + 1, 2 * w + 1, out], 2, 'valid');   // [N, 2H+1, 2W+1, out]
      z = tf.add(tf.slice(full, [0, 1, 1, 0], [n, 2 * h, 2 * w, out]), bias);                     // [N, 2H, 2W, out]
    } else {
      z = tf.add(tf.conv2d(padInput(tf, x, spec), kernel, spec.stride ?? 1, 'valid'), bias);      // [N, H', W', out]
    }
    if (preNorm !== undefined) z = tf.add(z, preNorm);
    if (!spec.norm) {
      const y = activate(tf, z, spec);
      // relu/leaky masks and tanh's derivative come from the output; 'none' needs nothing
      return spec.activation === 'none' ? [y] : [y, y];
    }
    const { mean, variance } = tf.moments(z, [1, 2], true);                                       // [N, 1, 1, out] each
    const rstd = tf.rsqrt(tf.add(variance, INSTANCE_NORM_EPSILON));                               // [N, 1, 1, out]
    const xhat = tf.mul(tf.sub(z, mean), rstd) as tfjs.Tensor4D;                                   // [N, H', W', out]
    return [activate(tf, xhat, spec), xhat, rstd];
  });
  value = kept[0] as tfjs.Tensor4D;
  keep = spec.norm || spec.activation !== 'none' ? kept.slice(1) : [];
  return { value, keep };
}

/**
 * Gradients of one unit with respect to [x, kernel, bias] (only [x] unless `weights`).
 * saved = [x, kernel, x̂, rstd] (norm) or [x, kernel, y] (activation, no norm) or [x, kernel].
 */
function unitBackward(tf: Tf, dy: tfjs.Tensor4D, saved: tfjs.Tensor4D[], spec: ConvUnitSpec, weights: boolean): tfjs.Tensor[] {
  const [x, kernel] = saved as [tfjs.Tensor4D, tfjs.Tensor4D];
  return tf.tidy(() => {
    let dz: tfjs.Tensor4D;
    if (spec.norm) {
      const [xhat, rstd] = saved.slice(2) as [tfjs.Tensor4D, tfjs.Tensor4D];
      const g = activationBackward(tf, dy, xhat, spec);                                            // dL/dx̂ [N, H', W', out]
      const meanG = tf.mean(g, [1, 2], true);                                                      // [N, 1, 1, out]
      const meanGXhat = tf.mean(tf.mul(g, xhat), [1, 2], true);                                    // [N, 1, 1, out]
      dz = tf.mul(rstd, tf.sub(tf.sub(g, meanG), tf.mul(xhat, meanGXhat))) as tfjs.Tensor4D;      // [N, H', W', out]
    } else {
      dz = spec.activation === 'none' ? dy : activationBackward(tf, dy, saved[2]!, spec);
    }
    if (spec.kind === 'deconv') {
      const dFull = tf.pad(dz, [[0, 0], [1, 0], [1, 0], [0, 0]]) as tfjs.Tensor4D;                  // [N, 2H+1, 2W+1, out]
      const dx = tf.conv2d(dFull, kernel, 2, 'valid');                                             // [N, H, W, in]
      if (!weights) return [dx];
      return [dx, filterGradient(tf, dFull, x, kernel.shape, 2), tf.sum(dz, [0, 1, 2])];            // dKernel [3, 3, out, in], dBias [out]
    }
    const stride = spec.stride ?? 1;
    const padded = padInput(tf, x, spec);                                                          // [N, H+2p, W+2p, in]
    const dPadded = tf.conv2dTranspose(dz, kernel, padded.shape, stride, 'valid') as tfjs.Tensor4D; // [N, H+2p, W+2p, in]
    const dx = unpadGradient(tf, dPadded, spec);                                                   // [N, H, W, in]
    if (!weights) return [dx];
    return [dx, filterGradient(tf, padded, dz, kernel.shape, stride), tf.sum(dz, [0, 1, 2])];      // dKernel [k, k, in, out], dBias [out]
  });
}

/** dL/d(pre-activation) from dL/dy, given the pre-activation (norm) or the output (no norm; same sign). */
function activationBackward(tf: Tf, dy: tfjs.Tensor4D, t: tfjs.Tensor4D, spec: ConvUnitSpec): tfjs.Tensor4D {
  switch (spec.activation) {
    case 'relu': return tf.mul(dy, tf.step(t)) as tfjs.Tensor4D;
    case 'leaky': return tf.mul(dy, tf.step(t, spec.leakySlope ?? 0.2)) as tfjs.Tensor4D;
    case 'tanh': return (spec.norm
      ? tf.mul(dy, tf.sub(1, tf.square(tf.tanh(t))))
      : tf.mul(dy, tf.sub(1, tf.square(t)))) as tfjs.Tensor4D;
    case 'none': return dy;
  }
}

/** The conv's filter gradient: Conv2DBackpropFilter(input, dy) with 'valid' padding. */
function filterGradient(tf: Tf, input: tfjs.Tensor4D, dy: tfjs.Tensor4D, filterShape: readonly number[], stride: number): tfjs.Tensor4D {
  return tf.engine().runKernel('Conv2DBackpropFilter', { x: input, dy }, {
    strides: stride, pad: 'valid', dataFormat: 'NHWC', filterShape: [...filterShape],
  }) as tfjs.Tensor4D;
}

/** dL/dx from dL/d(padded x): the centre, plus (reflect) each mirrored border row/column added onto its source. */
function unpadGradient(tf: Tf, dPadded: tfjs.Tensor4D, spec: ConvUnitSpec): tfjs.Tensor4D {
  const p = spec.pad ?? 0;
  if (p === 0) return dPadded;
  const [n, hp, wp, c] = dPadded.shape;
  if (spec.padMode !== 'reflect') return tf.slice(dPadded, [0, p, p, 0], [n, hp - 2 * p, wp - 2 * p, c]);
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
