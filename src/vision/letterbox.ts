/**
 * The detectors' shared input step, as face-api builds it: each image zero-padded at the bottom or right to
 * a square (the image stays top-left, so a box's normalised coordinates × the square's side are the image's
 * pixels), resized bilinearly to the detector's input side, and stacked into one float batch.
 */
import type { Tensor, Tensor3D, Tensor4D } from '@tensorflow/tfjs';
import type { Tf } from '../kit/tf-backend.js';

/** Images `[H, W, 3]` (any sizes, values 0..255) → `[N, I, I, 3]` float32. Call inside `tf.tidy`. */
export function letterboxBatch(tf: Tf, images: readonly Tensor[], inputSize: number): Tensor4D {
  return tf.stack(
    images.map((image) => {
      const [h, w] = image.shape as [number, number, number];
      const side = Math.max(h, w);
      const square = tf.pad(tf.cast(image, 'float32'), [[0, side - h], [0, side - w], [0, 0]]) as Tensor3D; // [S, S, 3], image top-left
      return side === inputSize ? square : tf.image.resizeBilinear(square, [inputSize, inputSize]); // [I, I, 3]
    }),
  ) as Tensor4D; // [N, I, I, 3]
}
