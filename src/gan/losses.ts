/**
 * The training losses of the AttentionGAN port (MODEL.md §2.3): the LSGAN objective (mean squared error of
 * the raw patch logits against 1 for real, 0 for fake), the L1 mean used by the cycle and identity terms,
 * and the project's two additions. The non-mask-change (NMC) loss penalises any change of G_A(a) outside
 * the warped-mask region: Σ|y − x|·N / (3·ΣN) with N the keep map (1 = pixel may not change, 0 = inside the
 * mask, fractional for distance-weighted maps), normalised by the count of keep pixels so that λ_NMC does not
 * depend on mask area. The attention-supervision loss asks the background attention A_10 (which copies the
 * input) to be 1 where the pixel must be kept: mean |(1 − A_10) − R| with R = 1 − N the mask region.
 * Every function returns a scalar and keeps nothing.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../kit/tf-backend.js';
import { ATTENTION_MAPS } from './generator.js';

/** LSGAN: mean over the patch map of (prediction − target)², target 1 for real and 0 for fake. */
export function lsganLoss(tf: Tf, prediction: tfjs.Tensor, target: 0 | 1): tfjs.Scalar {
  return tf.tidy(() => tf.mean(tf.square(tf.sub(prediction, target))) as tfjs.Scalar);
}

/** L1: mean over every element of |a − b|. */
export function l1Loss(tf: Tf, a: tfjs.Tensor, b: tfjs.Tensor): tfjs.Scalar {
  assertSameShape('l1Loss', a.shape, b.shape);
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(a, b))) as tfjs.Scalar);
}

/**
 * NMC: Σ |y − x| · N / (3 · ΣN) over the batch, y and x [B, H, W, 3], keep N [B, H, W, 1]. 0 when ΣN = 0
 * (nothing to keep), without a NaN gradient.
 */
export function nmcLoss(tf: Tf, y: tfjs.Tensor4D, x: tfjs.Tensor4D, keep: tfjs.Tensor4D): tfjs.Scalar {
  assertSameShape('nmcLoss', y.shape, x.shape);
  assertKeepMap('nmcLoss', keep, y.shape);
  return tf.tidy(() => {
    const changed = tf.sum(tf.mul(tf.abs(tf.sub(y, x)), keep));         // Σ over [B, H, W, 3], N broadcast over RGB
    const kept = tf.sum(keep);                                           // ΣN
    // NOTE: when ΣN = 0 the numerator is 0 too; adding 1 to the denominator then gives 0 and a finite gradient.
    const denominator = tf.add(tf.mul(kept, 3), tf.cast(tf.equal(kept, 0), 'float32'));
    return tf.div(changed, denominator) as tfjs.Scalar;
  });
}

/**
 * Attention supervision: mean over [B, H, W] of |(1 − A_10) − R|, R = 1 − N, i.e. the background map should
 * be 1 where the pixel is kept and 0 inside the mask. attention [B, H, W, 10], keep [B, H, W, 1].
 */
export function attentionLoss(tf: Tf, attention: tfjs.Tensor4D, keep: tfjs.Tensor4D): tfjs.Scalar {
  const [b, h, w, maps] = attention.shape;
  if (maps !== ATTENTION_MAPS) {
    throw new RangeError(`attentionLoss expected attention [B, H, W, ${ATTENTION_MAPS}], received [${attention.shape.join(', ')}]`);
  }
  assertKeepMap('attentionLoss', keep, attention.shape);
  return tf.tidy(() => {
    const background = tf.slice(attention, [0, 0, 0, ATTENTION_MAPS - 1], [b, h, w, 1]); // A_10, [B, H, W, 1]
    const region = tf.sub(1, keep);                                                       // R = 1 − N, [B, H, W, 1]
    return tf.mean(tf.abs(tf.sub(tf.sub(1, background), region))) as tfjs.Scalar;
  });
}

function assertSameShape(name: string, a: readonly number[], b: readonly number[]): void {
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    throw new RangeError(`${name} expected two tensors of one shape, received [${a.join(', ')}] and [${b.join(', ')}]`);
  }
}

function assertKeepMap(name: string, keep: tfjs.Tensor4D, image: readonly number[]): void {
  const expected = [image[0], image[1], image[2], 1];
  if (keep.shape.some((d, i) => d !== expected[i])) {
    throw new RangeError(`${name} expected a keep map [${expected.join(', ')}], received [${keep.shape.join(', ')}]`);
  }
}
