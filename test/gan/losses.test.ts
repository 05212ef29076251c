/**
 * The training losses: LSGAN is the mean squared distance of the patch map to 1 or 0; L1 is a mean; the NMC
 * loss is Σ|y − x|·N / (3·ΣN), 0 without keep pixels, and its gradient w.r.t. y is exactly zero inside the
 * mask (N = 0) and nonzero outside; the attention loss is mean |(1 − A_10) − (1 − N)|; shape mistakes are
 * rejected with the shapes named; nothing leaks.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type * as tfjs from '@tensorflow/tfjs';
import { detectBackendKind, loadTensorflow } from '../../src/kit/tf-backend.js';
import { attentionLoss, l1Loss, lsganLoss, nmcLoss } from '../../src/gan/losses.js';

const tf = await loadTensorflow(detectBackendKind());

const close = (actual: number, expected: number, label: string) => assert.ok(Math.abs(actual - expected) < 1e-6, `${label}: expected ${expected}, received ${actual}`);
const value = (t: tfjs.Scalar) => { const v = t.dataSync()[0]!; t.dispose(); return v; };

// ---
const lsganSuite = suite('lsganLoss');

lsganSuite('~> mean of (p − 1)² for real and p² for fake', () => {
  const p = tf.tensor4d([0, 0.5, 1, 2], [1, 2, 2, 1]);
  close(value(lsganLoss(tf, p, 1)), (1 + 0.25 + 0 + 1) / 4, '~> real');
  close(value(lsganLoss(tf, p, 0)), (0 + 0.25 + 1 + 4) / 4, '~> fake');
  p.dispose();
});

lsganSuite.run();

// ---
const l1Suite = suite('l1Loss');

l1Suite('~> mean absolute difference; rejects different shapes', () => {
  const a = tf.tensor1d([1, -1, 0.5, 0]);
  const b = tf.tensor1d([0, 1, 0.5, -2]);
  close(value(l1Loss(tf, a, b)), (1 + 2 + 0 + 2) / 4, '~> value');
  const c = tf.tensor1d([1, 2]);
  assert.throws(() => l1Loss(tf, a, c), /one shape, received \[4\] and \[2\]/);
  tf.dispose([a, b, c]);
});

l1Suite.run();

// ---
const nmcSuite = suite('nmcLoss');

/** y, x [1, 2, 2, 3] and a keep map whose left column is the mask (N = 0). */
function nmcCase() {
  const x = tf.zeros([1, 2, 2, 3]) as tfjs.Tensor4D;
  const y = tf.tensor4d([1, 1, 1, 2, 2, 2, 3, 3, 3, -4, -4, -4], [1, 2, 2, 3]);
  const keep = tf.tensor4d([0, 1, 0, 1], [1, 2, 2, 1]);
  return { x, y, keep };
}

nmcSuite('~> Σ|y − x|·N / (3·ΣN), normalised by keep pixels', () => {
  const { x, y, keep } = nmcCase();
  close(value(nmcLoss(tf, y, x, keep)), (3 * 2 + 3 * 4) / (3 * 2), '~> only the kept pixels, per kept value');
  tf.dispose([x, y, keep]);
});

nmcSuite('~> gradient w.r.t. y is zero inside the mask and nonzero outside', () => {
  const { x, y, keep } = nmcCase();
  const grad = tf.grad((t: tfjs.Tensor) => nmcLoss(tf, t as tfjs.Tensor4D, x, keep))(y);  // [1, 2, 2, 3]
  const g = Array.from(grad.dataSync());
  const pixel = (i: number) => g.slice(3 * i, 3 * i + 3);
  assert.equal([...pixel(0), ...pixel(2)], [0, 0, 0, 0, 0, 0], '~> mask pixels (N = 0) get exactly 0');
  assert.ok([...pixel(1), ...pixel(3)].every((v) => Math.abs(Math.abs(v) - 1 / 6) < 1e-7), '~> kept pixels get ±1/(3ΣN)');
  tf.dispose([x, y, keep, grad]);
});

nmcSuite('~> ΣN = 0 gives 0 and a finite gradient', () => {
  const { x, y } = nmcCase();
  const none = tf.zeros([1, 2, 2, 1]) as tfjs.Tensor4D;
  close(value(nmcLoss(tf, y, x, none)), 0, '~> value');
  const grad = tf.grad((t: tfjs.Tensor) => nmcLoss(tf, t as tfjs.Tensor4D, x, none))(y);
  assert.ok(grad.dataSync().every((v) => v === 0), '~> zero, not NaN');
  tf.dispose([x, y, none, grad]);
});

nmcSuite('~> rejects a keep map of the wrong shape', () => {
  const { x, y } = nmcCase();
  const wrong = tf.ones([1, 2, 2, 3]) as tfjs.Tensor4D;
  assert.throws(() => nmcLoss(tf, y, x, wrong), /expected a keep map \[1, 2, 2, 1\], received \[1, 2, 2, 3\]/);
  tf.dispose([x, y, wrong]);
});

nmcSuite('~> leaks nothing', () => {
  const { x, y, keep } = nmcCase();
  const before = tf.memory().numTensors;
  value(nmcLoss(tf, y, x, keep));
  assert.is(tf.memory().numTensors, before);
  tf.dispose([x, y, keep]);
});

nmcSuite.run();

// ---
const attentionSuite = suite('attentionLoss');

attentionSuite('~> 0 when A_10 = N, mean |N − A_10| otherwise', () => {
  const keep = tf.tensor4d([1, 0], [1, 1, 2, 1]);
  // pixel 0: A_10 = 1 (copies the input, kept pixel); pixel 1: A_10 = 0.5 inside the mask
  const maps = [...Array(9).fill(0), 1, ...Array(9).fill(0.5 / 9), 0.5];
  const attention = tf.tensor4d(maps, [1, 1, 2, 10]);
  close(value(attentionLoss(tf, attention, keep)), (0 + 0.5) / 2, '~> value');
  const bad = tf.zeros([1, 1, 2, 9]) as tfjs.Tensor4D;
  assert.throws(() => attentionLoss(tf, bad, keep), /expected attention \[B, H, W, 10\], received \[1, 1, 2, 9\]/);
  tf.dispose([keep, attention, bad]);
});

attentionSuite.run();
