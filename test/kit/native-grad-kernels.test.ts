/**
 * The native TensorFlow gradient kernels against the maths they stand for: MirrorPadGrad equals the exact
 * reflect-pad gradient built from slices (layers.ts `reflectPad`, taped), ReluGrad and LeakyReluGrad equal
 * dy masked by x > 0 (slope elsewhere); on a backend without them (cpu) the accessor says so.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type * as tfjs from '@tensorflow/tfjs';
import { detectBackendKind, loadTensorflow } from '../../src/kit/tf-backend.js';
import { nativeGradKernels } from '../../src/kit/native-grad-kernels.js';
import { reflectPad } from '../../src/gan/layers.js';

const tf = await loadTensorflow(detectBackendKind());
const native = nativeGradKernels(tf);
const kernels = suite('nativeGradKernels');

const maxDiff = (a: tfjs.Tensor, b: tfjs.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

kernels('~> present on native TensorFlow, absent on cpu', async () => {
  assert.is(native !== undefined, tf.getBackend() === 'tensorflow', '~> native backend has them');
  const previous = tf.getBackend();
  await tf.setBackend('cpu');
  try {
    assert.is(nativeGradKernels(tf), undefined, '~> cpu has none');
  } finally {
    await tf.setBackend(previous);
  }
});

kernels('~> MirrorPadGrad is the exact reflect-pad gradient; ReluGrad and LeakyReluGrad mask dy by x > 0', () => {
  if (native === undefined) return; // covered by the composed path on other backends (conv-unit tests)
  const x = tf.randomNormal([2, 6, 5, 3], 0, 1, 'float32', 1) as tfjs.Tensor4D;
  for (const p of [1, 3]) {
    const dy = tf.randomNormal([2, 6 + 2 * p, 5 + 2 * p, 3], 0, 1, 'float32', 2) as tfjs.Tensor4D;
    const exact = tf.grad((t: tfjs.Tensor) => tf.sum(tf.mul(reflectPad(tf, t as tfjs.Tensor4D, p), dy)))(x);
    const ours = native.mirrorPadGrad(dy, [[0, 0], [p, p], [p, p], [0, 0]]);
    assert.ok(maxDiff(ours, exact) <= 1e-5, `~> reflect pad ${p}`);
    tf.dispose([dy, exact, ours]);
  }
  const dy = tf.randomNormal([2, 6, 5, 3], 0, 1, 'float32', 3) as tfjs.Tensor4D;
  const relu = native.reluGrad(dy, x);
  const leaky = native.leakyReluGrad(dy, x, 0.2);
  const positive = tf.greater(x, 0);
  assert.is(maxDiff(relu, tf.where(positive, dy, tf.zerosLike(dy))), 0, '~> ReluGrad');
  assert.ok(maxDiff(leaky, tf.where(positive, dy, tf.mul(dy, 0.2))) <= 1e-7, '~> LeakyReluGrad');
  tf.dispose([x, dy, relu, leaky, positive]);
});

kernels.run();
