/**
 * The PyTorch-equivalent layers: reflect padding matches the reference forward and, the reason it exists,
 * has the exact gradient (checked against a hand-computed index map and a finite difference on a 1×4×4×1
 * input); instance norm normalises each sample and channel; the padded 'valid' conv and the stride-2
 * transposed conv match naive loops written from PyTorch's definitions; none of them leaks tensors.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type * as tfjs from '@tensorflow/tfjs';
import { detectBackendKind, loadTensorflow } from '../../src/kit/tf-backend.js';
import { conv2dValid, convTranspose3x3s2, instanceNorm, reflectPad } from '../../src/gan/layers.js';

const tf = await loadTensorflow(detectBackendKind());

/** Deterministic values in [−1, 1) from a small LCG. */
function values(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i += 1) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = (state / 2 ** 32) * 2 - 1;
  }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.is(a.length, b.length, '~> lengths');
  let max = 0;
  for (let i = 0; i < a.length; i += 1) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** PyTorch's reflect index for position i of a padded axis of length L + 2p. */
const reflectIndex = (i: number, p: number, length: number): number => {
  const j = i - p;
  return j < 0 ? -j : j >= length ? 2 * (length - 1) - j : j;
};

// ---
const reflectPadSuite = suite('reflectPad');

reflectPadSuite('~> matches the reference forward (reflect, no edge repeat)', () => {
  const x = tf.tensor4d(values(2 * 5 * 4 * 3, 1), [2, 5, 4, 3]);
  const ours = reflectPad(tf, x, 2);
  const theirs = tf.mirrorPad(x, [[0, 0], [2, 2], [2, 2], [0, 0]], 'reflect'); // forward of mirrorPad is right
  assert.equal(ours.shape, [2, 9, 8, 3], '~> shape');
  assert.ok(maxAbsDiff(ours.dataSync(), theirs.dataSync()) === 0, '~> values');
  tf.dispose([x, ours, theirs]);
});

reflectPadSuite('~> its gradient adds every padded copy back to its source pixel (1×4×4×1, p = 2)', () => {
  const p = 2;
  const x = tf.tensor4d(values(16, 2), [1, 4, 4, 1]);
  const r = tf.tensor4d(values(64, 3), [1, 8, 8, 1]);                      // upstream gradient, [1, 8, 8, 1]
  const f = (t: tfjs.Tensor) => tf.sum(tf.mul(reflectPad(tf, t as tfjs.Tensor4D, p), r));
  const grad = tf.grad(f)(x);                                              // [1, 4, 4, 1]

  const upstream = r.dataSync();
  const expected = new Float32Array(16);
  for (let i = 0; i < 8; i += 1) {
    for (let j = 0; j < 8; j += 1) expected[reflectIndex(i, p, 4) * 4 + reflectIndex(j, p, 4)]! += upstream[i * 8 + j]!;
  }
  assert.ok(maxAbsDiff(grad.dataSync(), expected) < 1e-5, '~> analytic gradient');

  // central finite difference on every input pixel (f is linear, so this is exact up to float error)
  const base = x.dataSync();
  const numeric = new Float32Array(16);
  const eps = 1e-2;
  for (let k = 0; k < 16; k += 1) {
    const plus = Float32Array.from(base); plus[k]! += eps;
    const minus = Float32Array.from(base); minus[k]! -= eps;
    numeric[k] = tf.tidy(() => (f(tf.tensor4d(plus, [1, 4, 4, 1])).dataSync()[0]! - f(tf.tensor4d(minus, [1, 4, 4, 1])).dataSync()[0]!) / (2 * eps));
  }
  assert.ok(maxAbsDiff(grad.dataSync(), numeric) < 1e-3, '~> finite difference');
  tf.dispose([x, r, grad]);
});

reflectPadSuite('~> rejects p >= H', () => {
  const x = tf.zeros<tfjs.Rank.R4>([1, 2, 4, 1]);
  assert.throws(() => reflectPad(tf, x, 2), /0 <= p < min\(H, W\) = 2/);
  x.dispose();
});

reflectPadSuite.run();

// ---
const instanceNormSuite = suite('instanceNorm');

instanceNormSuite('~> zero mean and unit biased variance per sample and channel', () => {
  const x = tf.tidy(() => tf.add(tf.mul(tf.tensor4d(values(2 * 6 * 6 * 4, 4), [2, 6, 6, 4]), 3), 5) as tfjs.Tensor4D);
  const before = tf.memory().numTensors;
  const y = instanceNorm(tf, x);
  assert.is(tf.memory().numTensors, before + 1, '~> only the result is kept');
  const { mean, variance } = tf.moments(y, [1, 2]);
  assert.ok(maxAbsDiff(mean.dataSync(), new Float32Array(8)) < 1e-5, '~> mean');
  // var(x)/(var(x)+eps) is just below 1
  assert.ok(maxAbsDiff(variance.dataSync(), new Float32Array(8).fill(1)) < 1e-4, '~> variance');
  tf.dispose([x, y, mean, variance]);
});

