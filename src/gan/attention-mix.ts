/**
 * The AttentionGAN output mix y = Σ_{i≤9} C_i·A_i + x·A_10 (MODEL.md §2.1) as one taped op with its gradient
 * written out: dC_i = dy·A_i, dA_i = Σ_rgb dy·C_i, dA_10 = Σ_rgb dy·x, dx = dy·A_10. It keeps the content,
 * the attention and x (all alive anyway); the composed ops (`mode: 'taped'`) also keep the reshaped and
 * sliced copies for their gradients. Same forward ops in both modes, so the outputs are identical.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../kit/tf-backend.js';
import type { UnitMode } from './conv-unit.js';

/** Mixes content [N, H, W, 3K] and attention [N, H, W, K+1] over x [N, H, W, 3] into [N, H, W, 3]. */
export function mixAttention(tf: Tf, content: tfjs.Tensor4D, attention: tfjs.Tensor4D, x: tfjs.Tensor4D, mode: UnitMode = 'fused'): tfjs.Tensor4D {
  if (mode === 'taped') return mixForward(tf, content, attention, x);
  const mix = tf.customGrad(((c: tfjs.Tensor, a: tfjs.Tensor, input: tfjs.Tensor, save: tfjs.GradSaveFunc) => {
    save([c, a, input]);
    return {
      value: mixForward(tf, c as tfjs.Tensor4D, a as tfjs.Tensor4D, input as tfjs.Tensor4D),
      gradFunc: (dy: tfjs.Tensor, saved: tfjs.Tensor[]) => mixBackward(tf, dy as tfjs.Tensor4D, saved as tfjs.Tensor4D[]),
    };
  }) as unknown as Parameters<Tf['customGrad']>[0]);
  return mix(content, attention, x) as tfjs.Tensor4D;
}

function mixForward(tf: Tf, content: tfjs.Tensor4D, attention: tfjs.Tensor4D, x: tfjs.Tensor4D): tfjs.Tensor4D {
  const [n, h, w, maps] = attention.shape;
  const k = maps - 1;
  return tf.tidy(() => {
    const images = tf.reshape(content, [n, h, w, k, 3]);                                          // [N, H, W, K, 3]
    const weights = tf.reshape(tf.slice(attention, [0, 0, 0, 0], [n, h, w, k]), [n, h, w, k, 1]); // [N, H, W, K, 1]
    const background = tf.slice(attention, [0, 0, 0, k], [n, h, w, 1]);                          // [N, H, W, 1]
    const painted = tf.sum(tf.mul(images, weights), 3);                                           // [N, H, W, 3]
    return tf.add(painted, tf.mul(x, background)) as tfjs.Tensor4D;                               // [N, H, W, 3]
  });
}

/** [dContent, dAttention, dx] for saved = [content, attention, x]. */
function mixBackward(tf: Tf, dy: tfjs.Tensor4D, saved: tfjs.Tensor4D[]): tfjs.Tensor[] {
  const [content, attention, x] = saved as [tfjs.Tensor4D, tfjs.Tensor4D, tfjs.Tensor4D];
  const [n, h, w, maps] = attention.shape;
  const k = maps - 1;
  return tf.tidy(() => {
    const dy5 = tf.reshape(dy, [n, h, w, 1, 3]);                                                   // [N, H, W, 1, 3]
    const weights = tf.reshape(tf.slice(attention, [0, 0, 0, 0], [n, h, w, k]), [n, h, w, k, 1]); // [N, H, W, K, 1]
    const background = tf.slice(attention, [0, 0, 0, k], [n, h, w, 1]);                          // [N, H, W, 1]
    const dContent = tf.reshape(tf.mul(dy5, weights), [n, h, w, 3 * k]);                          // [N, H, W, 3K]
    const dWeights = tf.sum(tf.mul(dy5, tf.reshape(content, [n, h, w, k, 3])), 4);                // [N, H, W, K]
    const dBackground = tf.sum(tf.mul(dy, x), 3, true);                                           // [N, H, W, 1]
    return [dContent, tf.concat([dWeights, dBackground], 3), tf.mul(dy, background)];
  });
}
