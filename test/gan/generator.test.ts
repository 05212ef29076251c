/**
 * The AttentionGAN generator: the full-size network has exactly the 11,822,949 parameters of the reference;
 * a small one (ngf 8, 2 blocks, 32² input) returns the output, 10 attention maps and 27 content channels at
 * input resolution, and so does the full-size one on a 256² image; attention sums to 1 at every pixel, the
 * output stays in [−1, 1], a forward pass in `tf.tidy` leaks no tensors, and the same seed gives the same weights (another seed does not).
 * `upsample: 'resize-conv'`: the same parameter count, the same output shapes, every output pixel of an
 * up-conv sees all nine kernel taps (a transposed conv's phases see 1, 2, 2 and 4), and A10's gradient
 * reaches the up-convs from every output phase. `attentionActivation: 'leaky-relu'`: the attention head never
 * sees all-zero features, so no A10 pixel is bias-only. `attentionPrior`: the background map starts at the
 * asked share. `content: 'residual'`: the same parameters; with the content head at zero every candidate is the
 * input (0.999·x), where the reference's are 0; the candidates stay in (−1, 1) and gradients reach x through them.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type * as tfjs from '@tensorflow/tfjs';
import { detectBackendKind, loadTensorflow } from '../../src/kit/tf-backend.js';
import { countParameters, createGeneratorWeights, disposeWeights, RESIDUAL_INPUT_SCALE, runGenerator, upsampleNearest } from '../../src/gan/generator.js';
import { convUnit } from '../../src/gan/conv-unit.js';

const tf = await loadTensorflow(detectBackendKind());

/** A batch in [−1, 1), [n, size, size, 3]. */
function randomImage(n: number, size: number, seed: number): tfjs.Tensor4D {
  return tf.randomUniform([n, size, size, 3], -1, 1, 'float32', seed) as tfjs.Tensor4D;
}

// ---
const countSuite = suite('countParameters');

countSuite('~> the reference generator (ngf 64, 9 blocks) has 11,822,949 parameters', () => {
  const weights = createGeneratorWeights(tf, { ngf: 64, blocks: 9, seed: 1, scope: 'count' });
  assert.is(countParameters(weights), 11_822_949, '~> parameters');
  assert.is(weights.variables.length, 2 * (3 + 18 + 6), '~> one kernel and one bias per conv');
  assert.is(weights.variables[0]!.name, 'count/conv1/kernel', '~> first name');
  assert.ok(weights.variables.some((v) => v.name === 'count/resnet_blocks.8.conv2/bias'), '~> block names');
  assert.equal(weights.deconv1Content.kernel.shape, [3, 3, 128, 256], '~> transposed kernel is [kh, kw, out, in]');
  assert.equal(weights.deconv1Content.bias.shape, [128], '~> transposed bias is [out]');
  disposeWeights(weights);
});

countSuite.run();

// ---
const createSuite = suite('createGeneratorWeights');

createSuite('~> kernels ~ N(0, 0.02), biases 0', () => {
  const weights = createGeneratorWeights(tf, { ngf: 64, blocks: 1, seed: 3, scope: 'init' });
  const kernel = weights.blocks[0]!.conv1.kernel.dataSync();               // 589,824 draws
  let sum = 0;
  let squares = 0;
  for (const v of kernel) { sum += v; squares += v * v; }
  const mean = sum / kernel.length;
  assert.ok(Math.abs(mean) < 1e-4, '~> mean');
  assert.ok(Math.abs(Math.sqrt(squares / kernel.length - mean * mean) - 0.02) < 2e-4, '~> std');
  assert.ok(weights.conv1.bias.dataSync().every((v) => v === 0), '~> bias');
  disposeWeights(weights);
});

