/**
 * Warping a synthetic template (a solid red 20×20 square inside a 10 px transparent border) onto
 * synthetic images through known homographies: it lands where hand arithmetic says, edges blend without
 * fringes, pixels with zero coverage keep their exact bytes, and the region map is coverage ≥ threshold.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { applyHomography, fitHomography } from '../../src/vision/homography.js';
import { createRng } from '../../src/kit/prng.js';
import type { Point, RawImage } from '../../src/vision/types.js';
import { warpOntoImage } from '../../src/vision/warp-template.js';

/** 40×40 RGBA: opaque red on texels 10..29 in x and y; the border is transparent but holds `borderRgb`. */
function makeTemplate(borderRgb: readonly [number, number, number] = [0, 0, 0]): RawImage {
  const data = new Uint8Array(40 * 40 * 4); // [40, 40, 4]
  for (let y = 0; y < 40; y++) {
    for (let x = 0; x < 40; x++) {
      const inside = x >= 10 && x <= 29 && y >= 10 && y <= 29;
      data.set(inside ? [255, 0, 0, 255] : [...borderRgb, 0], (y * 40 + x) * 4);
    }
  }
  return { width: 40, height: 40, channels: 4, data };
}

function makeImage(width: number, height: number, fill: (x: number, y: number) => readonly number[]): RawImage {
  const data = new Uint8Array(width * height * 3); // [height, width, 3]
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(fill(x, y), (y * width + x) * 3);
  return { width, height, channels: 3, data };
}

function makeNoiseImage(seed: number, size = 256): RawImage {
  const rng = createRng(seed);
  return makeImage(size, size, () => [rng.int(256), rng.int(256), rng.int(256)]);
}

const pixel = (img: RawImage, x: number, y: number): number[] =>
  Array.from(img.data.subarray((y * img.width + x) * img.channels, (y * img.width + x + 1) * img.channels));

/** Template→image: scale 2, then shift by (50, 60). Template u maps to image x = 2u + 50. */
const SCALE_SHIFT = [2, 0, 50, 0, 2, 60, 0, 0, 1] as const;

// ---
const warp = suite('warpOntoImage');

warp('lands the red square where the homography puts it, with half-covered edge pixels', () => {
  const image = makeImage(200, 200, () => [255, 255, 255]);
  const { composite, coverage, region } = warpOntoImage(image, makeTemplate(), SCALE_SHIFT);
  // Image x samples template u = (x − 50)/2: opaque for u ∈ [10, 29] → x ∈ [70, 108]; x = 69 and 109
  // sample u = 9.5 and 29.5, halfway to a transparent texel → alpha 127.5 → 128; x = 68 and 110 → 0.
  // Rows likewise: y = 60 + 2v, opaque for y ∈ [80, 118], half at 79 and 119.
  assert.equal(pixel(composite, 90, 100), [255, 0, 0], '~> inside is pure red');
  assert.is(coverage.data[100 * 200 + 90], 255, '~> inside fully covered');
  assert.is(coverage.data[100 * 200 + 69], 128, '~> left edge half');
  assert.is(coverage.data[100 * 200 + 109], 128, '~> right edge half');
  assert.is(coverage.data[100 * 200 + 68], 0, '~> left of the edge');
  assert.is(coverage.data[100 * 200 + 110], 0, '~> right of the edge');
  assert.is(coverage.data[79 * 200 + 90], 128, '~> top edge half');
  assert.is(coverage.data[79 * 200 + 69], 64, '~> corner quarter: 255/4 = 63.75 → 64');
  // Premultiplied sampling: the half pixel is red at half strength over white, not a dark fringe.
  // G = B = round(255 − (128/255)·255) = 127; R stays 255.
  assert.equal(pixel(composite, 69, 100), [255, 127, 127], '~> edge blends red over white');
  for (let y = 0; y < 200; y++) {
    for (let x = 0; x < 200; x++) {
      // The half rows and columns reach 128 ≥ 128, but their 4 crossings (quarter, 64) do not.
      const corner = (x === 69 || x === 109) && (y === 79 || y === 119);
      const inside = x >= 69 && x <= 109 && y >= 79 && y <= 119 && !corner;
      if (region.data[y * 200 + x] !== (inside ? 255 : 0)) assert.unreachable(`region at ${x},${y}`);
    }
  }
});

