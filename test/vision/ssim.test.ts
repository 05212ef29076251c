/**
 * SSIM against known values: identical images score exactly 1; a one-window case computed by hand from
 * the formula (means, population variances, covariance, C1 = 6.5025, C2 = 58.5225); and two 32×24
 * patterns scored by scikit-image 0.26.0 `structural_similarity(x, y, gaussian_weights=True, sigma=1.5,
 * use_sample_covariance=False, data_range=255)` — the paper's 11×11 Gaussian window — matched to 1e-9.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GAUSSIAN_11, lumaPlane, ssim, windowKernel, type Plane } from '../../src/vision/ssim.js';

/** The pattern the scikit-image reference used: x[i, j] = (7i + 13j + 11·((i·j) mod 5)) mod 256. */
function pattern(transform: (x: number, i: number, j: number) => number = (x) => x): Plane {
  const [height, width] = [24, 32];
  const data = new Float64Array(width * height);
  for (let i = 0; i < height; i += 1) {
    for (let j = 0; j < width; j += 1) data[i * width + j] = transform((i * 7 + j * 13 + ((i * j) % 5) * 11) % 256, i, j);
  }
  return { width, height, data };
}

const plane = (width: number, height: number, values: number[]): Plane => ({ width, height, data: Float64Array.from(values) });

// ---
const score = suite('ssim');

score('identical images score exactly 1, whatever the content', () => {
  const x = pattern();
  assert.is(ssim(x, x).mssim, 1);
  const flat = plane(4, 4, new Array(16).fill(37));
  assert.is(ssim(flat, flat).mssim, 1, '~> flat images too (C1, C2 keep it defined)');
});

score('one uniform 4×4 window matches the formula worked by hand', () => {
  // x: top half 0, bottom half 100 → μx = 50, σx² = 2500. y = x + 10 → μy = 60, σy² = 2500, σxy = 2500.
  const x = plane(4, 4, [0, 0, 0, 0, 0, 0, 0, 0, 100, 100, 100, 100, 100, 100, 100, 100]);
  const y = plane(4, 4, Array.from(x.data, (v) => v + 10));
  // (2·50·60 + C1)(2·2500 + C2) / ((50² + 60² + C1)(2500 + 2500 + C2)) = 6006.5025 / 6106.5025
  const shifted = ssim(x, y, { window: { kind: 'uniform', size: 4 } });
  assert.is(shifted.map.data.length, 1, '~> a single window position');
  assert.ok(Math.abs(shifted.mssim - 6006.5025 / 6106.5025) < 1e-12, `~> brightness shift: ${shifted.mssim}`);
  // z = 255 − x → μz = 205, σz² = 2500, σxz = −2500:
  // (2·50·205 + C1)(−5000 + C2) / ((2500 + 42025 + C1)(5000 + C2)) = 20506.5025 · −4941.4775 / (44531.5025 · 5058.5225)
  const z = plane(4, 4, Array.from(x.data, (v) => 255 - v));
  const expected = (20506.5025 * -4941.4775) / (44531.5025 * 5058.5225);
  assert.ok(Math.abs(ssim(x, z, { window: { kind: 'uniform', size: 4 } }).mssim - expected) < 1e-12, '~> inverted contrast is negative');
});

score('the 11×11 Gaussian window matches scikit-image', () => {
  const x = pattern();
  const noisy = pattern((v, i, j) => Math.min(255, Math.max(0, v + (((i * 3 + j * 5) % 17) - 8) * 2)));
  const inverted = pattern((v) => 255 - v);
  const a = ssim(x, noisy);
  assert.is(a.windowSize, 11);
  assert.equal([a.map.width, a.map.height], [22, 14], '~> valid positions only');
  assert.ok(Math.abs(a.mssim - 0.9629903293390949) < 1e-9, `~> noisy: ${a.mssim}`);
  assert.ok(Math.abs(ssim(x, inverted).mssim - -0.7351796630059726) < 1e-9, '~> inverted');
});

score('a window larger than the image shrinks to fit; different sizes are refused', () => {
  const small = plane(3, 3, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const result = ssim(small, small);
  assert.is(result.windowSize, 3);
  assert.is(result.mssim, 1);
  assert.throws(() => ssim(small, plane(1, 1, [0])), /one size, received 3x3 and 1x1/);
});

// ---
const kernel = suite('windowKernel');

kernel('weights sum to 1 and are symmetric', () => {
  const w = windowKernel(GAUSSIAN_11, 100);
  assert.is(w.length, 11);
  assert.ok(Math.abs(w.reduce((s, v) => s + v, 0) - 1) < 1e-12);
  assert.ok(Math.abs(w[0]! - w[10]!) < 1e-15 && w[5]! > w[4]!);
});

// ---
const luma = suite('lumaPlane');

luma('uses BT.601 weights, unrounded', () => {
  const p = lumaPlane({ width: 2, height: 1, channels: 3, data: Uint8Array.from([255, 0, 0, 10, 20, 30]) });
  assert.ok(Math.abs(p.data[0]! - 76.245) < 1e-9);
  assert.ok(Math.abs(p.data[1]! - (2.99 + 11.74 + 3.42)) < 1e-9);
});

score.run();
kernel.run();
luma.run();