createSuite('~> same seed gives the same weights, another seed does not', () => {
  const a = createGeneratorWeights(tf, { ngf: 8, blocks: 2, seed: 7, scope: 'a' });
  const b = createGeneratorWeights(tf, { ngf: 8, blocks: 2, seed: 7, scope: 'b' });
  const c = createGeneratorWeights(tf, { ngf: 8, blocks: 2, seed: 8, scope: 'c' });
  a.variables.forEach((v, i) => assert.equal(Array.from(v.dataSync()), Array.from(b.variables[i]!.dataSync()), `~> ${v.name}`));
  assert.not.equal(Array.from(a.conv1.kernel.dataSync()), Array.from(c.conv1.kernel.dataSync()), '~> other seed');
  assert.not.equal(Array.from(a.conv2.kernel.dataSync().slice(0, 9)), Array.from(a.conv3.kernel.dataSync().slice(0, 9)), '~> layers differ');
  [a, b, c].forEach((w) => disposeWeights(w));
});

createSuite('~> attentionPrior p: map 10 starts at A10 ≈ p on any input; the default is the reference all-zero bias (p = 0.1)', () => {
  const x = randomImage(2, 32, 5);
  const meanA10 = (w: ReturnType<typeof createGeneratorWeights>) =>
    tf.tidy(() => tf.mean(tf.slice(runGenerator(tf, w, x).attention, [0, 0, 0, 9], [-1, -1, -1, 1])).dataSync()[0]!);
  const reference = createGeneratorWeights(tf, { ngf: 8, blocks: 2, seed: 7, scope: 'prior-ref', upsample: 'resize-conv' });
  assert.ok(reference.deconv3Attention.bias.dataSync().every((v) => v === 0), '~> default: all attention biases 0');
  assert.ok(Math.abs(meanA10(reference) - 0.1) < 0.02, `~> default: A10 ≈ 0.1 (${meanA10(reference)})`);
  for (const prior of [0.5, 0.8]) {
    const w = createGeneratorWeights(tf, { ngf: 8, blocks: 2, seed: 7, scope: `prior-${prior}`, upsample: 'resize-conv', attentionPrior: prior });
    const bias = Array.from(w.deconv3Attention.bias.dataSync());
    assert.ok(Math.abs(bias[9]! - Math.log((9 * prior) / (1 - prior))) < 1e-6 && bias.slice(0, 9).every((v) => v === 0), `~> bias log(9p/(1−p)) on map 10 only (${bias})`);
    assert.ok(Math.abs(meanA10(w) - prior) < 0.02, `~> A10 ≈ ${prior} (${meanA10(w)})`);
    assert.equal(Array.from(w.conv1.kernel.dataSync()), Array.from(reference.conv1.kernel.dataSync()), '~> the kernels are the same draws');
    disposeWeights(w);
  }
  assert.throws(() => createGeneratorWeights(tf, { ngf: 8, blocks: 1, seed: 7, scope: 'prior-bad', attentionPrior: 1 }), /attentionPrior expected a share between 0 and 1 \(exclusive\), received 1/);
  disposeWeights(reference);
  x.dispose();
});

createSuite.run();

// ---
const runSuite = suite('runGenerator');

