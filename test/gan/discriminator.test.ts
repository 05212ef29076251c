/**
 * The PatchGAN discriminator: the reference size (ndf 64) has exactly 2,764,737 parameters and maps a 256²
 * image to a 30×30×1 logit map; a forward pass in `tf.tidy` leaks nothing; the same seed gives the same
 * weights.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type * as tfjs from '@tensorflow/tfjs';
import { detectBackendKind, loadTensorflow } from '../../src/kit/tf-backend.js';
import { countParameters, createDiscriminatorWeights, disposeWeights, runDiscriminator } from '../../src/gan/discriminator.js';

const tf = await loadTensorflow(detectBackendKind());

// ---
const createSuite = suite('createDiscriminatorWeights');

createSuite('~> ndf 64 has 2,764,737 parameters in five convs named after model.{0,2,5,8,11}', () => {
  const weights = createDiscriminatorWeights(tf, { ndf: 64, seed: 1, scope: 'count' });
  assert.is(countParameters(weights), 2_764_737, '~> parameters');
  assert.equal(weights.variables.filter((v) => v.name.endsWith('/kernel')).map((v) => v.name),
    ['count/model.0/kernel', 'count/model.2/kernel', 'count/model.5/kernel', 'count/model.8/kernel', 'count/model.11/kernel'], '~> names');
  disposeWeights(weights);
});

createSuite('~> same seed gives the same weights', () => {
  const a = createDiscriminatorWeights(tf, { ndf: 8, seed: 5, scope: 'a' });
  const b = createDiscriminatorWeights(tf, { ndf: 8, seed: 5, scope: 'b' });
  a.variables.forEach((v, i) => assert.equal(Array.from(v.dataSync()), Array.from(b.variables[i]!.dataSync()), `~> ${v.name}`));
  disposeWeights(a);
  disposeWeights(b);
});

createSuite.run();

// ---
const runSuite = suite('runDiscriminator');

runSuite('~> 256² input at ndf 64 gives 30×30×1 patch logits, no leak', () => {
  const weights = createDiscriminatorWeights(tf, { ndf: 64, seed: 2, scope: 'full' });
  const x = tf.randomUniform([1, 256, 256, 3], -1, 1, 'float32', 3) as tfjs.Tensor4D;
  const before = tf.memory().numTensors;
  const finite = tf.tidy(() => {
    const logits = runDiscriminator(tf, weights, x);
    assert.equal(logits.shape, [1, 30, 30, 1], '~> shape');
    return tf.all(tf.isFinite(logits)).dataSync()[0] === 1;
  });
  assert.ok(finite, '~> finite logits');
  assert.is(tf.memory().numTensors, before, '~> numTensors unchanged');
  x.dispose();
  disposeWeights(weights);
});

runSuite('~> batch and size follow H/8 − 2', () => {
  const weights = createDiscriminatorWeights(tf, { ndf: 8, seed: 4, scope: 'small' });
  const x = tf.zeros<tfjs.Rank.R4>([2, 64, 64, 3]);
  const logits = runDiscriminator(tf, weights, x);
  assert.equal(logits.shape, [2, 6, 6, 1], '~> shape');
  tf.dispose([x, logits]);
  disposeWeights(weights);
});

runSuite.run();
