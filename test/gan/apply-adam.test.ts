/**
 * `applyAdam` (one tidy per variable) against tfjs's `AdamOptimizer.applyGradients` (one tidy for all): the
 * same weights, moments, β powers and iteration count, bit for bit, over three steps with the reference
 * settings and a changed learning rate; it frees the gradients it is given and leaks nothing.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type * as tfjs from '@tensorflow/tfjs';
import { detectBackendKind, loadTensorflow } from '../../src/kit/tf-backend.js';
import { applyAdam, createAdam, exportOptimizerState, setLearningRate } from '../../src/gan/optimizers.js';

const tf = await loadTensorflow(detectBackendKind());

const bits = (t: tfjs.Tensor) => [...t.dataSync()];

const adam = suite('applyAdam');

adam('~> matches AdamOptimizer.applyGradients bit for bit over three steps', () => {
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
  ours.forEach((v, i) => assert.equal(bits(v), bits(theirs[i]!), `~> ${v.name}`));
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

adam.run();
