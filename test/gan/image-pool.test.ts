/**
 * The image pool: size 0 passes images through; while filling it stores and returns each image; once full
 * each image is either swapped with a stored one (the old one comes back) or returned as is, with both
 * outcomes happening; it holds exactly `size` tensors and frees replaced ones; a snapshot restored into a
 * new pool makes the same choices as the original would have; the same seed makes the same choices.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type * as tfjs from '@tensorflow/tfjs';
import { detectBackendKind, loadTensorflow } from '../../src/kit/tf-backend.js';
import { createImagePool, restoreImagePool } from '../../src/gan/image-pool.js';

const tf = await loadTensorflow(detectBackendKind());

/** A batch of n 2×2×1 images whose pixels all equal the image's label (first + i). */
function labelled(first: number, n: number): tfjs.Tensor4D {
  return tf.tidy(() => tf.mul(tf.ones([n, 2, 2, 1]), tf.reshape(tf.range(first, first + n), [n, 1, 1, 1])) as tfjs.Tensor4D);
}

/** The label of each returned image. */
function labels(images: tfjs.Tensor4D): number[] {
  const values = images.dataSync();
  return Array.from({ length: images.shape[0] }, (_, i) => values[i * 4]!);
}

/** Queries batches [1..n], [n+1..2n], … and returns the labels each query gave back. */
function run(pool: ReturnType<typeof createImagePool>, batches: number, n: number, start = 0): number[][] {
  return Array.from({ length: batches }, (_, k) => {
    const input = labelled(1 + (start + k) * n, n);
    const output = pool.query(input);
    const result = labels(output);
    tf.dispose([input, output]);
    return result;
  });
}

// ---
const querySuite = suite('createImagePool');

querySuite('~> size 0 passes images through', () => {
  const pool = createImagePool(tf, 0, 1);
  assert.equal(run(pool, 2, 3), [[1, 2, 3], [4, 5, 6]]);
  assert.is(pool.count, 0);
  pool.dispose();
});

querySuite('~> stores and returns while filling, then swaps or passes per image', () => {
  const pool = createImagePool(tf, 4, 5);
  const outputs = run(pool, 20, 2);
  assert.equal(outputs.slice(0, 2), [[1, 2], [3, 4]], '~> filling: returned as given');
  assert.is(pool.count, 4, '~> full');
  const later = outputs.slice(2).flat();
  const fresh = outputs.slice(2).flatMap((pair, k) => pair.filter((label, i) => label === 5 + 2 * k + i));
  assert.ok(fresh.length > 0 && fresh.length < later.length, `~> some returned as is (${fresh.length} of ${later.length}), some swapped`);
  assert.ok(later.every((label, i) => label <= 5 + i), '~> never an image from the future');
  pool.dispose();
});

querySuite('~> holds exactly size images and frees what it replaces', () => {
  const pool = createImagePool(tf, 3, 2);
  run(pool, 2, 2);                                               // fills (3 stored, one swapped or dropped)
  const before = tf.memory().numTensors;
  run(pool, 10, 2);
  assert.is(tf.memory().numTensors, before, '~> numTensors unchanged once full');
  pool.dispose();
  assert.is(tf.memory().numTensors, before - 3, '~> dispose frees the stored images');
});

querySuite('~> the same seed makes the same choices, another seed others', () => {
  const fresh = (seed: number) => {
    const pool = createImagePool(tf, 3, seed);
    const outputs = run(pool, 12, 2);
    pool.dispose();
    return outputs;
  };
  const first = fresh(9);
  const again = fresh(9);
  const other = fresh(10);
  assert.equal(first, again);
  assert.not.equal(first, other);
});

querySuite('~> rejects a negative size', () => {
  assert.throws(() => createImagePool(tf, -1, 1), /size expected an integer >= 0, received -1/);
});

querySuite.run();

// ---
const restoreSuite = suite('restoreImagePool');

restoreSuite('~> a restored snapshot continues exactly like the original', () => {
  const original = createImagePool(tf, 4, 77);
  const uninterrupted = run(original, 10, 2);
  original.dispose();

  const first = createImagePool(tf, 4, 77);
  run(first, 4, 2);
  const snapshot = first.snapshot();
  first.dispose();
  assert.equal(snapshot.images?.shape, [4, 2, 2, 1], '~> stacked images');
  const restored = restoreImagePool(tf, snapshot);
  snapshot.images?.dispose();
  assert.is(restored.count, 4, '~> count');
  assert.equal(run(restored, 6, 2, 4), uninterrupted.slice(4), '~> same choices after the restore');
  restored.dispose();
});

restoreSuite('~> an empty snapshot restores an empty pool; oversize snapshots are rejected', () => {
  const empty = createImagePool(tf, 2, 1).snapshot();
  assert.is(empty.images, null);
  const restored = restoreImagePool(tf, empty);
  assert.is(restored.count, 0);
  restored.dispose();
  const images = labelled(1, 3);
  assert.throws(() => restoreImagePool(tf, { size: 2, images, rngState: 1 }), /at most 2 images, received 3/);
  images.dispose();
});

restoreSuite.run();
