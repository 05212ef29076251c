/**
 * The fused training units against the composed ops they replace (`units: 'taped'`, which the layer tests
 * check against PyTorch's definitions): for every unit shape the networks use — reflect/zero pad, stride 1/2,
 * the stride-2 transposed conv, with and without instance norm, ReLU/LeakyReLU/tanh/none, noise before the
 * norm, frozen weights — the forward output is identical and the gradients of a random projection with
 * respect to x, kernel and bias agree within 1e-5 (relative to the largest entry); the attention mix likewise;
 * a whole generator and discriminator give the same parameter gradients both ways; nothing leaks.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type * as tfjs from '@tensorflow/tfjs';
import { detectBackendKind, loadTensorflow } from '../../src/kit/tf-backend.js';
import { mixAttention } from '../../src/gan/attention-mix.js';
import { convUnit, type ConvUnitSpec, type UnitMode } from '../../src/gan/conv-unit.js';
import { createDiscriminatorWeights, disposeWeights as disposeDiscriminator, runDiscriminator } from '../../src/gan/discriminator.js';
import { createGeneratorWeights, disposeWeights, runGenerator } from '../../src/gan/generator.js';

const tf = await loadTensorflow(detectBackendKind());

/** Largest |a − b| over the largest |b| (1 when b is all zeros). */
function relativeDiff(a: tfjs.Tensor, b: tfjs.Tensor): number {
  const [x, y] = [a.dataSync(), b.dataSync()];
  assert.is(x.length, y.length, '~> sizes');
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < x.length; i += 1) {
    diff = Math.max(diff, Math.abs(x[i]! - y[i]!));
    scale = Math.max(scale, Math.abs(y[i]!));
  }
  return diff / (scale || 1);
}

const SPECS: [string, ConvUnitSpec, number, number, number, boolean, boolean][] = [
  // name,                                   spec,                                                                                     k, in, out, input noise, preNorm noise
  ['reflect 7×7, norm (encoder in)', { kind: 'conv', pad: 3, padMode: 'reflect', norm: true }, 7, 3, 4, false, false],
  ['relu, zero 1, stride 2, norm (down)', { kind: 'conv', input: 'relu', stride: 2, pad: 1, padMode: 'zero', norm: true }, 3, 3, 5, false, false],
  ['relu + noise, reflect 3×3, norm (block out)', { kind: 'conv', input: 'relu', pad: 1, padMode: 'reflect', norm: true }, 3, 4, 4, true, false],
  ['deconv, noise, norm (up first)', { kind: 'deconv', norm: true }, 3, 4, 3, false, true],
  ['relu + noise, deconv, noise, norm (up second)', { kind: 'deconv', input: 'relu', norm: true }, 3, 4, 3, true, true],
  ['relu, reflect 7×7, tanh (content out)', { kind: 'conv', input: 'relu', pad: 3, padMode: 'reflect', norm: false, output: 'tanh' }, 7, 3, 6, false, false],
  ['relu, 1×1 (attention out)', { kind: 'conv', input: 'relu', norm: false }, 1, 3, 5, false, false],
  ['4×4 zero 1 s2 (D first)', { kind: 'conv', stride: 2, pad: 1, padMode: 'zero', norm: false }, 4, 3, 4, false, false],
  ['leaky, 4×4 zero 1 s1, norm (D middle)', { kind: 'conv', input: 'leaky', stride: 1, pad: 1, padMode: 'zero', norm: true }, 4, 3, 4, false, false],
  ['leaky, 4×4 zero 1 s1 (D last)', { kind: 'conv', input: 'leaky', stride: 1, pad: 1, padMode: 'zero', norm: false }, 4, 3, 1, false, false],
];

const units = suite('convUnit fused vs taped');

