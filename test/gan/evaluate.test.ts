/**
 * Probe scores with hand-built generators whose answers are known exactly: the identity has NMC error 0
 * and no diversity; a generator that paints only the mask with a seed-dependent colour, attending exactly
 * there, has NMC error 0, IoU 1 and diversity only inside; a uniform shift of 0.2 ([−1, 1] units) is an NMC
 * error of 0.1; an attention twice the mask's area has IoU 0.5; noise everywhere has ratio 1. Nothing leaks,
 * and a generator returning the wrong shape is named.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type * as tfjs from '@tensorflow/tfjs';
import { detectBackendKind, loadTensorflow } from '../../src/kit/tf-backend.js';
import { attentionIoU, evaluateProbe, type GenerateFn } from '../../src/gan/evaluate.js';

const tf = await loadTensorflow(detectBackendKind());
const [N, S] = [2, 8];

/** Probe images in [−0.5, 0.5), so a shift of 0.2 never leaves [−1, 1]. */
const x = tf.randomUniform([N, S, S, 3], -0.5, 0.5, 'float32', 11) as tfjs.Tensor4D;
/** Mask region rows 2..5, columns 1..6 (24 px per image): keep 0 there, 1 elsewhere. */
const keep = tf.tidy(() => {
  const data = new Float32Array(N * S * S).map((_, p) => {
    const [y, c] = [Math.floor(p / S) % S, p % S];
    return y >= 2 && y <= 5 && c >= 1 && c <= 6 ? 0 : 1;
  });
  return tf.tensor4d(data, [N, S, S, 1]);
});
const probe = { images: x, keep };

/** Attention [N, S, S, 10]: A10 = background, A1 = 1 − background. */
function attentionFrom(background: tfjs.Tensor4D): tfjs.Tensor4D {
  return tf.concat([tf.sub(1, background), tf.zeros([N, S, S, 8]), background], 3) as tfjs.Tensor4D;
}

/** A colour in [−1, 1] from a noise seed. */
const colourOf = (seed: number): number => ((seed % 1000) / 1000) * 2 - 1;

const close = (actual: number, expected: number, label: string) => assert.ok(Math.abs(actual - expected) < 1e-5, `${label}: ${actual} vs ${expected}`);

// ---
const evaluateSuite = suite('evaluateProbe');

evaluateSuite('~> identity generator: NMC error 0, attention finds nothing, no diversity', () => {
  const identity: GenerateFn = (input) => ({ output: input.clone(), attention: attentionFrom(tf.onesLike(keep)) });
  const m = evaluateProbe(tf, identity, probe);
  assert.is(m.nmcError, 0, '~> nmcError');
  assert.is(m.attentionIoU, 0, '~> IoU');
  assert.is(m.diversityInside, 0, '~> inside');
  assert.is(m.diversityOutside, 0, '~> outside');
  assert.ok(Number.isNaN(m.diversityRatio), '~> ratio undefined');
});

evaluateSuite('~> a generator painting only the mask, attending there: NMC 0, IoU 1, diversity only inside', () => {
  const seeds: number[] = [];
  const painter: GenerateFn = (input, noiseSeed) => {
    seeds.push(noiseSeed);
    const output = tf.add(tf.mul(input, keep), tf.mul(tf.sub(1, keep), colourOf(noiseSeed))) as tfjs.Tensor4D;
    tf.ones([4, 4]); // a stray tensor the callback does not return: must be disposed, not leaked
    return { output, attention: attentionFrom(keep) };
  };
  const before = tf.memory().numTensors;
  const m = evaluateProbe(tf, painter, probe, { samples: 3, seed: 5 });
  assert.is(tf.memory().numTensors, before, '~> no leaked tensors');
  assert.is(seeds.length, 4, '~> one pass for the output, three samples');
  assert.is(new Set(seeds).size, 4, '~> distinct noise seeds');
  assert.is(m.nmcError, 0, '~> nmcError');
  assert.is(m.attentionIoU, 1, '~> IoU');
  const [a, b, c] = seeds.slice(1).map(colourOf) as [number, number, number];
  close(m.diversityInside, (Math.abs(a - b) + Math.abs(a - c) + Math.abs(b - c)) / 3 / 2, '~> inside');
  assert.is(m.diversityOutside, 0, '~> outside');
  assert.is(m.diversityRatio, Infinity, '~> ratio');
  const first = seeds.splice(0);
  evaluateProbe(tf, painter, probe, { samples: 3, seed: 5 });
  assert.equal(seeds, first, '~> same seed, same noise seeds');
});

evaluateSuite('~> a uniform shift of 0.2 is an NMC error of 0.1; noise everywhere has ratio 1', () => {
  const shift: GenerateFn = (input, noiseSeed) => ({ output: tf.add(input, 0.2 + colourOf(noiseSeed) * 0.1) as tfjs.Tensor4D, attention: attentionFrom(tf.zerosLike(keep)) });
  const m = evaluateProbe(tf, shift, probe, { samples: 2 });
  const first = evaluateProbe(tf, shift, probe, { samples: 0 });
  assert.ok(m.nmcError > 0, '~> nmcError');
  close(m.diversityRatio, 1, '~> ratio');
  assert.ok(Number.isNaN(first.diversityInside), '~> no samples, no diversity');
  const plain = evaluateProbe(tf, (input) => ({ output: tf.add(input, 0.2) as tfjs.Tensor4D, attention: attentionFrom(keep) }), probe);
  close(plain.nmcError, 0.1, '~> nmcError of a 0.2 shift');
});

evaluateSuite('~> a generator returning the wrong shape is named', () => {
  const bad: GenerateFn = (input) => ({ output: tf.slice(input, [0, 0, 0, 0], [N, S, S, 1]) as tfjs.Tensor4D, attention: attentionFrom(keep) });
  const before = tf.memory().numTensors;
  assert.throws(() => evaluateProbe(tf, bad, probe), /generate\(x\)\.output expected \[2, 8, 8, 3\], received \[2, 8, 8, 1\]/);
  assert.is(tf.memory().numTensors, before, '~> no leaked tensors after the error');
});

evaluateSuite.run();

// ---
const iouSuite = suite('attentionIoU');

iouSuite('~> attention over twice the mask area has IoU 0.5; the threshold applies to 1 − A10', () => {
  const rows = tf.tidy(() => {
    const data = new Float32Array(N * S * S).map((_, p) => (Math.floor(p / S) % S >= 2 && Math.floor(p / S) % S <= 7 ? 0.3 : 1)); // 48 px per image
    return attentionFrom(tf.tensor4d(data, [N, S, S, 1]));
  });
  close(attentionIoU(tf, rows, keep), 24 / 48, '~> 24 / 48');
  assert.is(attentionIoU(tf, rows, keep, 0.8), 0, '~> 1 − 0.3 = 0.7 is not above 0.8');
  rows.dispose();
});

iouSuite.run();
