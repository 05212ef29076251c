/**
 * Face alignment on synthetic pictures: two bright dots stand in for the eyes (with a landmark set
 * around them), a third for the nose tip; after alignment the eye dots sit at the canonical positions and
 * every landmark moved with the pixels. Border fills and the affine helpers are checked too.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { alignFace, applyAffine, eyeTransform, invertAffine, warpAffine, type Affine } from '../../src/vision/align.js';
import type { Landmarks68, Point, RawImage } from '../../src/vision/types.js';

const BACKGROUND = 90;

/** A gray RGB picture with 3×3 white dots centred on `dots`. */
function makeDotImage(width: number, height: number, dots: readonly Point[]): RawImage {
  const data = new Uint8Array(width * height * 3).fill(BACKGROUND);
  for (const [cx, cy] of dots) {
    for (let y = cy - 1; y <= cy + 1; y += 1) for (let x = cx - 1; x <= cx + 1; x += 1) data.fill(255, (y * width + x) * 3, (y * width + x) * 3 + 3);
  }
  return { width, height, channels: 3, data };
}

/** 68 landmarks: a hexagon around each eye dot, everything else on a line below; 30 is the nose tip. */
function makeLandmarks(left: Point, right: Point, nose: Point): Landmarks68 {
  const points: Point[] = Array.from({ length: 68 }, (_, i) => [left[0] + i, nose[1] + 20] as const);
  for (let k = 0; k < 6; k += 1) {
    const angle = (k * Math.PI) / 3;
    points[36 + k] = [left[0] + 6 * Math.cos(angle), left[1] + 3 * Math.sin(angle)];
    points[42 + k] = [right[0] + 6 * Math.cos(angle), right[1] + 3 * Math.sin(angle)];
  }
  points[30] = nose;
  return points;
}

/** Centroid of the pixels brighter than the background within `radius` of `near`. */
function brightCentroid(image: RawImage, near: Point, radius: number): Point {
  let sx = 0;
  let sy = 0;
  let sw = 0;
  for (let y = Math.max(0, Math.floor(near[1] - radius)); y <= Math.min(image.height - 1, Math.ceil(near[1] + radius)); y += 1) {
    for (let x = Math.max(0, Math.floor(near[0] - radius)); x <= Math.min(image.width - 1, Math.ceil(near[0] + radius)); x += 1) {
      const w = Math.max(0, image.data[(y * image.width + x) * image.channels]! - BACKGROUND);
      sx += w * x;
      sy += w * y;
      sw += w;
    }
  }
  return [sx / sw, sy / sw];
}

const distance = (p: Point, q: Point): number => Math.hypot(p[0] - q[0], p[1] - q[1]);

// ---

const align = suite('alignFace');

align('puts tilted eye dots at the canonical positions, within 1 px', () => {
  const left: Point = [70, 60];
  const right: Point = [124, 82]; // ~22° roll
  const nose: Point = [90, 110];
  const image = makeDotImage(200, 160, [left, right, nose]);
  const size = 96;
  const aligned = alignFace(image, makeLandmarks(left, right, nose), { size });
  assert.is(aligned.image.width, size, '~> width');
  assert.is(aligned.image.height, size, '~> height');
  assert.is(aligned.image.channels, 3, '~> channels kept');
  const canonicalLeft: Point = [(0.5 - 0.18) * size - 0.5, 0.4 * size - 0.5];
  const canonicalRight: Point = [(0.5 + 0.18) * size - 0.5, 0.4 * size - 0.5];
  assert.ok(distance(brightCentroid(aligned.image, canonicalLeft, 4), canonicalLeft) < 1, '~> left eye dot');
  assert.ok(distance(brightCentroid(aligned.image, canonicalRight, 4), canonicalRight) < 1, '~> right eye dot');
  assert.ok(distance(applyAffine(aligned.transform, left), canonicalLeft) < 1e-9, '~> transform maps the eye centre exactly');
  const noseInCrop = aligned.landmarks[30]!;
  assert.ok(distance(brightCentroid(aligned.image, noseInCrop, 4), noseInCrop) < 1, '~> the nose dot sits under landmark 30');
});

align('honours eyeY and eyeDistance', () => {
  const left: Point = [50, 50];
  const right: Point = [90, 50];
  const image = makeDotImage(140, 120, [left, right]);
  const aligned = alignFace(image, makeLandmarks(left, right, [70, 80]), { size: 64, eyeY: 0.5, eyeDistance: 0.5 });
  const eyes = [aligned.landmarks.slice(36, 42), aligned.landmarks.slice(42, 48)].map((ps) => [ps.reduce((s, p) => s + p[0], 0) / 6, ps.reduce((s, p) => s + p[1], 0) / 6] as const);
  assert.ok(Math.abs(eyes[0]![1] - 31.5) < 1e-9 && Math.abs(eyes[1]![1] - 31.5) < 1e-9, '~> eye height 0.5 of 64');
  assert.ok(Math.abs(eyes[1]![0] - eyes[0]![0] - 32) < 1e-9, '~> eye distance 0.5 of 64');
});

align('fills outside the photo by the border option', () => {
  const left: Point = [8, 8];
  const right: Point = [20, 8];
  const image = makeDotImage(28, 16, [left, right]); // the 64² crop spans ~33 image px around (14, 8)
  const landmarks = makeLandmarks(left, right, [14, 12]);
  const corner = (border: 'black' | 'edge' | 'reflect') => alignFace(image, landmarks, { size: 64, border }).image.data[0];
  assert.is(corner('black'), 0, '~> black');
  assert.is(corner('edge'), BACKGROUND, '~> edge');
  assert.is(corner('reflect'), BACKGROUND, '~> reflect');
});

align('rejects a wrong landmark count and a bad size', () => {
  const image = makeDotImage(10, 10, []);
  assert.throws(() => alignFace(image, [[1, 1]], { size: 8 }), /expected 68 landmarks, received 1/);
  assert.throws(() => alignFace(image, makeLandmarks([2, 2], [6, 2], [4, 6]), { size: 0 }), /positive integer size/);
});

align.run();

// ---

const affine = suite('applyAffine / invertAffine / eyeTransform');

affine('inverse undoes the transform', () => {
  const t: Affine = eyeTransform(makeLandmarks([30, 40], [70, 55], [50, 80]), { size: 128 });
  const back = invertAffine(t);
  const p: Point = [12.5, -3];
  const q = applyAffine(back, applyAffine(t, p));
  assert.ok(distance(p, q) < 1e-9, '~> round trip');
  assert.ok(Math.abs(t[0] - t[4]) < 1e-12 && Math.abs(t[1] + t[3]) < 1e-12, '~> a similarity (no shear, uniform scale)');
});

affine.run();

// ---

const warp = suite('warpAffine');

warp('the identity keeps every pixel, any channel count', () => {
  const data = Uint8Array.from({ length: 5 * 4 * 4 }, (_, i) => (i * 37) % 256);
  const image: RawImage = { width: 5, height: 4, channels: 4, data };
  const copy = warpAffine(image, [1, 0, 0, 0, 1, 0], 5, 4, 'black');
  assert.equal(Array.from(copy.data), Array.from(data), '~> pixels');
});

warp('a half-pixel shift averages neighbours (bilinear)', () => {
  const image: RawImage = { width: 2, height: 1, channels: 1, data: Uint8Array.from([0, 100]) };
  const shifted = warpAffine(image, [1, 0, -0.5, 0, 1, 0], 1, 1, 'edge');
  assert.is(shifted.data[0], 50, '~> midpoint');
});

warp.run();