runSuite('~> small config: shapes, attention sums to 1, output in [−1, 1], no leak', () => {
  const weights = createGeneratorWeights(tf, { ngf: 8, blocks: 2, seed: 11, scope: 'small' });
  const x = randomImage(1, 32, 12);
  const before = tf.memory().numTensors;
  const stats = tf.tidy(() => {
    const { output, attention, content } = runGenerator(tf, weights, x);
    assert.equal(output.shape, [1, 32, 32, 3], '~> output');
    assert.equal(attention.shape, [1, 32, 32, 10], '~> attention');
    assert.equal(content.shape, [1, 32, 32, 27], '~> content');
    const sums = tf.sum(attention, -1);                                    // [1, 32, 32]
    // y − x = Σ A_i (C_i − x): recompute y from the parts to check the mixing
    const parts = tf.add(
      tf.sum(tf.mul(tf.reshape(content, [1, 32, 32, 9, 3]), tf.reshape(tf.slice(attention, [0, 0, 0, 0], [1, 32, 32, 9]), [1, 32, 32, 9, 1])), 3),
      tf.mul(x, tf.slice(attention, [0, 0, 0, 9], [1, 32, 32, 1])));
    return {
      sumError: tf.max(tf.abs(tf.sub(sums, 1))).dataSync()[0]!,
      min: tf.min(output).dataSync()[0]!,
      max: tf.max(output).dataSync()[0]!,
      mixError: tf.max(tf.abs(tf.sub(parts, output))).dataSync()[0]!,
      contentAbs: tf.max(tf.abs(content)).dataSync()[0]!,
    };
  });
  assert.is(tf.memory().numTensors, before, '~> numTensors unchanged');
  assert.ok(stats.sumError < 1e-5, `~> attention sums to 1 (error ${stats.sumError})`);
  assert.ok(stats.min >= -1 && stats.max <= 1, `~> output within [−1, 1] (${stats.min}, ${stats.max})`);
  assert.ok(stats.mixError < 1e-6, '~> y = Σ C_i·A_i + x·A_10');
  assert.ok(stats.contentAbs <= 1, '~> content after tanh');
  x.dispose();
  disposeWeights(weights);
});

runSuite('~> gradients reach every variable and leak nothing', () => {
  const weights = createGeneratorWeights(tf, { ngf: 8, blocks: 1, seed: 13, scope: 'grad' });
  const x = randomImage(1, 16, 14);
  const before = tf.memory().numTensors;
  const { value, grads } = tf.variableGrads(() => tf.mean(tf.abs(tf.sub(runGenerator(tf, weights, x).output, x))) as tfjs.Scalar, weights.variables as tfjs.Variable[]);
  assert.equal(Object.keys(grads).sort(), weights.variables.map((v) => v.name).sort(), '~> one gradient per variable');
  assert.ok(Object.values(grads).every((g) => Number.isFinite(tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0]!))), '~> finite');
  tf.dispose([value, ...Object.values(grads)]);
  assert.is(tf.memory().numTensors, before, '~> no leak');
  x.dispose();
  disposeWeights(weights);
});

runSuite('~> rejects sizes not divisible by 4', () => {
  const weights = createGeneratorWeights(tf, { ngf: 4, blocks: 1, seed: 1, scope: 'bad' });
  const x = randomImage(1, 30, 1);
  assert.throws(() => runGenerator(tf, weights, x), /divisible by 4/);
  x.dispose();
  disposeWeights(weights);
});

runSuite('~> the reference size (ngf 64, 9 blocks) runs a 256² image: output, 10 maps, 27 content channels, no leak', () => {
  const weights = createGeneratorWeights(tf, { ngf: 64, blocks: 9, seed: 5, scope: 'full' });
  const x = randomImage(1, 256, 9);
  const before = tf.memory().numTensors;
  const { output, attention, content } = runGenerator(tf, weights, x);
  assert.equal(output.shape, [1, 256, 256, 3]);
  assert.equal(attention.shape, [1, 256, 256, 10]);
  assert.equal(content.shape, [1, 256, 256, 27]);
  const [low, high] = tf.tidy(() => [tf.min(output).dataSync()[0]!, tf.max(output).dataSync()[0]!]);
  assert.ok(low >= -1 && high <= 1, `~> output in [−1, 1]: [${low}, ${high}]`);
  tf.dispose([output, attention, content]);
  assert.is(tf.memory().numTensors, before, '~> no tensor left behind');
  x.dispose();
  disposeWeights(weights);
});

runSuite.run();

// ---
const upsampleSuite = suite('upsample: resize-conv');

