/**
 * The `check` project of test/cli/verify-recompute.test.ts: data/raw → resize-images (a data stage, held
 * to exact bytes) → `weigh` (a metric, a float32 tensor file and an image; declares float tolerances and
 * adds the perturbation in REPRO_TEST_PERTURB, an environment variable only this test stage reads) and
 * `draw` (an unseeded Math.random(): never reproduces), and `tf-mean` (a mean through TensorFlow.js, the
 * one stage whose fingerprint records the tensor backend).
 */
import { makePngFiles } from './tiny-images.js';

export const WEIGH_TS = `/** Weighs the images: a mean as a metric, a float32 tensor and a grey image from it. */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { defineStage, dir, file, FLOAT_KERNELS, Type } from '../dsl/index.js';

export const weigh = defineStage({
  id: 'weigh',
  params: Type.Object({}),
  inputs: { images: dir() },
  outputs: { weights: file({ fileName: 'weights.bin' }), picture: file({ fileName: 'picture.png' }) },
  metrics: ['weight'],
  tolerance: FLOAT_KERNELS,
  async run({ inputs, outputs }) {
    const perturb = Number(process.env.REPRO_TEST_PERTURB ?? 0);
    const values: number[] = [];
    for (const name of (await readdir(inputs.images)).sort()) for (const byte of await readFile(join(inputs.images, name))) values.push(byte / 255 + perturb);
    const weights = Float32Array.from(values.slice(0, 64));
    await writeFile(outputs.weights, Buffer.from(weights.buffer));
    const grey = Math.min(255, Math.round(128 + perturb * 2e5));
    await writeFile(outputs.picture, await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: grey, g: grey, b: grey } } }).png().toBuffer());
    return { metrics: { weight: { mean: values.reduce((a, b) => a + b, 0) / values.length } } };
  },
});
`;

export const DRAW_TS = `/** Draws a number without a seed: a stage that cannot reproduce. */
import { writeFile } from 'node:fs/promises';
import { defineStage, dir, file, Type } from '../dsl/index.js';

export const draw = defineStage({
  id: 'draw',
  params: Type.Object({}),
  inputs: { images: dir() },
  outputs: { number: file({ fileName: 'number.txt' }) },
  async run({ outputs }) {
    await writeFile(outputs.number, String(Math.random()) + '\\n');
  },
});
`;

export function checkExperiment(tolerance = ''): string {
  return `import { defineExperiment } from '../src/dsl/index.js';
import { resizeImages } from '../src/stages/index.js';
import { weigh } from '../src/lab/weigh.js';
import { draw } from '../src/lab/draw.js';
import { tfMean } from '../src/lab/tf-mean.js';

export default defineExperiment('check', (x) => {
  const raw = x.data('data/raw');
  const small = x.stage(resizeImages, { inputs: { images: raw }, params: { width: 4, height: 4 } });
  x.stage(weigh, { inputs: { images: small.outputs.images }, params: {}${tolerance} });
  x.stage(draw, { inputs: { images: small.outputs.images }, params: {} });
  x.stage(tfMean, { inputs: { images: small.outputs.images }, params: {} });
});
`;
}

export const TF_MEAN_TS = `/** The mean pixel value through TensorFlow.js: a stage whose fingerprint records the tensor backend. */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type * as tfjs from '@tensorflow/tfjs';
import { defineStage, dir, file, Type } from '../dsl/index.js';

export const tfMean = defineStage({
  id: 'tf-mean',
  params: Type.Object({}),
  inputs: { images: dir() },
  outputs: { mean: file({ fileName: 'mean.json' }) },
  // type-only imports are not code: this is how a stage says it runs TensorFlow.js
  packages: ['@tensorflow/tfjs-core'],
  async run({ inputs, outputs, tf }) {
    const values: number[] = [];
    for (const name of (await readdir(inputs.images)).sort()) values.push(...(await sharp(join(inputs.images, name)).raw().toBuffer()));
    const mean = tf.tidy(() => (tf.mean(tf.tensor1d(values)) as tfjs.Scalar).dataSync()[0]!);
    await writeFile(outputs.mean, JSON.stringify({ mean }) + '\\n');
  },
});
`;

/** Every file of the check project, images included. */
export async function checkFiles(): Promise<Record<string, string | Uint8Array>> {
  return { 'src/lab/weigh.ts': WEIGH_TS, 'src/lab/draw.ts': DRAW_TS, 'src/lab/tf-mean.ts': TF_MEAN_TS, 'experiments/check.ts': checkExperiment(), ...(await makePngFiles('data/raw', 3)) };
}
