/**
 * `applyAdam` (one tidy per variable) against tfjs's `AdamOptimizer.applyGradients` (one tidy for all): the
 * same moments, β powers and iteration count bit for bit, and the same weights up to the bias correction,
 * over three steps with the reference settings and a changed learning rate; it frees the gradients it is
 * given and leaks nothing. Its bias corrections are PyTorch's (1 − β^t in float64): three steps from zero
 * weights follow Adam computed in float64 to float32 rounding, where tfjs's are ~6.5e-6 of a step short.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type * as tfjs from '@tensorflow/tfjs';
import { detectBackendKind, loadTensorflow } from '../../src/kit/tf-backend.js';
import { applyAdam, createAdam, exportOptimizerState, setLearningRate } from '../../src/gan/optimizers.js';

const tf = await loadTensorflow(detectBackendKind());

const bits = (t: tfjs.Tensor) => [...t.dataSync()];

const adam = suite('applyAdam');

adam('~> matches AdamOptimizer.applyGradients over three steps: state bit for bit, weights but for the bias correction', () => {
  const make = (prefix: string) => [
    tf.variable(tf.randomNormal([3, 3, 2, 4], 0, 0.02, 'float32', 1), true, `${prefix}/kernel`),
    tf.variable(tf.zeros([4]), true, `${prefix}/bias`),
  ];
  const [ours, theirs] = [make('adam_ours'), make('adam_theirs')];
  const [ourAdam, theirAdam] = [createAdam(tf), createAdam(tf)];
  const before = tf.memory().numTensors;
  for (let step = 0; step < 3; step += 1) {
    if (step === 2) [ourAdam, theirAdam].forEach((o) => setLearningRate(o, 1e-4));
    const gradients = () => [tf.randomNormal([3, 3, 2, 4], 0, 1, 'float32', 10 + step), tf.randomNormal([4], 0, 1e-3, 'float32', 20 + step)];
    const forUs = gradients();
    applyAdam(tf, ourAdam, ours, forUs);
    assert.ok(forUs.every((g) => g.isDisposed), '~> gradients freed');
    const forThem = gradients();
    theirAdam.applyGradients(theirs.map((v, i) => ({ name: v.name, tensor: forThem[i]! })));
    tf.dispose(forThem);
  }
  ours.forEach((v, i) => {
    const [a, b] = [bits(v), bits(theirs[i]!)];
    const off = Math.max(...a.map((x, j) => Math.abs(x - b[j]!)));
    assert.ok(off <= 1e-4 * 3 * 2e-4, `~> ${v.name}: within 1e-4 of three steps (${off})`); // tfjs's steps are ~6.5e-6 short
  });
  const [a, b] = [exportOptimizerState(tf, ourAdam), exportOptimizerState(tf, theirAdam)];
  assert.is(a.iterations, 3);
  assert.is(a.iterations, b.iterations, '~> iterations');
  assert.is(a.accBeta1, b.accBeta1, '~> β1^t');
  assert.is(a.accBeta2, b.accBeta2, '~> β2^t');
  a.moments.forEach((m, i) => assert.equal(bits(m.tensor), bits(b.moments[i]!.tensor), `~> ${m.name}`));
  tf.dispose([...a.moments, ...b.moments].map((m) => m.tensor));
  // moments (2 per variable) are created on the first step by both; nothing else stays
  assert.is(tf.memory().numTensors, before + 2 * ours.length + 2 * theirs.length, '~> no tensor leaks');
  [ourAdam, theirAdam].forEach((o) => o.dispose());
  tf.dispose([...ours, ...theirs]);
});

adam('~> bias corrections in float64: three steps from zero follow Adam in float64; tfjs\'s fall short', () => {
  const settings = { learningRate: 2e-4, beta1: 0.5, beta2: 0.999, epsilon: 1e-8 };
  const [ours, theirs] = ['adam_exact_ours', 'adam_exact_theirs'].map((name) => tf.variable(tf.zeros([64]), true, name));
  const [ourAdam, theirAdam] = [createAdam(tf), createAdam(tf)];
  const m = new Float64Array(64);
  const v = new Float64Array(64);
  const exact = new Float64Array(64);                                          // Adam in float64 on the same gradients
  for (let t = 1; t <= 3; t += 1) {
    const g = tf.randomNormal([64], 0, 1, 'float32', 30 + t);
    const values = g.dataSync();
    for (let i = 0; i < 64; i += 1) {
      m[i] = settings.beta1 * m[i]! + (1 - settings.beta1) * values[i]!;
      v[i] = settings.beta2 * v[i]! + (1 - settings.beta2) * values[i]! ** 2;
      const mHat = m[i]! / (1 - settings.beta1 ** t);
      const vHat = v[i]! / (1 - settings.beta2 ** t);
      exact[i] = exact[i]! - settings.learningRate * mHat / (Math.sqrt(vHat) + settings.epsilon);
    }
    applyAdam(tf, ourAdam, [ours!], [tf.clone(g)]);
    theirAdam.applyGradients([{ name: theirs!.name, tensor: g }]);
    g.dispose();
  }
  const off = (w: tfjs.Variable) => Math.max(...bits(w).map((x, i) => Math.abs(x - exact[i]!))) / settings.learningRate; // in steps
  assert.ok(off(ours!) < 2e-6, `~> ours within float32 rounding of float64 Adam (${off(ours!)} of a step)`);
  assert.ok(off(theirs!) > 1e-5, `~> tfjs's own is off by its float32 1 − β2^t (${off(theirs!)} of a step)`);
  [ourAdam, theirAdam].forEach((o) => o.dispose());
  tf.dispose([ours!, theirs!]);
});

adam.run();
