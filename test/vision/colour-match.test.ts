/**
 * HSV helpers and template colour matching on tiny synthetic images whose HSV values are worked out by
 * hand: conversions round-trip every tested byte triple, box means are exact on two-colour images, and
 * matching moves a template's mean V and S to the face's while transparent pixels and alpha stay put.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  MAX_COLOUR_SCALE,
  convertHsvToRgb,
  convertRgbToHsv,
  matchBrightnessSaturation,
  meanHsvInBox,
  type Hsv,
} from '../../src/vision/colour-match.js';
import type { RawImage } from '../../src/vision/types.js';

function makeImage(width: number, height: number, channels: 1 | 3 | 4, fill: (x: number, y: number) => readonly number[]): RawImage {
  const data = new Uint8Array(width * height * channels); // [height, width, channels]
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(fill(x, y), (y * width + x) * channels);
  return { width, height, channels, data };
}

function assertHsv(actual: Hsv, expected: Hsv, tol: number, label: string): void {
  const ok = Math.abs(actual.h - expected.h) <= tol && Math.abs(actual.s - expected.s) <= tol && Math.abs(actual.v - expected.v) <= tol;
  assert.ok(ok, `${label}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`);
}

// ---
const toHsv = suite('convertRgbToHsv');

toHsv('knows primary, secondary and grey colours', () => {
  assertHsv(convertRgbToHsv(255, 0, 0), { h: 0, s: 1, v: 1 }, 1e-12, '~> red');
  assertHsv(convertRgbToHsv(0, 255, 255), { h: 180, s: 1, v: 1 }, 1e-12, '~> cyan');
  assertHsv(convertRgbToHsv(0, 0, 255), { h: 240, s: 1, v: 1 }, 1e-12, '~> blue');
  assertHsv(convertRgbToHsv(255, 0, 255), { h: 300, s: 1, v: 1 }, 1e-12, '~> magenta');
  assertHsv(convertRgbToHsv(128, 128, 128), { h: 0, s: 0, v: 128 / 255 }, 1e-12, '~> grey');
  // (200, 100, 100): max r, chroma 100 → h = 0, s = 100/200, v = 200/255.
  assertHsv(convertRgbToHsv(200, 100, 100), { h: 0, s: 0.5, v: 200 / 255 }, 1e-12, '~> pink');
  assertHsv(convertRgbToHsv(0, 0, 0), { h: 0, s: 0, v: 0 }, 0, '~> black');
});

toHsv.run();

// ---
const toRgb = suite('convertHsvToRgb');

toRgb('round-trips byte triples through HSV', () => {
  for (let r = 0; r < 256; r += 15) {
    for (let g = 0; g < 256; g += 15) {
      for (let b = 0; b < 256; b += 15) {
        const { h, s, v } = convertRgbToHsv(r, g, b);
        const back = convertHsvToRgb(h, s, v);
        if (back[0] !== r || back[1] !== g || back[2] !== b) assert.unreachable(`${r},${g},${b} → ${back.join(',')}`);
      }
    }
  }
});

toRgb('clamps s and v and wraps h', () => {
  assert.equal(convertHsvToRgb(360 + 120, 2, 1.5), [0, 255, 0]);
  assert.equal(convertHsvToRgb(-120, 1, 1), [0, 0, 255], '~> −120° = 240°');
});

toRgb.run();

// ---
const mean = suite('meanHsvInBox');

// 10×10: left half (x < 5) pink (200,100,100) = h 0, s 0.5, v 200/255; right half (100,100,200) = h 240, s 0.5, v 200/255.
const halves = makeImage(10, 10, 3, (x) => (x < 5 ? [200, 100, 100] : [100, 100, 200]));

mean('is exact on a one-colour box', () => {
  assertHsv(meanHsvInBox(halves, { x: 0, y: 0, width: 5, height: 10 }), { h: 0, s: 0.5, v: 200 / 255 }, 1e-9, '~> left half');
  assertHsv(meanHsvInBox(halves, { x: 6, y: 2, width: 3, height: 3 }), { h: 240, s: 0.5, v: 200 / 255 }, 1e-9, '~> right patch');
});

mean('averages hue on the circle: 0° and 240° in equal parts give 300°', () => {
  assertHsv(meanHsvInBox(halves, { x: 0, y: 0, width: 10, height: 10 }), { h: 300, s: 0.5, v: 200 / 255 }, 1e-9, '~> whole image');
});

mean('clips the box to the image and covers partial pixels', () => {
  // x −3..2.5 → columns 0, 1, 2 (all pink); y 8..20 → rows 8, 9.
  assertHsv(meanHsvInBox(halves, { x: -3, y: 8, width: 5.5, height: 12 }), { h: 0, s: 0.5, v: 200 / 255 }, 1e-9, '~> clipped');
});

mean('treats a 1-channel image as grey', () => {
  const gray = makeImage(4, 4, 1, (x) => [x * 51]); // 0, 51, 102, 153 → mean 76.5
  assertHsv(meanHsvInBox(gray, { x: 0, y: 0, width: 4, height: 4 }), { h: 0, s: 0, v: 76.5 / 255 }, 1e-12, '~> grey');
});

mean('rejects a box outside the image', () => {
  assert.throws(() => meanHsvInBox(halves, { x: 20, y: 0, width: 5, height: 5 }), /expected a box overlapping the 10×10 image, received \{x: 20/);
});

mean.run();

// ---
const match = suite('matchBrightnessSaturation');

/** 4×4 RGBA: the top two rows opaque `rgb`, the rest transparent but holding (10, 20, 30). */
function makeMask(rgb: readonly [number, number, number]): RawImage {
  return makeImage(4, 4, 4, (_, y) => (y < 2 ? [...rgb, 255] : [10, 20, 30, 0]));
}

