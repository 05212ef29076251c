/**
 * Face alignment on synthetic pictures: two bright dots stand in for the eyes (with a landmark set
 * around them), a third for the nose tip; after alignment the eye dots sit at the canonical positions and
 * every landmark moved with the pixels. Border fills (no mirrored content by default: a crop half outside
 * a gradient photo holds only the fill there), the share of a crop outside the photo, and the affine
 * helpers are checked too.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { applyAffine, DEFAULT_BORDER, invertAffine, warpAffine, warpAffineByTap, type Affine, type BorderMode } from '../../src/vision/affine-warp.js';
import { alignFace, eyeTransform, outsideShare } from '../../src/vision/align.js';
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
  const corner = (border: BorderMode) => alignFace(image, landmarks, { size: 64, border }).image.data[0];
  assert.is(corner('black'), 0, '~> black');
  assert.is(corner('edge'), BACKGROUND, '~> edge');
  assert.is(corner('reflect'), BACKGROUND, '~> reflect');
  assert.is(corner('blur'), BACKGROUND, '~> blur: the ring of the photo is all background');
  assert.is(corner('mean'), Math.round(((28 * 16 - 18) * BACKGROUND + 18 * 255) / (28 * 16)), '~> mean: the two dots count');
  assert.is(alignFace(image, landmarks, { size: 64 }).image.data[0], corner(DEFAULT_BORDER), '~> the default');
});

align('reports the share of the crop outside the photo', () => {
  const left: Point = [50, 50];
  const right: Point = [90, 50];
  const inside = alignFace(makeDotImage(140, 120, [left, right]), makeLandmarks(left, right, [70, 80]), { size: 64 });
  assert.is(inside.outsideShare, 0, '~> a crop well inside the photo');
  const cut = alignFace(makeDotImage(100, 120, [left, right]), makeLandmarks(left, right, [70, 80]), { size: 64 }); // the crop spans x ≈ 14..126
  assert.ok(cut.outsideShare > 0.15 && cut.outsideShare < 0.35, `~> the right quarter or so (${cut.outsideShare})`);
  assert.is(cut.outsideShare, outsideShare(cut.transform, 64, 64, 100, 120), '~> the same as outsideShare on the transform');
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

/** 40×40 RGB: red rises 6 per column, green 6 per row, blue 200; a blue notch (0) on column 0, rows 18..21. */
function makeGradientPhoto(): RawImage {
  const data = new Uint8Array(40 * 40 * 3);
  for (let y = 0; y < 40; y += 1) for (let x = 0; x < 40; x += 1) data.set([6 * x, 6 * y, x === 0 && y >= 18 && y <= 21 ? 0 : 200], (y * 40 + x) * 3);
  return { width: 40, height: 40, channels: 3, data };
}

/** The 'blur' rule written out the slow way: mean of the photo's ring pixels within Chebyshev distance d of q. */
function blurFillByHand(photo: RawImage, x: number, y: number): number[] {
  const { width: w, height: h } = photo;
  const qx = Math.min(w - 1, Math.max(0, x));
  const qy = Math.min(h - 1, Math.max(0, y));
  const d = Math.max(Math.abs(x - qx), Math.abs(y - qy));
  const sum = [0, 0, 0];
  let n = 0;
  for (let j = 0; j < h; j += 1) {
    for (let i = 0; i < w; i += 1) {
      const ring = i === 0 || j === 0 || i === w - 1 || j === h - 1;
      if (!ring || Math.abs(i - qx) > d || Math.abs(j - qy) > d) continue;
      for (let c = 0; c < 3; c += 1) sum[c]! += photo.data[(j * w + i) * 3 + c]!;
      n += 1;
    }
  }
  return sum.map((s) => Math.round(s / n));
}

const pixel = (image: RawImage, u: number, v: number) => Array.from(image.data.subarray((v * image.width + u) * 3, (v * image.width + u) * 3 + 3));

