/**
 * The fit metric on constructed landmarks whose face outline is the square [50, 150)² on a 200×200 crop
 * (jaw down the left side, along the bottom, up the right side; nose bridge 27 on the top edge), with mask
 * regions drawn by hand as pixel rectangles: a mask exactly on the outline has 0 % outside, one 20 % wider
 * has 2·10·100 of 120·100 pixels outside (1/6), one shifted down by 10 % has 10 of 100 rows outside; on a
 * coverage map, a soft fringe under half coverage does not count. Also
 * the polygon fill it rests on, the outside map, the anchor narrowing of the refit and the heat cell.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { paintFitHeat } from '../../src/vision/fit-heat.js';
import { FACE_OUTLINE, FIT_COVERAGE, mapOutsidePixels, measureMaskFit, traceFaceOutline } from '../../src/vision/mask-fit.js';
import { narrowAnchors } from '../../src/vision/mask-refit.js';
import { fillPolygon } from '../../src/vision/polygon-fill.js';
import type { Landmarks68, MaskAnchors, Point, RawImage } from '../../src/vision/types.js';

const SIZE = 200;

/** Jaw 0..4 down x = 50, 4..12 along y = 150, 12..16 up x = 150; 27 at (100, 50); the rest at the centre. */
function makeSquareFace(): Landmarks68 {
  const points: Point[] = Array.from({ length: 68 }, (): Point => [100, 100]);
  for (let i = 0; i <= 4; i++) points[i] = [50, 50 + 25 * i];
  for (let i = 4; i <= 12; i++) points[i] = [50 + 12.5 * (i - 4), 150];
  for (let i = 12; i <= 16; i++) points[i] = [150, 150 - 25 * (i - 12)];
  points[27] = [100, 50];
  return points;
}

/** A 1-channel SIZE² region, 255 on the pixels x0 ≤ x < x1, y0 ≤ y < y1. */
function makeRectRegion(x0: number, x1: number, y0: number, y1: number): RawImage {
  const data = new Uint8Array(SIZE * SIZE);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data[y * SIZE + x] = 255;
  return { width: SIZE, height: SIZE, channels: 1, data };
}

const count = (data: Uint8Array): number => data.reduce((s, v) => s + (v !== 0 ? 1 : 0), 0);

const fit = suite('mask fit');

fit('the outline is the jaw closed through the nose bridge', () => {
  const face = makeSquareFace();
  const outline = traceFaceOutline(face);
  assert.is(outline.length, 18);
  assert.equal(outline[0], face[0]);
  assert.equal(outline[16], face[16]);
  assert.equal(outline[17], face[27]);
  assert.equal([...FACE_OUTLINE], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 27]);
});

fit('a mask exactly on the outline has nothing outside', () => {
  const result = measureMaskFit(makeRectRegion(50, 150, 50, 150), makeSquareFace());
  assert.equal(result, { outsideShare: 0, maskPixels: 10000, outsidePixels: 0 });
});

fit('a mask 20 % wider has 1/6 of its pixels outside', () => {
  // 120 × 100 pixels, of which the 10 columns on each side (2 · 10 · 100 = 2000) lie outside.
  const result = measureMaskFit(makeRectRegion(40, 160, 50, 150), makeSquareFace());
  assert.equal(result, { outsideShare: 0.1667, maskPixels: 12000, outsidePixels: 2000 });
});

fit('a mask shifted down by 10 % has its bottom 10 rows outside; one inside the outline none', () => {
  assert.equal(measureMaskFit(makeRectRegion(50, 150, 60, 160), makeSquareFace()), { outsideShare: 0.1, maskPixels: 10000, outsidePixels: 1000 });
  assert.is(measureMaskFit(makeRectRegion(70, 130, 90, 140), makeSquareFace()).outsideShare, 0);
});

fit('no mask pixels: share 0; only mask pixels outside the image do not count', () => {
  assert.equal(measureMaskFit(makeRectRegion(0, 0, 0, 0), makeSquareFace()), { outsideShare: 0, maskPixels: 0, outsidePixels: 0 });
  // The same face moved left by 60 px runs off the crop: the visible mask (x 0..89) lies inside it.
  const moved = makeSquareFace().map(([x, y]): Point => [x - 60, y]);
  assert.is(measureMaskFit(makeRectRegion(0, 90, 50, 150), moved).outsideShare, 0);
});

