/**
 * Face geometry on a hand-made, left-right symmetric frontal face (68 iBUG points written out below, on
 * a 200×200 canvas with the face axis at x = 100), whose anchors are worked out by hand in comments.
 * Rotating the face rotates the anchors and the roll estimate; moving the nose changes tilt and yaw.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  chooseTemplateVariant,
  computeMaskAnchors,
  computeTilt,
  estimateRollDeg,
  estimateYawDeg,
  eyeCentres,
  listAnchorPoints,
} from '../../src/vision/face-geometry.js';
import type { Landmarks68, MaskAnchors, Point } from '../../src/vision/types.js';
import { SYNTHETIC_FACE } from '../helpers/synthetic-face.js';

/**
 * The synthetic face. Jaw 0..16 is a U from (40,80) down to the chin (100,174) and up to (160,80).
 * Eye centres: mean(36..41) = (450/6, 480/6) = (75, 80); mean(42..47) = (125, 80); eye line y = 80.
 * Nose bridge 27 (100,80) → 30 (100,112): nose length 32.
 * Bottom lip {54..59, 48, 60, 64..67}: x sum 1200 → mean x 100; y sum 1727 → mean y 143.92; lowest y 150 (57).
 */
const FACE: Landmarks68 = SYNTHETIC_FACE; // written out in test/helpers/synthetic-face.ts

/**
 * Expected anchors, by hand:
 * b = midpoint(27, 30) = (100, 96).
 * a/c: y = 80 + 32 = 112 crosses segment 2–3 (43,110)–(46,125) at x = 43 + 3·(2/15) = 43.4, and by
 *   symmetry segment 13–14 at x = 200 − 43.4 = 156.6. (Neighbouring segments miss even with 1 px slack:
 *   1–2 ends at y = 110 < 111, 3–4 starts at y = 125 > 113.)
 * d/f: y = 150 (lowest bottom-lip y) crosses segment 4–5 (50,140)–(56,152) at x = 50 + 6·(10/12) = 55,
 *   and segment 11–12 at x = 145.
 * e: the face axis (27 → lip mean) and the perpendicular through (100, 96) are both x = 100, which meets
 *   the jaw at the chin point 8, (100, 174); the mean of the two is (100, 174).
 */
const EXPECTED: MaskAnchors = { a: [43.4, 112], b: [100, 96], c: [156.6, 112], d: [55, 150], e: [100, 174], f: [145, 150] };

function rotate(points: readonly Point[], deg: number, centre: Point = [100, 100]): Point[] {
  const t = (deg * Math.PI) / 180;
  const [c, s] = [Math.cos(t), Math.sin(t)];
  return points.map(([x, y]) => {
    const dx = x - centre[0];
    const dy = y - centre[1];
    return [centre[0] + c * dx - s * dy, centre[1] + s * dx + c * dy];
  });
}

function withPoint(face: Landmarks68, index: number, p: Point): Point[] {
  return face.map((q, i) => (i === index ? p : q));
}

function assertClose(actual: Point, expected: Point, tol: number, label: string): void {
  const err = Math.hypot(actual[0] - expected[0], actual[1] - expected[1]);
  assert.ok(err <= tol, `${label}: [${actual.join(', ')}] vs [${expected.join(', ')}] (off by ${err})`);
}

// ---
const centres = suite('eyeCentres');

centres('averages 36..41 and 42..47', () => {
  const { left, right } = eyeCentres(FACE);
  assertClose(left, [75, 80], 1e-12, '~> left');
  assertClose(right, [125, 80], 1e-12, '~> right');
});

centres('rejects a landmark list that is not 68 points', () => {
  assert.throws(() => eyeCentres(FACE.slice(0, 5)), /expected 68 landmarks \(iBUG layout\), received 5/);
});

centres.run();

// ---
const anchors = suite('computeMaskAnchors');

anchors('matches the hand-computed anchors of the synthetic frontal face', () => {
  const got = computeMaskAnchors(FACE, 200);
  for (const key of ['a', 'b', 'c', 'd', 'e', 'f'] as const) assertClose(got[key], EXPECTED[key], 1e-9, `~> ${key}`);
});

anchors('rotating the face by 10° rotates the anchors with it (within 1 px)', () => {
  const got = computeMaskAnchors(rotate(FACE, 10), 200);
  const want = rotate(listAnchorPoints(EXPECTED), 10);
  listAnchorPoints(got).forEach((p, i) => assertClose(p, want[i]!, 1, `~> anchor ${'abcfed'[i]}`));
});

