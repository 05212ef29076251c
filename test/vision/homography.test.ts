/**
 * The homography fit recovers a known projective transform from six point pairs (exactly without noise,
 * within a pixel with small noise, checked over a whole 256² grid), refuses degenerate input with a
 * clear message, and the Jacobi eigen solver and inverse it rests on are checked directly.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  applyHomography,
  decomposeSymmetricEigen,
  fitHomography,
  invertHomography,
  type HomographyLike,
} from '../../src/vision/homography.js';
import { createRng } from '../../src/kit/prng.js';
import type { Point } from '../../src/vision/types.js';

/** A clearly projective transform (non-zero h6, h7) that keeps a 256² grid in front of the camera. */
const TRUE_H = [1.1, 0.2, 10, -0.1, 0.9, 20, 0.0008, -0.0005, 1] as const;

/** Six template-like points spread over the grid (same a,b,c,f,e,d layout as a mask). */
const FROM: readonly Point[] = [[20, 60], [128, 15], [236, 60], [230, 190], [128, 240], [25, 190]];

/** The largest distance between H·p and TRUE_H·p over every integer point of a 256² grid. */
function maxGridError(h: HomographyLike): number {
  let worst = 0;
  for (let y = 0; y < 256; y++) {
    for (let x = 0; x < 256; x++) {
      const [ax, ay] = applyHomography(h, [x, y]);
      const [bx, by] = applyHomography(TRUE_H, [x, y]);
      worst = Math.max(worst, Math.hypot(ax - bx, ay - by));
    }
  }
  return worst;
}

// ---
const fit = suite('fitHomography');

fit('recovers a known projective transform from 6 noise-free points', () => {
  const to = FROM.map((p) => applyHomography(TRUE_H, p));
  const h = fitHomography(FROM, to);
  assert.is(h.length, 9, '~> 3×3');
  assert.ok(Math.abs(h[8]! - 1) < 1e-12, '~> scaled so h8 = 1');
  const err = maxGridError(h);
  assert.ok(err < 0.5, `~> grid error ${err} < 0.5 px`);
  assert.ok(err < 1e-6, `~> essentially exact: ${err}`);
});

fit('stays within a pixel over the grid with σ = 0.1 px noise on the targets', () => {
  const rng = createRng(7);
  const to = FROM.map((p): Point => {
    const [x, y] = applyHomography(TRUE_H, p);
    return [x + 0.1 * rng.normal(), y + 0.1 * rng.normal()];
  });
  const err = maxGridError(fitHomography(FROM, to));
  assert.ok(err < 1, `~> grid error ${err} < 1 px`);
});

fit('fits exactly 4 points in general position', () => {
  const from: Point[] = [[0, 0], [100, 0], [100, 100], [0, 100]];
  const to = from.map((p) => applyHomography(TRUE_H, p));
  const h = fitHomography(from, to);
  for (let i = 0; i < 4; i++) {
    const [x, y] = applyHomography(h, from[i]!);
    assert.ok(Math.hypot(x - to[i]![0], y - to[i]![1]) < 1e-8, `~> corner ${i}`);
  }
});

fit('throws on fewer than 4 points', () => {
  assert.throws(() => fitHomography([[0, 0], [1, 0], [0, 1]], [[0, 0], [1, 0], [0, 1]]), /expected at least 4 point correspondences, received 3/);
});

fit('throws on mismatched lengths and non-finite coordinates', () => {
  assert.throws(() => fitHomography(FROM, FROM.slice(1)), /expected 'from' and 'to' of equal length, received 6 and 5/);
  const bad: Point[] = [...FROM.slice(0, 5), [Number.NaN, 3]];
  assert.throws(() => fitHomography(bad, FROM), /expected finite coordinates, received \[NaN, 3\] at from\[5\]/);
});