fit('on a coverage map, the fringe of a soft edge under half coverage does not count', () => {
  // The square at full coverage inside, and a 4-px fringe all round at 100 (as a blurred edge leaves).
  const coverage = makeRectRegion(46, 154, 46, 154);
  for (let y = 50; y < 150; y++) for (let x = 50; x < 150; x++) coverage.data[y * SIZE + x] = 255;
  for (let i = 0; i < coverage.data.length; i++) if (coverage.data[i] === 255 && !(i % SIZE >= 50 && i % SIZE < 150 && Math.floor(i / SIZE) >= 50 && Math.floor(i / SIZE) < 150)) coverage.data[i] = 100;
  assert.equal(measureMaskFit(coverage, makeSquareFace(), { threshold: FIT_COVERAGE }), { outsideShare: 0, maskPixels: 10000, outsidePixels: 0 });
  // Every touched pixel (the region map's view) puts the fringe outside: 108² − 100² of 108².
  assert.equal(measureMaskFit(coverage, makeSquareFace()), { outsideShare: 0.1427, maskPixels: 11664, outsidePixels: 1664 });
});

fit('the outside map marks exactly the mask pixels outside the outline', () => {
  const outside = mapOutsidePixels(makeRectRegion(40, 160, 50, 150), makeSquareFace());
  assert.is(count(outside.data), 2000);
  assert.is(outside.data[100 * SIZE + 45], 255);
  assert.is(outside.data[100 * SIZE + 155], 255);
  assert.is(outside.data[100 * SIZE + 100], 0);
  assert.is(outside.data[100 * SIZE + 165], 0, '~> outside the outline but not mask');
});

fit('refuses a region that is not one channel of the image size', () => {
  const rgb: RawImage = { width: SIZE, height: SIZE, channels: 3, data: new Uint8Array(SIZE * SIZE * 3) };
  assert.throws(() => measureMaskFit(rgb, makeSquareFace()), /expected a 1-channel map of 200×200 bytes, received 3 channels/);
  assert.throws(() => measureMaskFit(makeRectRegion(50, 150, 50, 150), makeSquareFace(), { threshold: 0 }), /threshold in 1..255, received 0/);
  assert.throws(() => traceFaceOutline(makeSquareFace().slice(0, 20)), /expected 68 landmarks/);
});

const fill = suite('polygon fill');

fill('a square fills its pixel centres half-open: [50, 150)² is 100 × 100 pixels', () => {
  const inside = fillPolygon([[50, 50], [150, 50], [150, 150], [50, 150]], SIZE, SIZE);
  assert.is(count(inside), 10000);
  assert.is(inside[50 * SIZE + 50], 1);
  assert.is(inside[149 * SIZE + 149], 1);
  assert.is(inside[150 * SIZE + 100], 0);
  assert.is(inside[100 * SIZE + 150], 0);
});

fill('polygons sharing an edge never claim the same pixel, and together tile their union', () => {
  const left = fillPolygon([[20.5, 10.25], [80.3, 30.7], [60.1, 170.9], [10.2, 120.4]], SIZE, SIZE);
  const right = fillPolygon([[80.3, 30.7], [180.6, 40.1], [150.2, 160.8], [60.1, 170.9]], SIZE, SIZE);
  const union = fillPolygon([[20.5, 10.25], [80.3, 30.7], [180.6, 40.1], [150.2, 160.8], [60.1, 170.9], [10.2, 120.4]], SIZE, SIZE);
  let both = 0;
  let differ = 0;
  for (let i = 0; i < union.length; i++) {
    if (left[i] === 1 && right[i] === 1) both += 1;
    if ((left[i]! | right[i]!) !== union[i]) differ += 1;
  }
  assert.is(both, 0);
  assert.is(differ, 0);
});