anchors('falls back to an ellipse through the jaw when the cheek line misses it', () => {
  // Jaw points on the ellipse x = 100 + 60 cos θ, y = 100 + 74 sin θ, from θ = π − θ0 to θ0 with
  // sin θ0 = 20/74, so the jaw starts at y = 120, below the cheek line y = 112. The ellipse meets
  // y = 112 at x = 100 ± 60·√(1 − (12/74)²) = 100 ± 59.21.
  const theta0 = Math.asin(20 / 74);
  const jaw = Array.from({ length: 17 }, (_, i): Point => {
    const theta = Math.PI - theta0 - (i * (Math.PI - 2 * theta0)) / 16;
    return [100 + 60 * Math.cos(theta), 100 + 74 * Math.sin(theta)];
  });
  const face = FACE.map((p, i) => (i < 17 ? jaw[i]! : p));
  const got = computeMaskAnchors(face, 200);
  const half = 60 * Math.sqrt(1 - (12 / 74) ** 2);
  // The sampled polyline cuts chords: within its sagitta, 74·(1 − cos 0.1) ≈ 0.37 px, plus slack.
  assertClose(got.a, [100 - half, 112], 1, '~> a on the ellipse');
  assertClose(got.c, [100 + half, 112], 1, '~> c on the ellipse');
});

anchors('falls back to jaw points 0 and 16 when neither the jaw nor an ellipse is crossed', () => {
  // A straight, horizontal jaw (y = 170): no conic is an ellipse through it and the cheek line y = 112 misses it.
  const face = FACE.map((p, i): Point => (i < 17 ? [40 + 7.5 * i, 170] : p));
  const got = computeMaskAnchors(face, 200);
  assert.equal(got.a, face[0], '~> a = jaw 0');
  assert.equal(got.c, face[16], '~> c = jaw 16');
});

anchors('rejects a bad image width', () => {
  assert.throws(() => computeMaskAnchors(FACE, 0), /expected a positive image width, received 0/);
});

anchors.run();

// ---
const order = suite('listAnchorPoints');

order('lists a, b, c, f, e, d like masks.cfg', () => {
  assert.equal(listAnchorPoints(EXPECTED), [EXPECTED.a, EXPECTED.b, EXPECTED.c, EXPECTED.f, EXPECTED.e, EXPECTED.d]);
});

order.run();

// ---
const tilt = suite('computeTilt');

tilt('is 0 for the frontal face and unchanged by rotating it', () => {
  assert.ok(Math.abs(computeTilt(FACE)) < 1e-9, '~> frontal');
  assert.ok(Math.abs(computeTilt(rotate(FACE, 10))) < 1e-9, '~> rotated');
});

tilt('measures the nose line against the face axis', () => {
  // Nose tip moved to (120, 112): 27→30 = (20, 32), atan(32/20) = 57.9946°; the axis is vertical, 90°.
  const got = computeTilt(withPoint(FACE, 30, [120, 112]));
  assert.ok(Math.abs(got - (57.9946 - 90)) < 1e-3, `~> ${got} ≈ −32.005`);
  // Mirrored, (80, 112): 180° − 57.9946° = 122.0054° → +32.005.
  assert.ok(Math.abs(computeTilt(withPoint(FACE, 30, [80, 112])) - 32.0054) < 1e-3, '~> mirrored');
});

tilt.run();

// ---
const variant = suite('chooseTemplateVariant');

variant('picks right below −13°, left above 13°, frontal between', () => {
  assert.is(chooseTemplateVariant(-32), 'right');
  assert.is(chooseTemplateVariant(32), 'left');
  assert.is(chooseTemplateVariant(13), 'frontal', '~> the threshold itself is frontal');
  assert.is(chooseTemplateVariant(-13), 'frontal');
  assert.is(chooseTemplateVariant(10, 5), 'left', '~> custom threshold');
  assert.is(chooseTemplateVariant(computeTilt(withPoint(FACE, 30, [120, 112]))), 'right', '~> nose to image right');
});

variant.run();

// ---
const roll = suite('estimateRollDeg');

roll('is the rotation applied to the face', () => {
  assert.ok(Math.abs(estimateRollDeg(FACE)) < 1e-9, '~> level');
  for (const deg of [10, -10, 25]) {
    const got = estimateRollDeg(rotate(FACE, deg));
    assert.ok(Math.abs(got - deg) < 0.5, `~> ${got} ≈ ${deg}`);
  }
});

roll.run();

// ---
const yaw = suite('estimateYawDeg');

yaw('is asin of the nose offset over half the jaw width', () => {
  assert.ok(Math.abs(estimateYawDeg(FACE)) < 1e-9, '~> frontal');
  // Jaw 0/16 at x = 40 and 160: midpoint 100, half width 60. Nose tip at x = 130 → asin(30/60) = 30°.
  const turned = withPoint(FACE, 30, [130, 112]);
  assert.ok(Math.abs(estimateYawDeg(turned) - 30) < 1e-9, '~> jaw reference');
  assert.ok(Math.abs(estimateYawDeg(rotate(turned, 10)) - 30) < 1e-9, '~> roll-corrected');
  // Eye corners 36/45 at x = 65 and 135: half width 35 → asin(30/35) = 58.997°.
  assert.ok(Math.abs(estimateYawDeg(turned, { reference: 'eye-corners' }) - 58.997) < 1e-3, '~> eye corners');
  assert.ok(estimateYawDeg(withPoint(FACE, 30, [80, 112])) < 0, '~> negative towards image left');
});

yaw.run();
