/**
 * `image-stats`: per-channel mean and standard deviation of every image in a folder, computed with
 * TensorFlow.js on the backend repro selected — the numbers a training stage normalises its inputs with.
 * TensorFlow comes from the run context (`ctx.tf`), so compiling an experiment never loads it; the declared
 * package makes the stage's fingerprint record the backend.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { listImages } from '../kit/list-images.js';
import { defineStage, dir, ImageSize, Type, type Static } from '../dsl/index.js';

export const params = Type.Object({
  size: Type.Ref(ImageSize),
});
export type Params = Static<typeof params>;

export const imageStats = defineStage({
  id: 'image-stats',
  description: 'per-channel mean and std of a folder of images (TensorFlow.js)',
  params,
  inputs: { images: dir('folder of images') },
  outputs: {},
  metrics: ['stats'],
  // NOTE: `tf` arrives through the context, so nothing here imports TensorFlow.js; naming the package makes
  // the fingerprint record the backend (and `repro exec` load it).
  packages: ['@tensorflow/tfjs'],
  async run({ params, inputs, log, signal, tf }) {
    const names = await listImages(inputs.images);
    if (names.length === 0) throw new Error(`expected at least one image in '${inputs.images}', received none`);
    let sum = tf.zeros([3]);   // [3] running Σx per channel
    let sumSq = tf.zeros([3]); // [3] running Σx² per channel
    for (const name of names) {
      signal.throwIfAborted();
      const { data } = await sharp(join(inputs.images, name)).removeAlpha().resize(params.size, params.size, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
      const [nextSum, nextSumSq] = tf.tidy(() => {
        const pixels = tf.tensor3d(new Uint8Array(data), [params.size, params.size, 3], 'int32').toFloat().div(255); // [H, W, 3] in [0, 1]
        return [sum.add(pixels.sum([0, 1])), sumSq.add(pixels.square().sum([0, 1]))];
      });
      sum.dispose();
      sumSq.dispose();
      [sum, sumSq] = [nextSum!, nextSumSq!];
    }
    const count = names.length * params.size * params.size;
    const mean = tf.tidy(() => sum.div(count));                                          // [3]
    const std = tf.tidy(() => sumSq.div(count).sub(mean.square()).maximum(0).sqrt());   // [3]
    const [m, s] = [Array.from(await mean.data()), Array.from(await std.data())];
    tf.dispose([sum, sumSq, mean, std]);
    log.info(`stats of ${names.length} images on backend '${tf.getBackend()}'`);
    const round = (v: number) => Math.round(v * 1e6) / 1e6;
    return {
      metrics: {
        stats: { images: names.length, mean_r: round(m[0]!), mean_g: round(m[1]!), mean_b: round(m[2]!), std_r: round(s[0]!), std_g: round(s[1]!), std_b: round(s[2]!) },
      },
    };
  },
});