fill('a triangle holds about its area; vertices off the image are clipped', () => {
  const triangle = fillPolygon([[10, 10], [190, 10], [10, 190]], SIZE, SIZE);
  assert.ok(Math.abs(count(triangle) - 180 * 180 / 2) < 200, `~> ${count(triangle)} pixels`);
  const big = fillPolygon([[-100, -100], [400, -100], [400, 400], [-100, 400]], SIZE, SIZE);
  assert.is(count(big), SIZE * SIZE);
  assert.throws(() => fillPolygon([[0, 0], [1, 1]], SIZE, SIZE), /at least 3 vertices, received 2/);
  assert.throws(() => fillPolygon([[0, 0], [1, NaN], [2, 0]], SIZE, SIZE), /finite vertices/);
});

const refit = suite('narrow anchors');

const ANCHORS: MaskAnchors = { a: [40, 90], b: [100, 80], c: [160, 90], d: [50, 150], e: [100, 174], f: [150, 150] };

refit('scales each point\'s distance from the b → e line, keeping b and e', () => {
  const narrowed = narrowAnchors(ANCHORS, 0.8);
  assert.equal(narrowed.b, ANCHORS.b);
  assert.equal(narrowed.e, ANCHORS.e);
  assert.equal(narrowed.a, [52, 90]);
  assert.equal(narrowed.c, [148, 90]);
  assert.equal(narrowed.d, [60, 150]);
  assert.equal(narrowed.f, [140, 150]);
  assert.is(narrowAnchors(ANCHORS, 1), ANCHORS);
});

refit('narrows across the face on a rolled head too', () => {
  const turn = (p: Point): Point => [100 + (p[0] - 100) * Math.cos(0.5) - (p[1] - 100) * Math.sin(0.5), 100 + (p[0] - 100) * Math.sin(0.5) + (p[1] - 100) * Math.cos(0.5)];
  const rolled = Object.fromEntries(Object.entries(ANCHORS).map(([k, p]) => [k, turn(p)])) as unknown as MaskAnchors;
  const narrowed = narrowAnchors(rolled, 0.8);
  const expected = turn([52, 90]);
  assert.ok(Math.hypot(narrowed.a[0] - expected[0], narrowed.a[1] - expected[1]) < 1e-9);
  assert.throws(() => narrowAnchors(ANCHORS, 0), /lateral scale in \(0, 1\], received 0/);
  assert.throws(() => narrowAnchors({ ...ANCHORS, e: ANCHORS.b }, 0.9), /b and the chin anchor e to differ/);
});

const heat = suite('fit heat cell');

heat('paints outside mask pixels red, leaves inside ones, and fills the strip by the share', () => {
  const composite: RawImage = { width: SIZE, height: SIZE, channels: 3, data: new Uint8Array(SIZE * SIZE * 3).fill(128) };
  const cell = paintFitHeat(composite, makeRectRegion(40, 160, 50, 150), makeSquareFace(), { outsideShare: 0.1667, maxOutsideShare: 0.1 });
  const at = (x: number, y: number): number[] => Array.from(cell.data.subarray((y * SIZE + x) * 3, (y * SIZE + x) * 3 + 3));
  assert.equal(at(45, 100), [230, 30, 30], '~> outside: red');
  assert.equal(at(100, 100), [128, 128, 128], '~> inside: untouched');
  assert.equal(at(50, 120), [255, 214, 0], '~> on the outline: yellow');
  // The strip (bottom 10 rows) is filled to 0.1667 / 0.2 of the width, red because the fit fails.
  assert.equal(at(10, SIZE - 1), [230, 30, 30]);
  assert.equal(at(180, SIZE - 1), [32, 32, 32]);
  assert.equal(at(100, SIZE - 1), [255, 255, 255], '~> the threshold tick');
  const passing = paintFitHeat(composite, makeRectRegion(50, 150, 50, 150), makeSquareFace(), { outsideShare: 0, maxOutsideShare: 0.1 });
  assert.equal(Array.from(passing.data.subarray(((SIZE - 1) * SIZE + 10) * 3, ((SIZE - 1) * SIZE + 10) * 3 + 3)), [32, 32, 32]);
  assert.is(composite.data[(100 * SIZE + 45) * 3], 128, '~> the input is not changed');
});

fit.run();
fill.run();
refit.run();
heat.run();