instanceNormSuite('~> its written-out gradient equals the taped gradient of the plain formula', () => {
  const x = tf.randomNormal([2, 12, 10, 5], 0.7, 3, 'float32', 11) as tfjs.Tensor4D;
  const dy = tf.randomNormal([2, 12, 10, 5], 0, 1, 'float32', 12) as tfjs.Tensor4D;
  const plain = (v: tfjs.Tensor4D) => {
    const { mean, variance } = tf.moments(v, [1, 2], true);                 // taped reference
    return tf.div(tf.sub(v, mean), tf.sqrt(tf.add(variance, 1e-5)));
  };
  const reference = tf.grad((v: tfjs.Tensor) => tf.sum(tf.mul(plain(v as tfjs.Tensor4D), dy)))(x);
  const before = tf.memory().numTensors;
  const fused = tf.grad((v: tfjs.Tensor) => tf.sum(tf.mul(instanceNorm(tf, v as tfjs.Tensor4D), dy)))(x);
  assert.is(tf.memory().numTensors, before + 1, '~> only the gradient is kept');
  const scale = Math.max(...reference.abs().dataSync());
  assert.ok(maxAbsDiff(fused.dataSync(), reference.dataSync()) < 1e-5 * Math.max(1, scale), '~> same gradient');
  tf.dispose([x, dy, reference, fused]);
});

instanceNormSuite.run();

// ---
/** Naive NHWC PyTorch conv: zero pad, cross-correlation, stride; w [kh, kw, in, out]. */
function naiveConv(x: Float32Array, [n, h, w, cin]: number[], k: Float32Array, [kh, kw, , cout]: number[], b: Float32Array, s: number, pad: number) {
  const oh = Math.floor((h! + 2 * pad - kh!) / s) + 1;
  const ow = Math.floor((w! + 2 * pad - kw!) / s) + 1;
  const out = new Float32Array(n! * oh * ow * cout!);
  for (let bi = 0; bi < n!; bi += 1) for (let oy = 0; oy < oh; oy += 1) for (let ox = 0; ox < ow; ox += 1) for (let o = 0; o < cout!; o += 1) {
    let acc = b[o]!;
    for (let ky = 0; ky < kh!; ky += 1) for (let kx = 0; kx < kw!; kx += 1) {
      const iy = oy * s + ky - pad;
      const ix = ox * s + kx - pad;
      if (iy < 0 || iy >= h! || ix < 0 || ix >= w!) continue;
      for (let i = 0; i < cin!; i += 1) acc += x[((bi * h! + iy) * w! + ix) * cin! + i]! * k[((ky * kw! + kx) * cin! + i) * cout! + o]!;
    }
    out[((bi * oh + oy) * ow + ox) * cout! + o] = acc;
  }
  return { out, shape: [n!, oh, ow, cout!] };
}

const conv2dValidSuite = suite('conv2dValid');

conv2dValidSuite('~> equals PyTorch Conv2d(k3, s2, p1) and Conv2d(k4, s1, p1)', () => {
  for (const [k, s, h] of [[3, 2, 6], [4, 1, 5], [4, 2, 8]] as const) {
    const xs = [1, h, h, 2];
    const ks = [k, k, 2, 3];
    const xv = values(h * h * 2, 5 + k);
    const kv = values(k * k * 6, 6 + k);
    const bv = values(3, 7);
    const y = tf.tidy(() => conv2dValid(tf, tf.tensor4d(xv, xs as never), tf.tensor4d(kv, ks as never), tf.tensor1d(bv), s, 1));
    const ref = naiveConv(xv, xs, kv, ks, bv, s, 1);
    assert.equal(y.shape, ref.shape, `~> shape k${k} s${s}`);
    assert.ok(maxAbsDiff(y.dataSync(), ref.out) < 1e-5, `~> values k${k} s${s}`);
    y.dispose();
  }
});

conv2dValidSuite.run();

// ---
const convTransposeSuite = suite('convTranspose3x3s2');

convTransposeSuite('~> equals PyTorch ConvTranspose2d(k3, s2, p1, output_padding 1)', () => {
  const [h, w, cin, cout] = [3, 4, 2, 3];
  const xv = values(h * w * cin, 8);
  const kv = values(9 * cout * cin, 9);                                   // [3, 3, out, in]
  const bv = values(cout, 10);
  // PyTorch: out[y] += in[iy] · w[ky] at y = 2·iy + ky − 1, output size 2H (output_padding adds the last row)
  const expected = new Float32Array(2 * h * 2 * w * cout);
  for (let y = 0; y < 2 * h; y += 1) for (let x = 0; x < 2 * w; x += 1) for (let o = 0; o < cout; o += 1) expected[(y * 2 * w + x) * cout + o] = bv[o]!;
  for (let iy = 0; iy < h; iy += 1) for (let ix = 0; ix < w; ix += 1) for (let ky = 0; ky < 3; ky += 1) for (let kx = 0; kx < 3; kx += 1) {
    const y = 2 * iy + ky - 1;
    const x = 2 * ix + kx - 1;
    if (y < 0 || y >= 2 * h || x < 0 || x >= 2 * w) continue;
    for (let o = 0; o < cout; o += 1) for (let i = 0; i < cin; i += 1) {
      expected[(y * 2 * w + x) * cout + o]! += xv[(iy * w + ix) * cin + i]! * kv[((ky * 3 + kx) * cout + o) * cin + i]!;
    }
  }
  const before = tf.memory().numTensors;
  const out = tf.tidy(() => convTranspose3x3s2(tf, tf.tensor4d(xv, [1, h, w, cin]), tf.tensor4d(kv, [3, 3, cout, cin]), tf.tensor1d(bv)));
  assert.equal(out.shape, [1, 6, 8, 3], '~> shape');
  assert.ok(maxAbsDiff(out.dataSync(), expected) < 1e-5, '~> values');
  out.dispose();
  assert.is(tf.memory().numTensors, before, '~> no leak');
});

convTransposeSuite.run();