warp('transparent texels add no colour of their own (no fringes from premultiplied sampling)', () => {
  const image = makeImage(200, 200, () => [255, 255, 255]);
  const greenBorder = warpOntoImage(image, makeTemplate([0, 255, 0]), SCALE_SHIFT);
  const blackBorder = warpOntoImage(image, makeTemplate([0, 0, 0]), SCALE_SHIFT);
  assert.equal(greenBorder.composite.data, blackBorder.composite.data, '~> border RGB is irrelevant');
});

warp('leaves every pixel with zero coverage byte-for-byte unchanged, under a projective warp', () => {
  const image = makeNoiseImage(11);
  const before = new Uint8Array(image.data);
  // Template corners (0,0) (39,0) (39,39) (0,39) onto a skewed quad.
  const h = fitHomography(
    [[0, 0], [39, 0], [39, 39], [0, 39]],
    [[60, 50], [190, 70], [170, 200], [70, 180]],
  );
  const { composite, coverage } = warpOntoImage(image, makeTemplate(), h);
  assert.equal(image.data, before, '~> input not modified');
  let untouched = 0;
  for (let p = 0; p < 256 * 256; p++) {
    if (coverage.data[p] !== 0) continue;
    untouched++;
    for (let c = 0; c < 3; c++) if (composite.data[p * 3 + c] !== before[p * 3 + c]) assert.unreachable(`pixel ${p} changed`);
  }
  assert.ok(untouched > 256 * 256 * 0.5, '~> most of the image is outside');
  // The template centre (19.5, 19.5) is deep inside the red square.
  const [cx, cy] = applyHomography(h, [19.5, 19.5]);
  assert.equal(pixel(composite, Math.round(cx), Math.round(cy)), [255, 0, 0], '~> centre is red');
});

warp('region is exactly coverage ≥ alphaThreshold', () => {
  const image = makeNoiseImage(12);
  const h = fitHomography([[0, 0], [39, 0], [39, 39], [0, 39]], [[40, 30], [220, 60], [200, 230], [20, 210]] as Point[]);
  for (const alphaThreshold of [1, 128, 255]) {
    const { coverage, region } = warpOntoImage(image, makeTemplate(), h, { alphaThreshold });
    let partial = 0;
    for (let p = 0; p < coverage.data.length; p++) {
      const cov = coverage.data[p]!;
      if (cov > 0 && cov < 255) partial++;
      if (region.data[p] !== (cov >= alphaThreshold ? 255 : 0)) assert.unreachable(`pixel ${p} at threshold ${alphaThreshold}`);
    }
    assert.ok(partial > 0, '~> the warp has anti-aliased edge pixels');
  }
});

warp('returns the image unchanged when the template lands outside it', () => {
  const image = makeNoiseImage(13, 32);
  const { composite, region } = warpOntoImage(image, makeTemplate(), [1, 0, 500, 0, 1, 500, 0, 0, 1]);
  assert.equal(composite.data, image.data);
  assert.ok(region.data.every((v) => v === 0), '~> empty region');
});

warp('rejects wrong channel counts, sizes and thresholds', () => {
  const rgb = makeImage(4, 4, () => [0, 0, 0]);
  assert.throws(() => warpOntoImage(rgb, rgb, SCALE_SHIFT), /expected template with 4 channels \(RGBA\), received 3/);
  const short = { ...makeTemplate(), data: new Uint8Array(10) };
  assert.throws(() => warpOntoImage(rgb, short, SCALE_SHIFT), /expected template data of 40×40×4 = 6400 bytes, received 10/);
  assert.throws(() => warpOntoImage(rgb, makeTemplate(), SCALE_SHIFT, { alphaThreshold: 0 }), /alphaThreshold .* received 0/);
  assert.throws(() => warpOntoImage(rgb, makeTemplate(), [1, 2, 3, 2, 4, 6, 0, 0, 1]), /non-singular/);
});

warp('warps a 600×500 template onto a 256² image in well under 100 ms', () => {
  const template: RawImage = { width: 600, height: 500, channels: 4, data: new Uint8Array(600 * 500 * 4).fill(200) };
  const image = makeNoiseImage(14);
  const h = fitHomography([[0, 0], [599, 0], [599, 499], [0, 499]], [[10, 20], [245, 5], [250, 240], [0, 250]]);
  warpOntoImage(image, template, h); // warm up the JIT
  const start = performance.now();
  const runs = 10;
  for (let i = 0; i < runs; i++) warpOntoImage(image, template, h);
  const ms = (performance.now() - start) / runs;
  assert.ok(ms < 100, `~> ${ms.toFixed(1)} ms per warp`);
});

warp.run();
