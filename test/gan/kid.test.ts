/**
 * KID (kid.ts): identical sets score 0 within the spread over subsets; two 1-d Gaussian sets N(0, 1) and
 * N(1, 1) score the hand-computed MMD² of the cubic kernel k(x, y) = (xy + 1)³ (independent draws, so
 * E (xy)ⁿ = E xⁿ · E yⁿ; E y = 1, E y² = 2, E y³ = 4):
 *   E k(x, x′) = 3·1 + 1 = 4,  E k(y, y′) = 4² + 3·2² + 3·1² + 1 = 32,  E k(x, y) = 3·1·2 + 1 = 7
 *   →  MMD² = 4 + 32 − 2·7 = 22;
 * a tiny set checks the unbiased formula term by term; bad input is named.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng } from '../../src/kit/prng.js';
import { kernelInceptionDistance, mmd2Unbiased } from '../../src/gan/kid.js';

const test = suite('kid');

test('identical feature sets give 0 within the spread over subsets', () => {
  const rng = createRng(1);
  const set = Array.from({ length: 3000 }, () => Float32Array.from({ length: 16 }, () => rng.normal()));
  const kid = kernelInceptionDistance(set, set, { subsets: 20, subsetSize: 100, seed: 3 });
  assert.ok(Math.abs(kid.mean) <= 2 * kid.std + 1e-12, `~> |${kid.mean}| ≤ 2·${kid.std}`);
  assert.is(kid.subsets, 20);
  assert.is(kid.subsetSize, 100);
});

test('a known shift of 1-d Gaussians gives the hand-computed MMD² (22)', () => {
  const rng = createRng(7);
  const x = Array.from({ length: 16000 }, () => [rng.normal()]);
  const y = Array.from({ length: 16000 }, () => [1 + rng.normal()]);
  const kid = kernelInceptionDistance(x, y, { subsets: 8, subsetSize: 2000, seed: 1 });
  // one estimate at 2,000 per set scatters by ≈ 1.0 (measured over seeds); the mean of 8 by ≈ 0.5
  assert.ok(Math.abs(kid.mean - 22) < 1.5, `~> ${kid.mean} ≈ 22`);
});

test('the unbiased estimate, term by term, on three points each', () => {
  const x = [[0], [1], [2]];
  const y = [[1], [1], [-1]];
  const k = (p: number, q: number) => (p * q + 1) ** 3;
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let i = 0; i < 3; i += 1) {
    for (let j = 0; j < 3; j += 1) {
      if (i !== j) {
        xx += k(x[i]![0]!, x[j]![0]!);
        yy += k(y[i]![0]!, y[j]![0]!);
      }
      xy += k(x[i]![0]!, y[j]![0]!);
    }
  }
  assert.ok(Math.abs(mmd2Unbiased(x, y, 1) - (xx / 6 + yy / 6 - (2 * xy) / 9)) < 1e-12);
  const whole = kernelInceptionDistance(x, y, { subsets: 1, subsetSize: 3 });
  assert.ok(Math.abs(whole.mean - mmd2Unbiased(x, y, 1)) < 1e-12, '~> a subset of all of each set is the whole estimate');
  assert.is(whole.std, 0);
});

test('is seeded, and names bad input', () => {
  const rng = createRng(2);
  const a = Array.from({ length: 50 }, () => [rng.normal(), rng.normal()]);
  const b = Array.from({ length: 50 }, () => [rng.normal() + 1, rng.normal()]);
  assert.equal(kernelInceptionDistance(a, b, { subsets: 5, subsetSize: 20, seed: 9 }), kernelInceptionDistance(a, b, { subsets: 5, subsetSize: 20, seed: 9 }));
  assert.throws(() => kernelInceptionDistance(a, [[1]], {}), /at least 2 vectors/);
  assert.throws(() => kernelInceptionDistance(a, [[1, 2], [3]], {}), /b\[1\] expected 2 values, received 1/);
  assert.throws(() => kernelInceptionDistance(a, b, { subsetSize: 60 }), /subsetSize expected an integer in \[2, 50\], received 60/);
});

test.run();
