/**
 * Noise injection in the generator's content branch: no spec or σ = 0 leaves the forward pass exactly as
 * before; with noise, the same call seed reproduces the output and another seed gives another one, for
 * both positions and both layers; the attention maps never change; a missing seed or a malformed spec is
 * rejected; nothing leaks.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type * as tfjs from '@tensorflow/tfjs';
import { detectBackendKind, loadTensorflow } from '../../src/kit/tf-backend.js';
import { createGeneratorWeights, disposeWeights, runGenerator, type GeneratorWeights, type RunGeneratorOptions } from '../../src/gan/generator.js';
import { assertNoiseSpec, drawNoise, isNoiseActive, type NoiseSpec } from '../../src/gan/noise.js';

const tf = await loadTensorflow(detectBackendKind());

let weights: GeneratorWeights;
let x: tfjs.Tensor4D;
let plain: { output: number[]; attention: number[] };

/** Output and attention of one forward pass, as arrays. */
function forward(options?: RunGeneratorOptions): { output: number[]; attention: number[] } {
  return tf.tidy(() => {
    const result = runGenerator(tf, weights, x, options);
    return { output: Array.from(result.output.dataSync()), attention: Array.from(result.attention.dataSync()) };
  });
}

// ---
const runSuite = suite('runGenerator with noise');

runSuite.before(() => {
  weights = createGeneratorWeights(tf, { ngf: 4, blocks: 1, seed: 21, scope: 'noise' });
  x = tf.randomUniform([1, 16, 16, 3], -1, 1, 'float32', 22) as tfjs.Tensor4D;
  plain = forward();
});

runSuite.after(() => {
  x.dispose();
  disposeWeights(weights);
});

runSuite('~> no spec, σ = 0 or no layers give the plain output exactly', () => {
  assert.equal(forward({}).output, plain.output, '~> empty options');
  assert.equal(forward({ noise: { layers: ['c1', 'c2'], position: 'postAct', sigma: 0 }, noiseSeed: 5 }).output, plain.output, '~> sigma 0');
  assert.equal(forward({ noise: { layers: [], position: 'preNorm', sigma: 0.3 }, noiseSeed: 5 }).output, plain.output, '~> no layers');
});

for (const spec of [
  { layers: ['c2'], position: 'postAct', sigma: 0.2 },
  { layers: ['c1'], position: 'postAct', sigma: 0.2 },
  { layers: ['c1', 'c2'], position: 'preNorm', sigma: 0.2 },
] satisfies NoiseSpec[]) {
  runSuite(`~> ${spec.layers.join('+')} ${spec.position}: seeded, seed-dependent, attention untouched`, () => {
    const first = forward({ noise: spec, noiseSeed: 7 });
    const again = forward({ noise: spec, noiseSeed: 7 });
    const other = forward({ noise: spec, noiseSeed: 8 });
    assert.equal(first.output, again.output, '~> same seed, same output');
    assert.not.equal(first.output, other.output, '~> other seed, other output');
    assert.not.equal(first.output, plain.output, '~> differs from the plain output');
    assert.equal(first.attention, plain.attention, '~> attention branch deterministic');
    assert.ok(first.output.every((v) => v >= -1 && v <= 1), '~> output stays in [−1, 1]');
  });
}

runSuite('~> active noise without a seed is rejected', () => {
  assert.throws(() => forward({ noise: { layers: ['c2'], position: 'postAct', sigma: 0.1 } }), /expected a 'noiseSeed'/);
});

runSuite('~> leaks nothing', () => {
  const before = tf.memory().numTensors;
  forward({ noise: { layers: ['c1', 'c2'], position: 'preNorm', sigma: 0.1 }, noiseSeed: 3 });
  assert.is(tf.memory().numTensors, before, '~> numTensors unchanged');
});

runSuite.run();

// ---
const specSuite = suite('assertNoiseSpec');

specSuite('~> rejects unknown layers, positions and negative sigma', () => {
  assert.throws(() => assertNoiseSpec({ layers: ['c3' as 'c1'], position: 'postAct', sigma: 0.1 }), /'layers' expected a list of 'c1' \| 'c2', received \["c3"\]/);
  assert.throws(() => assertNoiseSpec({ layers: ['c1'], position: 'after' as 'postAct', sigma: 0.1 }), /'position' expected 'preNorm' or 'postAct', received "after"/);
  assert.throws(() => assertNoiseSpec({ layers: ['c1'], position: 'postAct', sigma: -1 }), /'sigma' expected a finite number >= 0, received -1/);
  assert.not.throws(() => assertNoiseSpec({ layers: ['c1', 'c2'], position: 'preNorm', sigma: 0 }));
});

specSuite('~> isNoiseActive only for sigma > 0 on some layer', () => {
  assert.is(isNoiseActive(undefined), false);
  assert.is(isNoiseActive({ layers: ['c2'], position: 'postAct', sigma: 0 }), false);
  assert.is(isNoiseActive({ layers: ['c2'], position: 'postAct', sigma: 0.1 }), true);
});

specSuite.run();

// ---
const injectSuite = suite('drawNoise');

injectSuite('~> draws N(0, σ²) of the given shape at the matching layer and position only, seeded', () => {
  const spec: NoiseSpec = { layers: ['c2'], position: 'preNorm', sigma: 0.5 };
  assert.is(drawNoise(tf, [2, 32, 32, 8], spec, 'c1', 'preNorm', 1), undefined, '~> other layer: none');
  assert.is(drawNoise(tf, [2, 32, 32, 8], spec, 'c2', 'postAct', 1), undefined, '~> other position: none');
  assert.throws(() => drawNoise(tf, [2, 32, 32, 8], spec, 'c2', 'preNorm', undefined), /noiseSeed/, '~> unseeded draws are refused');
  const noisy = drawNoise(tf, [2, 32, 32, 8], spec, 'c2', 'preNorm', 1)!;
  const again = drawNoise(tf, [2, 32, 32, 8], spec, 'c2', 'preNorm', 1)!;
  assert.equal(Array.from(again.dataSync()), Array.from(noisy.dataSync()), '~> the same seed draws the same noise');
  const values = Array.from(noisy.dataSync());
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
  assert.equal(noisy.shape, [2, 32, 32, 8], '~> shape');
  assert.ok(Math.abs(mean) < 0.03, `~> mean ≈ 0 (${mean})`);
  assert.ok(Math.abs(std - 0.5) < 0.03, `~> std ≈ σ (${std})`);
  tf.dispose([noisy, again]);
});

injectSuite.run();
