/**
 * The history buffer of generated images the discriminators train on (the reference `util/image_pool.py`,
 * MODEL.md §2.4). Until it holds `size` images, every generated image is stored and returned; once full,
 * each image independently has a 50 % chance to be swapped with a uniformly chosen stored one (the old one
 * is returned) and a 50 % chance to be returned as is. Size 0 passes images through. The coin flips come
 * from a seeded `Rng`, and a snapshot holds both the stored images and that rng's state, so a resumed run
 * makes the same choices as an uninterrupted one. The pool owns its stored tensors: it keeps them outside
 * any `tf.tidy`, disposes replaced ones, and `dispose()` frees the rest.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../kit/tf-backend.js';
import { createRng, restoreRng, type StatefulRng } from '../kit/prng.js';

/** The reference pool size. */
export const DEFAULT_POOL_SIZE = 50;

/** A pool's saved state; the caller owns `images`. */
export interface ImagePoolSnapshot {
  /** Capacity. */
  readonly size: number;
  /** Stored images stacked in slot order, [K, H, W, C] with K ≤ size; null while empty. */
  readonly images: tfjs.Tensor4D | null;
  /** State of the pool's rng (see `StatefulRng.getState`). */
  readonly rngState: number;
}

/** A pool of generated images. */
export interface ImagePool {
  /** Capacity; 0 means pass-through. */
  readonly size: number;
  /** Images stored so far. */
  readonly count: number;
  /** Images for the discriminator, [N, H, W, C] for input [N, H, W, C]; the caller owns the result. */
  query(images: tfjs.Tensor4D): tfjs.Tensor4D;
  /** The stored images (a copy the caller owns) and the rng state. */
  snapshot(): ImagePoolSnapshot;
  /** Frees the stored images. */
  dispose(): void;
}

/** An empty pool of `size` images whose coin flips are seeded by `seed`. */
export function createImagePool(tf: Tf, size: number, seed: number): ImagePool {
  assertSize(size);
  return buildPool(tf, size, createRng(seed), []);
}

/** A pool continued from a snapshot; the snapshot's tensor is copied, not taken. */
export function restoreImagePool(tf: Tf, snapshot: ImagePoolSnapshot): ImagePool {
  assertSize(snapshot.size);
  const count = snapshot.images?.shape[0] ?? 0;
  if (count > snapshot.size) {
    throw new RangeError(`image pool snapshot expected at most ${snapshot.size} images, received ${count}`);
  }
  const images = snapshot.images;
  const stored = images === null ? [] : tf.tidy(() => tf.split(images, count, 0).map((image) => tf.keep(image as tfjs.Tensor4D))); // each [1, H, W, C]
  return buildPool(tf, snapshot.size, restoreRng(snapshot.rngState), stored);
}

function buildPool(tf: Tf, size: number, rng: StatefulRng, stored: tfjs.Tensor4D[]): ImagePool {
  return {
    size,
    get count() {
      return stored.length;
    },
    query(images) {
      if (size === 0) return tf.clone(images);
      const n = images.shape[0];
      const returned: tfjs.Tensor4D[] = [];
      const retired: tfjs.Tensor4D[] = [];
      for (let i = 0; i < n; i += 1) {
        const image = tf.keep(tf.slice(images, [i, 0, 0, 0], [1, -1, -1, -1])); // [1, H, W, C]
        if (stored.length < size) {
          stored.push(image);
          returned.push(image);
        } else if (rng.next() > 0.5) {
          const slot = rng.int(size);
          const old = stored[slot]!;
          stored[slot] = image;
          returned.push(old);
          retired.push(old);
        } else {
          returned.push(image);
          retired.push(image);
        }
      }
      const result = tf.concat(returned, 0);                                     // [N, H, W, C]
      tf.dispose(retired);
      return result;
    },
    snapshot() {
      const images = stored.length === 0 ? null : tf.keep(tf.concat(stored, 0)); // [K, H, W, C]
      return { size, images, rngState: rng.getState() };
    },
    dispose() {
      tf.dispose(stored.splice(0));
    },
  };
}

function assertSize(size: number): void {
  if (!Number.isInteger(size) || size < 0) {
    throw new RangeError(`image pool size expected an integer >= 0, received ${String(size)}`);
  }
}