upsampleSuite('~> same parameter count as deconv, conv-shaped kernels, outputs at input resolution', () => {
  const deconv = createGeneratorWeights(tf, { ngf: 64, blocks: 9, seed: 1, scope: 'up-deconv' });
  const resize = createGeneratorWeights(tf, { ngf: 64, blocks: 9, seed: 1, scope: 'up-resize', upsample: 'resize-conv' });
  assert.is(countParameters(resize), countParameters(deconv), '~> parameters');
  assert.equal(resize.deconv1Content.kernel.shape, [3, 3, 256, 128], '~> [kh, kw, in, out]');
  disposeWeights(deconv);
  disposeWeights(resize);
  const tiny = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2]);
  const doubled = upsampleNearest(tf, tiny);
  assert.equal(doubled.shape, [1, 4, 4, 2], '~> ×2 nearest');
  assert.equal(Array.from(doubled.dataSync()).filter((_, i) => i % 2 === 0), [1, 1, 3, 3, 1, 1, 3, 3, 5, 5, 7, 7, 5, 5, 7, 7], '~> each pixel repeated 2×2');
  tf.dispose([tiny, doubled]);
  const small = createGeneratorWeights(tf, { ngf: 4, blocks: 1, seed: 2, scope: 'up-small', upsample: 'resize-conv' });
  const x = randomImage(2, 16, 3);
  const { output, attention, content } = runGenerator(tf, small, x, { noise: { layers: ['c1', 'c2'], position: 'postAct', sigma: 0.1 }, noiseSeed: 4 });
  assert.equal(output.shape, [2, 16, 16, 3]);
  assert.equal(attention.shape, [2, 16, 16, 10]);
  assert.equal(content.shape, [2, 16, 16, 27]);
  tf.dispose([x, output, attention, content]);
  disposeWeights(small);
});

upsampleSuite('~> each output pixel of the up-conv sees all nine taps with resize-conv; 1, 2, 2 or 4 by phase with deconv', () => {
  /** Per 2×2 output phase: how many taps of the kernel get a non-zero gradient from Σ of the layer's output over that phase. */
  const tapsPerPhase = (upsample: 'deconv' | 'resize-conv') => {
    const x = tf.randomUniform([1, 6, 6, 3], 0.1, 1, 'float32', 7) as tfjs.Tensor4D; // positive, so no tap is zero by chance
    const kernel = tf.randomUniform([3, 3, 3, 3], 0.1, 1, 'float32', 8) as tfjs.Tensor4D; // deconv [k, k, out, in], conv [k, k, in, out]
    const bias = tf.zeros([3]) as tfjs.Tensor1D;
    const counts = [0, 1, 2, 3].map((phase) => {
      const grad = tf.tidy(() => {
        const mask = tf.buffer([1, 12, 12, 1]);
        for (let y = 0; y < 12; y += 1) for (let xx = 0; xx < 12; xx += 1) if ((y % 2) * 2 + (xx % 2) === phase) mask.set(1, 0, y, xx, 0);
        const phaseMask = mask.toTensor();
        const g = tf.grad((k: tfjs.Tensor) => {
          const layer = { kernel: k as tfjs.Tensor4D, bias };
          const y = upsample === 'deconv'
            ? convUnit(tf, x, layer, { kind: 'deconv', norm: false }, { mode: 'taped' })
            : convUnit(tf, upsampleNearest(tf, x), layer, { kind: 'conv', pad: 1, padMode: 'reflect', norm: false }, { mode: 'taped' }); // [1, 12, 12, 3]
          return tf.sum(tf.mul(y, phaseMask));
        })(kernel);
        return tf.sum(tf.abs(g), [2, 3]); // [3, 3]: gradient mass per tap
      });
      const taps = Array.from(grad.dataSync()).filter((v) => v > 0).length;
      grad.dispose();
      return taps;
    });
    tf.dispose([x, kernel, bias]);
    return counts;
  };
  assert.equal(tapsPerPhase('resize-conv'), [9, 9, 9, 9], '~> resize-conv: all taps in every phase');
  assert.equal([...tapsPerPhase('deconv')].sort(), [1, 2, 2, 4], '~> deconv: the phases see 1, 2, 2 and 4 taps');
});

