/**
 * The generator's faces kept only where it may change pixels: inside the mask region grown as
 * `nonmask-tensor` grows it for the NMC loss, the input everywhere else. The NMC loss asks the translator to
 * leave the rest alone; pasting makes it exact, so identity features (eyes, brows, hair) are the input's
 * bytes and only the mask is repainted. `evaluate` scores faces made this way next to the raw outputs, and
 * `checkpoint-select` can write the augmented set this way.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../kit/tf-backend.js';
import { dilateRegion, REGION_THRESHOLD } from '../vision/region-maps.js';

/** `generated` where `inside` is 1, `input` where it is 0; images `[N, S, S, 3]`, `inside` `[N, S, S, 1]`. */
export function pasteInside(tf: Tf, generated: tfjs.Tensor4D, input: tfjs.Tensor4D, inside: tfjs.Tensor4D): tfjs.Tensor4D {
  return tf.tidy(() => tf.add(tf.mul(generated, inside), tf.mul(input, tf.sub(1, inside))) as tfjs.Tensor4D);
}

/**
 * Region maps (channel 0 of `channels`-channel pixels, ≥ REGION_THRESHOLD inside the mask) grown by a disc of `dilate` px
 * → `[N, S, S, 1]`: 1 where the generator's pixels are kept, 0 elsewhere.
 */
export function pasteMaps(tf: Tf, regions: readonly Uint8Array[], size: number, dilate: number, channels = 3): tfjs.Tensor4D {
  const flat = new Float32Array(regions.length * size * size);
  regions.forEach((pixels, i) => {
    const region = { width: size, height: size, channels: 1 as const, data: Uint8Array.from({ length: size * size }, (_, p) => pixels[p * channels]!) };
    const grown = dilate > 0 ? dilateRegion(region, dilate) : region;
    for (let p = 0; p < size * size; p += 1) flat[i * size * size + p] = grown.data[p]! >= REGION_THRESHOLD ? 1 : 0;
  });
  return tf.tensor4d(flat, [regions.length, size, size, 1]);
}