for (const [name, spec, k, cin, cout, withInputNoise, withPreNorm] of SPECS) {
  units(`~> ${name}: same output, gradients within 1e-5`, () => {
    const before = tf.memory().numTensors;
    const x = tf.randomUniform([2, 8, 8, cin], -1, 1, 'float32', 1) as tfjs.Tensor4D;                   // [2, 8, 8, in]
    const kernel = tf.randomNormal(spec.kind === 'deconv' ? [3, 3, cout, cin] : [k, k, cin, cout], 0, 0.3, 'float32', 2) as tfjs.Tensor4D;
    const bias = tf.randomNormal([cout], 0, 0.3, 'float32', 3) as tfjs.Tensor1D;
    const outSide = spec.kind === 'deconv' ? 16 : Math.floor((8 + 2 * (spec.pad ?? 0) - k) / (spec.stride ?? 1)) + 1;
    const inputNoise = withInputNoise ? tf.randomNormal([2, 8, 8, cin], 0, 0.5, 'float32', 6) as tfjs.Tensor4D : undefined;
    const preNorm = withPreNorm ? tf.randomNormal([2, outSide, outSide, cout], 0, 0.5, 'float32', 4) as tfjs.Tensor4D : undefined;
    const projection = tf.randomNormal([2, outSide, outSide, cout], 0, 1, 'float32', 5);               // [2, H', W', out]
    const run = (mode: UnitMode) => tf.grads((xi: tfjs.Tensor, ki: tfjs.Tensor, bi: tfjs.Tensor) =>
      tf.sum(tf.mul(convUnit(tf, xi as tfjs.Tensor4D, { kernel: ki as tfjs.Tensor4D, bias: bi as tfjs.Tensor1D }, spec, { mode, inputNoise, preNorm }), projection)))([x, kernel, bias]);
    const outputs = (['fused', 'taped'] as const).map((mode) => convUnit(tf, x, { kernel, bias }, spec, { mode, inputNoise, preNorm }));
    assert.equal(outputs[0]!.shape, [2, outSide, outSide, cout], '~> shape');
    assert.is(relativeDiff(outputs[0]!, outputs[1]!), 0, '~> identical forward');
    const [fused, taped] = [run('fused'), run('taped')];
    ['dx', 'dkernel', 'dbias'].forEach((what, i) => {
      const diff = relativeDiff(fused[i]!, taped[i]!);
      assert.ok(diff <= 1e-5, `~> ${what} differs by ${diff.toExponential(2)} (relative)`);
    });
    const frozen = tf.grad((xi: tfjs.Tensor) => tf.sum(tf.mul(convUnit(tf, xi as tfjs.Tensor4D, { kernel, bias }, spec, { frozen: true, inputNoise, preNorm }), projection)))(x);
    assert.is(relativeDiff(frozen, fused[0]!), 0, '~> frozen weights give the same dx');
    tf.dispose([x, kernel, bias, projection, ...outputs, ...fused, ...taped, frozen, ...(inputNoise ? [inputNoise] : []), ...(preNorm ? [preNorm] : [])]);
    assert.is(tf.memory().numTensors, before, '~> no tensor leaks');
  });
}

units('~> without native gradient kernels (cpu backend), the composed fallback agrees too', async () => {
  const previous = tf.getBackend();
  await tf.setBackend('cpu');
  try {
    for (const spec of [SPECS[2]![1], SPECS[8]![1]]) {                                                    // relu + reflect, leaky + zero
      const k = spec.padMode === 'reflect' ? 3 : 4;
      const x = tf.randomUniform([1, 6, 6, 3], -1, 1, 'float32', 11) as tfjs.Tensor4D;
      const kernel = tf.randomNormal([k, k, 3, 3], 0, 0.3, 'float32', 12) as tfjs.Tensor4D;
      const bias = tf.zeros([3]) as tfjs.Tensor1D;
      const run = (mode: UnitMode) => tf.grads((xi: tfjs.Tensor, ki: tfjs.Tensor) =>
        tf.sum(tf.square(convUnit(tf, xi as tfjs.Tensor4D, { kernel: ki as tfjs.Tensor4D, bias }, spec, { mode }))))([x, kernel]);
      const [fused, taped] = [run('fused'), run('taped')];
      fused.forEach((g, i) => assert.ok(relativeDiff(g, taped[i]!) <= 1e-5, `~> gradient ${i} (${spec.padMode})`));
      tf.dispose([x, kernel, bias, ...fused, ...taped]);
    }
  } finally {
    await tf.setBackend(previous);
  }
});

units('~> on wasm (no Conv2DBackpropFilter kernel) the fused units still train: gradients match the cpu backend', async () => {
  const previous = tf.getBackend();
  const gradients = async (backend: string, mode: UnitMode) => {
    await tf.setBackend(backend);
    return tf.tidy(() => SPECS.filter(([, spec]) => spec.kind === 'deconv' || spec.stride === 2).map(([, spec, k, cin, cout]) => {
      const x = tf.randomUniform([1, 8, 8, cin], -1, 1, 'float32', 13) as tfjs.Tensor4D;
      const kernel = tf.randomNormal(spec.kind === 'deconv' ? [3, 3, cout, cin] : [k, k, cin, cout], 0, 0.3, 'float32', 14) as tfjs.Tensor4D;
      const bias = tf.zeros([cout]) as tfjs.Tensor1D;
      const side = spec.kind === 'deconv' ? 16 : 4;
      const projection = tf.randomNormal([1, side, side, cout], 0, 1, 'float32', 15);              // not sum(y²): the norm makes that constant
      const [dKernel] = tf.grads((ki: tfjs.Tensor) => tf.sum(tf.mul(convUnit(tf, x, { kernel: ki as tfjs.Tensor4D, bias }, spec, { mode }), projection)))([kernel]);
      return tf.keep(tf.tensor(dKernel!.dataSync(), dKernel!.shape));
    }));
  };
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    const reference = await gradients('cpu', 'taped');
    const referenceValues = reference.map((t) => t.dataSync());
    const wasm = await gradients('wasm', 'fused');
    wasm.forEach((g, i) => {
      const diff = Math.max(...Array.from(g.dataSync(), (v, j) => Math.abs(v - referenceValues[i]![j]!)));
      const scale = Math.max(...Array.from(referenceValues[i]!, Math.abs));
      assert.ok(diff <= 1e-5 * scale, `~> filter gradient ${i} differs by ${diff} (scale ${scale})`);
    });
    tf.dispose([...reference, ...wasm]);
  } finally {
    await tf.setBackend(previous);
  }
});