match('moves V and S of the opaque pixels to the face means', () => {
  // (100, 50, 50): h 0, s 0.5, v 100/255. Target v 0.6, s 0.25 → h 0, s 0.25, v 0.6:
  // max = 0.6·255 = 153, min = 153·(1 − 0.25) = 114.75 → (153, 115, 115).
  const out = matchBrightnessSaturation(makeMask([100, 50, 50]), { v: 0.6, s: 0.25 });
  for (let p = 0; p < 16; p++) {
    const px = Array.from(out.data.subarray(p * 4, p * 4 + 4));
    assert.equal(px, p < 8 ? [153, 115, 115, 255] : [10, 20, 30, 0], `~> pixel ${p}`);
  }
});

match('matches the mean of a two-colour template, not each pixel', () => {
  // Half (200, 100, 100) v 0.784, half (100, 50, 50) v 0.392: mean v 0.588, both s 0.5.
  const mask = makeImage(4, 2, 4, (x) => (x < 2 ? [200, 100, 100, 255] : [100, 50, 50, 255]));
  const out = matchBrightnessSaturation(mask, { v: 0.294, s: 0.5 }); // half the mean V, same S
  assert.equal(Array.from(out.data.subarray(0, 4)), [100, 50, 50, 255], '~> the bright half halves');
  assert.equal(Array.from(out.data.subarray(8, 12)), [50, 25, 25, 255], '~> the dark half halves');
});

match('strength 0 leaves the template, 0.5 goes half way (geometrically)', () => {
  const mask = makeMask([100, 50, 50]);
  assert.equal(matchBrightnessSaturation(mask, { v: 0.9, s: 0.1 }, 0).data, mask.data, '~> unchanged');
  // v factor (0.784/0.392)^0.5 = √2: v 100·√2 = 141.4; s factor 1 (target equals template s).
  const half = matchBrightnessSaturation(mask, { v: 200 / 255, s: 0.5 }, 0.5);
  assert.equal(Array.from(half.data.subarray(0, 4)), [141, 71, 71, 255]);
});

match('leaves grey templates grey and caps the scale', () => {
  const grey = makeMask([120, 120, 120]);
  const out = matchBrightnessSaturation(grey, { v: 120 / 255, s: 0.6 });
  assert.equal(out.data, grey.data, '~> S of 0 cannot be scaled');
  // (255, 250, 250): s = 5/255 ≈ 0.0196; target s 0.8 would be ×40.8, capped at ×4 → s 0.0784:
  // min = 255·(1 − 4·5/255) = 235.
  const out2 = matchBrightnessSaturation(makeMask([255, 250, 250]), { v: 1, s: 0.8 });
  assert.is(MAX_COLOUR_SCALE, 4);
  assert.equal(Array.from(out2.data.subarray(0, 4)), [255, 235, 235, 255]);
});

match('rejects bad arguments', () => {
  assert.throws(() => matchBrightnessSaturation(makeImage(2, 2, 3, () => [0, 0, 0]), { v: 0.5, s: 0.5 }), /expected an RGBA template \(4 channels\), received 3/);
  assert.throws(() => matchBrightnessSaturation(makeMask([1, 2, 3]), { v: 1.5, s: 0.5 }), /faceRegionMean.v in \[0, 1\], received 1.5/);
  assert.throws(() => matchBrightnessSaturation(makeMask([1, 2, 3]), { v: 0.5, s: 0.5 }, -1), /strength ≥ 0, received -1/);
});

match.run();