fit('throws on collinear points, on either side', () => {
  const line: Point[] = [[0, 0], [10, 5], [20, 10], [30, 15], [40, 20]];
  const spread: Point[] = [[0, 0], [50, 0], [50, 50], [0, 50], [25, 80]];
  assert.throws(() => fitHomography(line, spread), /expected 'from' points not all on one line, received 5 collinear/);
  assert.throws(() => fitHomography(spread, line), /expected 'to' points not all on one line/);
});

fit('throws when 3 of 4 points are collinear (the homography is not unique)', () => {
  const from: Point[] = [[0, 0], [50, 0], [100, 0], [0, 100]];
  const to: Point[] = [[0, 0], [50, 0], [100, 0], [10, 90]];
  assert.throws(() => fitHomography(from, to), /expected 4 correspondences in general position.*received a degenerate set/);
});

fit.run();

// ---
const apply = suite('applyHomography');

apply('applies a translation and a perspective division', () => {
  assert.equal(applyHomography([1, 0, 5, 0, 1, -3, 0, 0, 1], [2, 4]), [7, 1]);
  assert.equal(applyHomography([2, 0, 0, 0, 2, 0, 0, 0, 2], [2, 4]), [2, 4], '~> scale-free');
  const [x, y] = applyHomography([1, 0, 0, 0, 1, 0, 0.01, 0, 1], [100, 50]);
  assert.is(x, 50, '~> x / w with w = 2');
  assert.is(y, 25, '~> y / w');
});

apply.run();

// ---
const invert = suite('invertHomography');

invert('round-trips points and composes to the identity', () => {
  const inv = invertHomography(TRUE_H);
  for (const p of FROM) {
    const [x, y] = applyHomography(inv, applyHomography(TRUE_H, p));
    assert.ok(Math.hypot(x - p[0], y - p[1]) < 1e-9, `~> round trip of ${p.join(',')}`);
  }
  assert.ok(Math.abs(inv[8]! - 1) < 1e-12, '~> scaled so h8 = 1');
});

invert('throws on a singular matrix', () => {
  assert.throws(() => invertHomography([1, 2, 3, 2, 4, 6, 0, 0, 1]), /expected a non-singular 3×3 matrix, received one with determinant 0/);
  assert.throws(() => invertHomography([1, 0, 0]), /expected 9 entries/);
});

invert.run();

// ---
const eigen = suite('decomposeSymmetricEigen');

eigen('reconstructs a symmetric matrix from sorted orthonormal eigenpairs', () => {
  const rng = createRng(3);
  const n = 6;
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) m[i * n + j] = m[j * n + i] = rng.range(-5, 5);
  const { values, vectors } = decomposeSymmetricEigen(m, n);
  for (let i = 1; i < n; i++) assert.ok(values[i - 1]! <= values[i]!, '~> ascending');
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let dot = 0;
      let rebuilt = 0;
      for (let k = 0; k < n; k++) {
        dot += vectors[i]![k]! * vectors[j]![k]!;
        rebuilt += values[k]! * vectors[k]![i]! * vectors[k]![j]!;
      }
      assert.ok(Math.abs(dot - (i === j ? 1 : 0)) < 1e-12, `~> orthonormal ${i},${j}`);
      assert.ok(Math.abs(rebuilt - m[i * n + j]!) < 1e-10, `~> V Λ Vᵀ = M at ${i},${j}`);
    }
  }
});

eigen('knows a 2×2 by hand: [[2,1],[1,2]] has eigenvalues 1 and 3', () => {
  const { values, vectors } = decomposeSymmetricEigen([2, 1, 1, 2], 2);
  assert.ok(Math.abs(values[0]! - 1) < 1e-14 && Math.abs(values[1]! - 3) < 1e-14, '~> values');
  assert.ok(Math.abs(Math.abs(vectors[0]![0]!) - Math.SQRT1_2) < 1e-14, '~> (1,−1)/√2');
  assert.ok(Math.abs(vectors[0]![0]! + vectors[0]![1]!) < 1e-14, '~> opposite signs');
});

eigen.run();