upsampleSuite('~> gradients of A10 reach the up-convs from every output phase (resize-conv generator)', () => {
  const weights = createGeneratorWeights(tf, { ngf: 4, blocks: 1, seed: 5, scope: 'phase-grads', upsample: 'resize-conv' });
  const x = randomImage(1, 16, 6);
  for (let phase = 0; phase < 4; phase += 1) {
    const mass = tf.tidy(() => {
      const mask = tf.buffer([1, 16, 16, 1]);
      for (let y = 0; y < 16; y += 1) for (let xx = 0; xx < 16; xx += 1) if ((y % 2) * 2 + (xx % 2) === phase) mask.set(1, 0, y, xx, 0);
      const phaseMask = mask.toTensor();
      const g = tf.grad((k: tfjs.Tensor) => {
        const { attention } = runGenerator(tf, { ...weights, deconv1Attention: { kernel: k as tfjs.Variable<tfjs.Rank.R4>, bias: weights.deconv1Attention.bias } }, x);
        return tf.sum(tf.mul(tf.slice(attention, [0, 0, 0, 9], [1, 16, 16, 1]), phaseMask));
      })(weights.deconv1Attention.kernel);
      return tf.sum(tf.abs(g)).dataSync()[0]!;
    });
    assert.ok(mass > 0, `~> phase ${phase}: gradient mass ${mass}`);
  }
  tf.dispose(x);
  disposeWeights(weights);
});

upsampleSuite('~> attentionActivation leaky-relu: the head is never bias-only; with relu it is wherever every channel is negative', () => {
  // the attention head's unit on x̂ = −1 in every channel: relu gives the bias alone, leaky-relu does not
  const xHat = tf.fill([1, 4, 4, 3], -1) as tfjs.Tensor4D;
  const layer = { kernel: tf.randomUniform([1, 1, 3, 10], 0.1, 1, 'float32', 11) as tfjs.Tensor4D, bias: tf.linspace(0, 0.9, 10) as tfjs.Tensor1D };
  const head = (input: 'relu' | 'leaky') => convUnit(tf, xHat, layer, { kind: 'conv', input, leakySlope: 0.2, norm: false }, { mode: 'taped' });
  const bias = layer.bias.dataSync();
  const relu = head('relu').dataSync();
  const leaky = head('leaky').dataSync();
  assert.ok(Array.from(relu).every((v, i) => Math.abs(v - bias[i % 10]!) < 1e-6), '~> relu: bias-only');
  assert.ok(Array.from(leaky).every((v, i) => Math.abs(v - bias[i % 10]!) > 1e-3), '~> leaky: the features still reach the head');
  tf.dispose([xHat, layer.kernel, layer.bias]);

  // and a whole generator with the leaky attention decoder has no bias-only A10 pixel
  const x = randomImage(1, 16, 9);
  const weights = createGeneratorWeights(tf, { ngf: 4, blocks: 1, seed: 10, scope: 'leak', attentionActivation: 'leaky-relu' });
  const b = weights.deconv3Attention.bias.dataSync();
  const biasOnly = Math.exp(b[9]!) / Array.from(b).reduce((s, v) => s + Math.exp(v), 0);
  const { output, attention, content } = runGenerator(tf, weights, x);
  const a10 = tf.tidy(() => tf.slice(attention, [0, 0, 0, 9], [1, 16, 16, 1]).dataSync());
  assert.is(Array.from(a10).filter((v) => Math.abs(v - biasOnly) <= 1e-6).length, 0, '~> no bias-only pixel');
  tf.dispose([x, output, attention, content]);
  disposeWeights(weights);
});

upsampleSuite.run();

// ---
const contentSuite = suite("content: 'residual'");

