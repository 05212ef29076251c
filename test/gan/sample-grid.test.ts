/**
 * The sample grid: rendering the same probe run twice gives identical PNG bytes; the sheet is
 * (3 + k)·(W + gap) + gap wide and N·(H + gap) + gap high; each cell holds its column's pixels (input,
 * A10 as grey, output, samples) at the right place; a sample of the wrong shape is named.
 */
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type * as tfjs from '@tensorflow/tfjs';
import { detectBackendKind, loadTensorflow } from '../../src/kit/tf-backend.js';
import { disposeProbeRun, runProbe, type GenerateFn } from '../../src/gan/evaluate.js';
import { renderSampleGrid, sampleGridColumns } from '../../src/gan/sample-grid.js';

const tf = await loadTensorflow(detectBackendKind());
const [N, S, GAP] = [3, 8, 2];

const images = tf.randomUniform([N, S, S, 3], -1, 1, 'float32', 4) as tfjs.Tensor4D;
/** Inverts the image, background attention 0.25 everywhere, a per-seed offset for noise. */
const generate: GenerateFn = (x, noiseSeed) => ({
  output: tf.clipByValue(tf.add(tf.neg(x), (noiseSeed % 7) / 20), -1, 1) as tfjs.Tensor4D,
  attention: tf.concat([tf.fill([N, S, S, 9], 0.75 / 9), tf.fill([N, S, S, 1], 0.25)], 3) as tfjs.Tensor4D,
});

// ---
const gridSuite = suite('renderSampleGrid');

gridSuite('~> same inputs give identical bytes, of the expected size, with each cell in place', async () => {
  const run = runProbe(tf, generate, images, { samples: 3, seed: 1 });
  const first = await renderSampleGrid({ images, ...run }, { gap: GAP });
  const second = await renderSampleGrid({ images, ...run }, { gap: GAP });
  assert.ok(first.equals(second), '~> identical bytes');
  const { data, info } = await sharp(first).raw().toBuffer({ resolveWithObject: true });
  assert.is(info.width, 6 * (S + GAP) + GAP, '~> width: input, A10, output, 3 samples');
  assert.is(info.height, N * (S + GAP) + GAP, '~> height: one row per probe image');
  assert.is(sampleGridColumns(3).length, 6, '~> six column titles');
  const at = (col: number, row: number, y: number, x: number) => {
    const i = ((GAP + row * (S + GAP) + y) * info.width + GAP + col * (S + GAP) + x) * info.channels;
    return [data[i], data[i + 1], data[i + 2]];
  };
  const source = images.dataSync();
  const output = run.output.dataSync();
  const byte = (v: number) => Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)));
  const p = ((2 * S + 5) * S + 3) * 3; // image 2, y 5, x 3
  assert.equal(at(0, 2, 5, 3), [byte(source[p]!), byte(source[p + 1]!), byte(source[p + 2]!)], '~> input cell');
  assert.equal(at(1, 2, 5, 3), [64, 64, 64], '~> A10 = 0.25 as grey');
  assert.equal(at(2, 2, 5, 3), [byte(output[p]!), byte(output[p + 1]!), byte(output[p + 2]!)], '~> output cell');
  assert.equal([data[0], data[1], data[2]], [255, 255, 255], '~> white gap');
  disposeProbeRun(tf, run);
});

gridSuite('~> a sample of the wrong shape is named', async () => {
  const small = tf.zeros([N, S / 2, S / 2, 3]) as tfjs.Tensor4D;
  const attention = tf.zeros([N, S, S, 10]) as tfjs.Tensor4D;
  try {
    await renderSampleGrid({ images, attention, output: images, samples: [small] });
    assert.unreachable('should throw');
  } catch (error) {
    assert.match((error as Error).message, /samples\[0\] expected \[3, 8, 8, 3\], received \[3, 4, 4, 3\]/);
  }
  tf.dispose([small, attention]);
});

gridSuite.run();