units('~> the attention mix: same output, gradients of content, attention and x within 1e-5', () => {
  const content = tf.randomUniform([2, 6, 6, 27], -1, 1, 'float32', 6) as tfjs.Tensor4D;
  const attention = tf.softmax(tf.randomNormal([2, 6, 6, 10], 0, 1, 'float32', 7)) as tfjs.Tensor4D;
  const x = tf.randomUniform([2, 6, 6, 3], -1, 1, 'float32', 8) as tfjs.Tensor4D;
  const projection = tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 9);
  const run = (mode: UnitMode) => tf.grads((c: tfjs.Tensor, a: tfjs.Tensor, xi: tfjs.Tensor) =>
    tf.sum(tf.mul(mixAttention(tf, c as tfjs.Tensor4D, a as tfjs.Tensor4D, xi as tfjs.Tensor4D, mode), projection)))([content, attention, x]);
  const [fusedOut, tapedOut] = [mixAttention(tf, content, attention, x), mixAttention(tf, content, attention, x, 'taped')];
  assert.is(relativeDiff(fusedOut, tapedOut), 0, '~> identical forward');
  const [fused, taped] = [run('fused'), run('taped')];
  fused.forEach((g, i) => assert.ok(relativeDiff(g, taped[i]!) <= 1e-5, `~> gradient ${i}`));
  tf.dispose([content, attention, x, projection, fusedOut, tapedOut, ...fused, ...taped]);
});

units('~> a whole generator (noise before the norm, then after the ReLU) and discriminator: parameter gradients within 1e-5', () => {
  const generator = createGeneratorWeights(tf, { ngf: 4, blocks: 2, seed: 3, scope: 'unit_g' });
  const discriminator = createDiscriminatorWeights(tf, { ndf: 4, seed: 4, scope: 'unit_d' });
  const x = tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 10) as tfjs.Tensor4D;
  const grads = (mode: UnitMode, position: 'preNorm' | 'postAct') => {
    const noise = { layers: ['c1', 'c2'] as ('c1' | 'c2')[], position, sigma: 0.3 };
    const variables = [...generator.variables, ...discriminator.variables];
    const { grads: named } = tf.variableGrads(() => {
      const y = runGenerator(tf, generator, x, { units: mode, noise, noiseSeed: 5 });
      const judged = runDiscriminator(tf, discriminator, y.output, { units: mode });
      return tf.add(tf.mean(tf.square(judged)), tf.mean(tf.abs(tf.sub(y.output, x)))) as tfjs.Scalar;
    }, variables);
    return variables.map((v) => named[v.name]!);
  };
  for (const position of ['preNorm', 'postAct'] as const) {
    const [fused, taped] = [grads('fused', position), grads('taped', position)];
    const names = [...generator.variables, ...discriminator.variables].map((v) => v.name);
    const largest = (t: tfjs.Tensor) => tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]!);
    const overall = Math.max(...taped.map(largest));
    // a bias right before instance norm has true gradient 0 (the norm subtracts it); both paths give rounding
    // noise there (~1e-8), so those are checked to be noise in both, the rest relative to their own scale
    const noiseLevel = names.filter((_, i) => largest(taped[i]!) <= 1e-6 * overall);
    assert.ok(noiseLevel.length > 0 && noiseLevel.every((name) => /(conv[123]|resnet_blocks\.\d+\.conv[12]|deconv[12]_(content|attention)|model\.(2|5|8))\/bias$/.test(name)), `~> only pre-norm biases have noise-level gradients, found ${noiseLevel.join(', ')}`);
    for (let i = 0; i < names.length; i += 1) {
      if (noiseLevel.includes(names[i]!)) {
        assert.ok(largest(fused[i]!) <= 1e-6 * overall, `~> ${names[i]}: noise-level in the fused path too`);
      } else {
        const diff = relativeDiff(fused[i]!, taped[i]!);
        assert.ok(diff <= 1e-5, `~> ${names[i]} differs by ${diff.toExponential(2)} (relative, noise ${position})`);
      }
    }
    tf.dispose([...fused, ...taped]);
  }
  tf.dispose(x);
  disposeWeights(generator);
  disposeDiscriminator(discriminator);
});

units.run();