contentSuite('~> same parameters as direct; with the content head at zero each candidate is 0.999·x (direct: 0), in (−1, 1) on any input', () => {
  const residual = createGeneratorWeights(tf, { ngf: 8, blocks: 1, seed: 21, scope: 'content-residual', upsample: 'resize-conv', content: 'residual' });
  const direct = createGeneratorWeights(tf, { ngf: 8, blocks: 1, seed: 21, scope: 'content-direct', upsample: 'resize-conv' });
  assert.is(countParameters(residual), countParameters(direct), '~> parameter count');
  for (const w of [residual, direct]) tf.tidy(() => { w.deconv3Content.kernel.assign(tf.zerosLike(w.deconv3Content.kernel)); w.deconv3Content.bias.assign(tf.zerosLike(w.deconv3Content.bias)); });
  const x = tf.tidy(() => tf.concat([randomImage(1, 16, 22), tf.fill([1, 16, 16, 3], 1), tf.fill([1, 16, 16, 3], -1)], 0) as tfjs.Tensor4D); // [3, 16, 16, 3], ±1 included
  const expected = tf.tidy(() => tf.tile(tf.mul(x, RESIDUAL_INPUT_SCALE), [1, 1, 1, 9]).dataSync());
  const r = runGenerator(tf, residual, x);
  const d = runGenerator(tf, direct, x);
  const content = r.content.dataSync();
  let worst = 0;
  content.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - expected[i]!)); });
  assert.ok(worst <= 1e-5, `~> candidates equal 0.999·x (worst ${worst})`);
  assert.ok(d.content.dataSync().every((v) => v === 0), '~> direct candidates are tanh(0) = 0');
  assert.ok(content.every((v) => v > -1 && v < 1), '~> inside (−1, 1), at x = ±1 too');
  tf.dispose([x, r.output, r.attention, r.content, d.output, d.attention, d.content]);
  disposeWeights(residual);
  disposeWeights(direct);
});

contentSuite('~> gradients reach every variable and the input through the candidates; fused units equal the composed ops (1e-5)', () => {
  if (tf.getKernel('Conv2DBackpropFilter', tf.getBackend()) === undefined) return;
  const weights = createGeneratorWeights(tf, { ngf: 8, blocks: 1, seed: 23, scope: 'content-grad', upsample: 'resize-conv', attentionActivation: 'leaky-relu', attentionPrior: 0.5, content: 'residual' });
  const x = randomImage(1, 16, 24);
  const before = tf.memory().numTensors;
  const gradients = (units: 'fused' | 'taped') => tf.tidy(() => {
    const { grads } = tf.variableGrads(() => {
      const { output, content } = runGenerator(tf, weights, x, { units });
      return tf.add(tf.mean(tf.square(output)), tf.mean(tf.square(content))) as tfjs.Scalar;
    }, weights.variables as tfjs.Variable[]);
    // this loss reads only the candidates, so x's gradient is the residual path's alone
    const dx = tf.grad((input: tfjs.Tensor) => tf.mean(tf.square(runGenerator(tf, weights, input as tfjs.Tensor4D, { units }).content)))(x);
    return [...weights.variables.map((v) => Array.from(grads[v.name]!.dataSync())), Array.from(dx.dataSync())];
  });
  const fused = gradients('fused');
  const taped = gradients('taped');
  assert.is(tf.memory().numTensors, before, '~> no leak');
  const dx = fused[fused.length - 1]!;
  assert.ok(dx.some((v) => Math.abs(v) > 1e-6), '~> the input gets a gradient through the candidates');
  fused.forEach((g, i) => {
    const name = i < weights.variables.length ? weights.variables[i]!.name : 'x';
    assert.ok(g.every(Number.isFinite), `~> ${name} finite`);
    g.forEach((v, j) => assert.ok(Math.abs(v - taped[i]![j]!) <= 1e-5 * Math.max(1, Math.abs(taped[i]![j]!)), `~> ${name}[${j}]: ${v} vs ${taped[i]![j]}`));
  });
  x.dispose();
  disposeWeights(weights);
});

contentSuite.run();
