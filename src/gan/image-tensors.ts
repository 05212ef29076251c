/**
 * Between decoded 8-bit images and the generator's tensors: uint8 RGB `[S, S, 3]` buffers ↔ `[B, S, S, 3]`
 * float tensors in [−1, 1] (v / 127.5 − 1, and back rounded and clipped).
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../kit/tf-backend.js';

/** Uint8 RGB images, each [size, size, 3] → [B, S, S, 3] in [−1, 1]. */
export function pixelsToTensor(tf: Tf, pixels: readonly Uint8Array[], size: number): tfjs.Tensor4D {
  const flat = new Float32Array(pixels.length * size * size * 3);
  pixels.forEach((p, i) => flat.set(Float32Array.from(p, (v) => v / 127.5 - 1), i * size * size * 3));
  return tf.tensor4d(flat, [pixels.length, size, size, 3]);
}

/** [B, S, S, 3] in [−1, 1] → one uint8 RGB buffer per image. */
export async function tensorToPixels(tf: Tf, y: tfjs.Tensor4D): Promise<Uint8Array[]> {
  const [b, h, w] = y.shape;
  const bytes = tf.tidy(() => tf.cast(tf.clipByValue(tf.round(tf.mul(tf.add(y, 1), 127.5)), 0, 255), 'int32'));
  const values = (await bytes.data()) as Int32Array;
  bytes.dispose();
  const stride = h * w * 3;
  return Array.from({ length: b }, (_, i) => Uint8Array.from(values.subarray(i * stride, (i + 1) * stride)));
}