warp('a crop half outside the photo holds no mirrored pixels there, only the fill', () => {
  const photo = makeGradientPhoto();
  const shift: Affine = [1, 0, 20, 0, 1, 0]; // crop u = x + 20: columns 0..19 lie at x = −20..−1, outside
  const crop = warpAffine(photo, shift, 40, 40, DEFAULT_BORDER);
  const mirrored = warpAffine(photo, shift, 40, 40, 'reflect');
  for (let v = 0; v < 40; v += 1) {
    for (let u = 0; u < 40; u += 1) {
      if (u >= 20) assert.equal(pixel(crop, u, v), pixel(photo, u - 20, v), `~> photo pixel at crop (${u}, ${v})`);
      else assert.equal(pixel(crop, u, v), blurFillByHand(photo, u - 20, v), `~> the blur fill at crop (${u}, ${v})`);
    }
  }
  // Hand values: 3 px left of row 10 the fill averages column 0 rows 7..13: red 0, green 6·10, blue 200;
  // reflect copies column 3 there (red 18). Row 19, 1 px out: rows 18..20 of column 0, all in the notch.
  assert.equal(pixel(crop, 17, 10), [0, 60, 200], '~> blur, 3 px out');
  assert.equal(pixel(mirrored, 17, 10), [18, 60, 200], '~> reflect mirrors column 3');
  assert.equal(pixel(crop, 19, 19), [0, 114, 0], '~> blur, 1 px out, inside the notch');
  assert.equal(pixel(crop, 19, 17), [0, 102, 133], '~> blur, 1 px out, next to the notch: (200 + 200 + 0) / 3');
  const redOutside = Array.from({ length: 20 * 40 }, (_, i) => pixel(crop, i % 20, Math.floor(i / 20))[0]!);
  assert.ok(Math.max(...redOutside) < 6 * 20, `~> no mirrored red ramp outside (max red ${Math.max(...redOutside)}, reflect reaches ${6 * 20})`);
  const mean = warpAffine(photo, shift, 40, 40, 'mean');
  const expected = [6 * 19.5, 6 * 19.5, (1600 * 200 - 4 * 200) / 1600].map(Math.round);
  for (let v = 0; v < 40; v += 1) for (let u = 0; u < 20; u += 1) assert.equal(pixel(mean, u, v), expected, `~> mean colour at crop (${u}, ${v})`);
});

warp('filling the border once per point gives the bytes of filling it tap by tap, every rule', () => {
  const photo = makeGradientPhoto();
  // turned, zoomed and shifted crops: inside, partly outside, mostly outside, and far off the photo
  const transforms: Affine[] = [
    [1.3, 0.2, 2, -0.2, 1.3, 3],
    [1.7, -0.6, 25, 0.6, 1.7, -12],
    [0.8, 0.9, -30, -0.9, 0.8, 40],
    [2.1, 0, 30, 0, 2.1, 30],
    [0.5, 0, 200, 0, 0.5, -150],
  ];
  for (const border of ['blur', 'mean', 'edge', 'reflect', 'black'] as const) {
    for (const t of transforms) {
      const canvas = warpAffine(photo, t, 48, 48, border);
      const byTap = warpAffineByTap(photo, invertAffine(t), 48, 48, border);
      assert.ok(Buffer.from(canvas.data).equals(Buffer.from(byTap.data)), `~> ${border}, [${t.join(', ')}]: the same bytes`);
    }
  }
});

warp.run();

// ---

const share = suite('outsideShare');

share('counts crop pixels whose source point leaves the photo, by hand', () => {
  assert.is(outsideShare([1, 0, 0, 0, 1, 0], 40, 40, 40, 40), 0, '~> the identity');
  assert.is(outsideShare([1, 0, 20, 0, 1, 0], 40, 40, 40, 40), 0.5, '~> shifted by half its width');
  // x = (u − 20) / 2 lies outside [−½, 39.5) for u = 0..18: 19 of 40 columns; y = v / 2 stays inside
  assert.is(outsideShare([2, 0, 20, 0, 2, 0], 40, 40, 40, 40), 19 / 40, '~> zoomed 2×, the photo edge at u = 19');
  // a 90° turn about the crop's centre maps the 40×40 crop onto a 40×40 photo exactly
  assert.is(outsideShare([0, 1, 0, -1, 0, 39], 40, 40, 40, 40), 0, '~> rotated onto the photo');
  assert.is(outsideShare([1, 0, 100, 0, 1, 0], 40, 40, 40, 40), 1, '~> wholly outside');
});

share.run();
