/**
 * The collapse score (collapse-score.ts) on constructed A₁₀ maps: none dead, one dead 2×2 phase, all dead,
 * and the bias-only value from the head's biases.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { biasOnlyBackground, collapseScore } from '../../src/gan/collapse-score.js';

const test = suite('collapse-score');
const N = 2;
const H = 4;
const W = 6;

/** A map whose pixel (b, y, x) is `value(b, y, x)`. */
const map = (value: (b: number, y: number, x: number) => number) => {
  const out = new Float32Array(N * H * W);
  for (let b = 0; b < N; b += 1) for (let y = 0; y < H; y += 1) for (let x = 0; x < W; x += 1) out[(b * H + y) * W + x] = value(b, y, x);
  return out;
};

test('no dead pixel, one dead phase, all dead', () => {
  const bias = 0.25;
  const live = collapseScore(map((b, y, x) => 0.5 + 0.01 * (b + y + x)), [N, H, W], bias);
  assert.equal(live, { phases: [0, 0, 0, 0], dead: 0 });
  const onePhase = collapseScore(map((_b, y, x) => (y % 2 === 1 && x % 2 === 0 ? bias : 0.9)), [N, H, W], bias);
  assert.equal(onePhase, { phases: [0, 0, 1, 0], dead: 0.25 });
  const all = collapseScore(map(() => bias), [N, H, W], bias);
  assert.equal(all, { phases: [1, 1, 1, 1], dead: 1 });
  const nearly = collapseScore(map(() => bias + 5e-7), [N, H, W], bias);
  assert.is(nearly.dead, 1, '~> within the tolerance counts as dead');
});

test('the bias-only background is softmax(bias)[last]', () => {
  const bias = [0.1, -0.3, 2, 0.7];
  const exp = bias.map(Math.exp);
  assert.ok(Math.abs(biasOnlyBackground(bias) - exp[3]! / exp.reduce((s, v) => s + v, 0)) < 1e-12);
  assert.ok(Math.abs(biasOnlyBackground([1000, 1000]) - 0.5) < 1e-12, '~> stable for large logits');
});

test('names a map of the wrong size', () => {
  assert.throws(() => collapseScore(new Float32Array(5), [N, H, W], 0.1), /expected 2×4×6 = 48 values, received 5/);
});

test.run();
