/**
 * Region-map helpers on 5×5 and 9×9 synthetic maps whose expected values are written out by hand
 * (distances as squared integers, so the table is exact), plus a brute-force cross-check of the
 * distance transform on random maps.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng } from '../../src/kit/prng.js';
import {
  REGION_THRESHOLD,
  binaryKeepMap,
  dilateRegion,
  distanceToRegion,
  distanceWeightedKeepMap,
} from '../../src/vision/region-maps.js';
import type { RawImage } from '../../src/vision/types.js';

/** A 1-channel map from rows of 0/1 (1 = mask = 255). */
function makeRegion(rows: readonly (readonly number[])[]): RawImage {
  const height = rows.length;
  const width = rows[0]!.length;
  return { width, height, channels: 1, data: Uint8Array.from(rows.flat(), (v) => (v ? 255 : 0)) };
}

/** 5×5 with only the centre pixel (2, 2) in the mask. */
const DOT = makeRegion([
  [0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0],
  [0, 0, 1, 0, 0],
  [0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0],
]);

function assertClose(actual: ArrayLike<number>, expected: readonly number[], tol: number, label: string): void {
  assert.is(actual.length, expected.length, `${label} length`);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i]! - expected[i]!) <= tol)) assert.unreachable(`${label} at ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

// ---
const keep = suite('binaryKeepMap');

keep('is 1 outside the mask and 0 inside', () => {
  assert.equal(Array.from(binaryKeepMap(DOT)), [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
});

keep('reads values ≥ 128 as mask', () => {
  const soft: RawImage = { width: 4, height: 1, channels: 1, data: Uint8Array.of(0, 127, REGION_THRESHOLD, 255) };
  assert.equal(Array.from(binaryKeepMap(soft)), [1, 1, 0, 0]);
});

keep('rejects a map that is not 1-channel', () => {
  assert.throws(() => binaryKeepMap({ width: 1, height: 1, channels: 3, data: new Uint8Array(3) }), /expected a 1-channel region map, received 3 channels/);
});

keep.run();

// ---
const dist = suite('distanceToRegion');

dist('is the Euclidean distance to a single pixel', () => {
  const [r2, r5, r8] = [Math.SQRT2, Math.sqrt(5), Math.sqrt(8)];
  // prettier-ignore
  assertClose(distanceToRegion(DOT), [
    r8, r5, 2, r5, r8,
    r5, r2, 1, r2, r5,
    2,  1,  0, 1,  2,
    r5, r2, 1, r2, r5,
    r8, r5, 2, r5, r8,
  ], 1e-6, '~> 5×5 dot');
});

dist('is exact around a 3×3 block in a 9×9 map (squared distances by hand)', () => {
  const block = makeRegion(Array.from({ length: 9 }, (_, y) => Array.from({ length: 9 }, (_, x) => (x >= 3 && x <= 5 && y >= 3 && y <= 5 ? 1 : 0))));
  // dx = max(0, |x − 4| − 1) = 3 2 1 0 0 0 1 2 3 across, dy likewise down; entry = dx² + dy².
  // prettier-ignore
  const squared = [
    18, 13, 10, 9, 9, 9, 10, 13, 18,
    13,  8,  5, 4, 4, 4,  5,  8, 13,
    10,  5,  2, 1, 1, 1,  2,  5, 10,
     9,  4,  1, 0, 0, 0,  1,  4,  9,
     9,  4,  1, 0, 0, 0,  1,  4,  9,
     9,  4,  1, 0, 0, 0,  1,  4,  9,
    10,  5,  2, 1, 1, 1,  2,  5, 10,
    13,  8,  5, 4, 4, 4,  5,  8, 13,
    18, 13, 10, 9, 9, 9, 10, 13, 18,
  ];
  assertClose(distanceToRegion(block), squared.map(Math.sqrt), 1e-6, '~> 9×9 block');
});

dist('agrees with brute force on random maps, including non-square ones', () => {
  const rng = createRng(5);
  for (let trial = 0; trial < 20; trial++) {
    const width = 1 + rng.int(12);
    const height = 1 + rng.int(12);
    const data = Uint8Array.from({ length: width * height }, () => (rng.next() < 0.1 ? 255 : 0));
    data[rng.int(width * height)] = 255; // at least one mask pixel
    const got = distanceToRegion({ width, height, channels: 1, data });
    const want: number[] = [];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let best = Infinity;
        for (let p = 0; p < data.length; p++) {
          if (data[p] === 255) best = Math.min(best, Math.hypot(x - (p % width), y - Math.floor(p / width)));
        }
        want.push(best);
      }
    }
    assertClose(got, want, 1e-5, `~> trial ${trial} (${width}×${height})`);
  }
});

dist('is Infinity everywhere without a mask', () => {
  assert.ok(distanceToRegion(makeRegion([[0, 0], [0, 0]])).every((d) => d === Infinity));
});

dist.run();

// ---
const dilate = suite('dilateRegion');

dilate('grows a dot into a Euclidean disc', () => {
  const asRows = (img: RawImage): number[][] =>
    Array.from({ length: img.height }, (_, y) => Array.from(img.data.subarray(y * img.width, (y + 1) * img.width), (v) => (v ? 1 : 0)));
  assert.equal(asRows(dilateRegion(DOT, 0)), asRows(DOT), '~> radius 0 keeps the region');
  // Radius 1: the 4-neighbours (distance 1) join, the diagonals (√2) do not.
  assert.equal(asRows(dilateRegion(DOT, 1)), [[0, 0, 0, 0, 0], [0, 0, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 0, 0], [0, 0, 0, 0, 0]]);
  // Radius 2: distances 1, √2 and 2 join; √5 and √8 do not.
  assert.equal(asRows(dilateRegion(DOT, 2)), [[0, 0, 1, 0, 0], [0, 1, 1, 1, 0], [1, 1, 1, 1, 1], [0, 1, 1, 1, 0], [0, 0, 1, 0, 0]]);
  assert.ok(dilateRegion(DOT, 2).data.every((v) => v === 0 || v === 255), '~> values are 0/255');
});

dilate('rejects a negative radius', () => {
  assert.throws(() => dilateRegion(DOT, -1), /expected a radius ≥ 0 in pixels, received -1/);
});

dilate.run();

// ---
const ramp = suite('distanceWeightedKeepMap');

ramp('rises from floor at the edge to 1 at rampPx', () => {
  // rampPx 2, floor 0.2, power 1: w = 0.2 + 0.8·min(1, d/2). d = 1 → 0.6; √2 → 0.2 + 0.8·0.70711 = 0.76569; d ≥ 2 → 1.
  const q = 0.2 + 0.8 * (Math.SQRT2 / 2);
  // prettier-ignore
  assertClose(distanceWeightedKeepMap(DOT, { rampPx: 2, power: 1, floor: 0.2 }), [
    1, 1,   1,   1,   1,
    1, q,   0.6, q,   1,
    1, 0.6, 0,   0.6, 1,
    1, q,   0.6, q,   1,
    1, 1,   1,   1,   1,
  ], 1e-6, '~> linear');
  // power 2: d = 1 → 0.2 + 0.8·(1/2)² = 0.4; √2 → 0.2 + 0.8·(2/4) = 0.6.
  // prettier-ignore
  assertClose(distanceWeightedKeepMap(DOT, { rampPx: 2, power: 2, floor: 0.2 }), [
    1, 1,   1,   1,   1,
    1, 0.6, 0.4, 0.6, 1,
    1, 0.4, 0,   0.4, 1,
    1, 0.6, 0.4, 0.6, 1,
    1, 1,   1,   1,   1,
  ], 1e-6, '~> quadratic');
});

ramp('is all ones without a mask', () => {
  assert.ok(distanceWeightedKeepMap(makeRegion([[0, 0], [0, 0]]), { rampPx: 3, power: 1, floor: 0 }).every((w) => w === 1));
});

ramp('rejects bad options', () => {
  assert.throws(() => distanceWeightedKeepMap(DOT, { rampPx: 0, power: 1, floor: 0 }), /expected rampPx > 0, received 0/);
  assert.throws(() => distanceWeightedKeepMap(DOT, { rampPx: 1, power: 0, floor: 0 }), /expected power > 0, received 0/);
  assert.throws(() => distanceWeightedKeepMap(DOT, { rampPx: 1, power: 1, floor: 2 }), /expected floor in \[0, 1\], received 2/);
});

ramp.run();
