/**
 * Image quality measures for face crops, in plain JS on raw pixels: gray conversion (BT.601 luma),
 * sharpness as the variance of the 3×3 Laplacian, exposure (mean luma and clipped fractions), a 64-bit DCT
 * perceptual hash with its Hamming distance for near-duplicates. The mask-present rule is in mask-rule.ts.
 */
import { roundByte } from './round-byte.js';
import type { RawImage } from './types.js';

/** BT.601 luma of an RGB(A) image as a 1-channel image; a gray image is returned as is. */
export function toGray(image: RawImage): RawImage {
  if (image.channels === 1) return image;
  const { width, height, channels, data } = image;
  const out = new Uint8Array(width * height);
  for (let i = 0, j = 0; i < out.length; i += 1, j += channels) {
    out[i] = roundByte(0.299 * data[j]! + 0.587 * data[j + 1]! + 0.114 * data[j + 2]!);
  }
  return { width, height, channels: 1, data: out };
}

/**
 * Variance of the Laplacian (kernel [0 1 0; 1 −4 1; 0 1 0], interior pixels): low means blurred. Scale
 * dependent, so compare crops of one size. Colour input is converted to gray first.
 */
export function laplacianVariance(gray: RawImage): number {
  const { width: w, height: h, data } = toGray(gray);
  if (w < 3 || h < 3) return 0;
  let sum = 0;
  let sumSq = 0;
  for (let y = 1; y < h - 1; y += 1) {
    for (let x = 1; x < w - 1; x += 1) {
      const i = y * w + x;
      const v = data[i - w]! + data[i + w]! + data[i - 1]! + data[i + 1]! - 4 * data[i]!;
      sum += v;
      sumSq += v * v;
    }
  }
  const n = (w - 2) * (h - 2);
  const mean = sum / n;
  return sumSq / n - mean * mean;
}

/** Exposure of an image's luma. */
export interface ExposureStats {
  /** mean luma, 0–255 */
  mean: number;
  /** fraction of pixels with luma ≤ 5 */
  clippedDark: number;
  /** fraction of pixels with luma ≥ 250 */
  clippedBright: number;
}

/** Mean luma and the fractions of crushed (≤ 5) and blown (≥ 250) pixels. */
export function exposureStats(image: RawImage): ExposureStats {
  const { data } = toGray(image);
  let sum = 0;
  let dark = 0;
  let bright = 0;
  for (const v of data) {
    sum += v;
    if (v <= 5) dark += 1;
    else if (v >= 250) bright += 1;
  }
  const n = Math.max(1, data.length);
  return { mean: sum / n, clippedDark: dark / n, clippedBright: bright / n };
}

/**
 * 64-bit DCT perceptual hash (pHash): gray, area-average to 32×32, 2-D DCT-II, keep the top-left 8×8
 * coefficients, set each bit when its coefficient is above the median of the 63 non-DC ones. Bit 63 is
 * coefficient (0, 0), bit 0 is (7, 7), row-major; the DC bit is always 0 (it only carries mean brightness).
 */
export function perceptualHash(image: RawImage): bigint {
  const small = resizeArea(toGray(image), 32, 32); // [32, 32] luma
  const basis = dctBasis(32, 8); // [8, 32]
  // Separable DCT restricted to the 8 lowest frequencies: rows first, then columns.
  const rows = new Float64Array(32 * 8); // [y, u]
  for (let y = 0; y < 32; y += 1) {
    for (let u = 0; u < 8; u += 1) {
      let s = 0;
      for (let x = 0; x < 32; x += 1) s += small[y * 32 + x]! * basis[u * 32 + x]!;
      rows[y * 8 + u] = s;
    }
  }
  const coefficients = new Float64Array(64); // [v, u]
  for (let v = 0; v < 8; v += 1) {
    for (let u = 0; u < 8; u += 1) {
      let s = 0;
      for (let y = 0; y < 32; y += 1) s += rows[y * 8 + u]! * basis[v * 32 + y]!;
      coefficients[v * 8 + u] = s;
    }
  }
  const ac = Array.from(coefficients.subarray(1)).sort((p, q) => p - q);
  const median = (ac[31]! + ac[32]!) / 2;
  let hash = 0n;
  for (let k = 0; k < 64; k += 1) hash = (hash << 1n) | (k > 0 && coefficients[k]! > median ? 1n : 0n);
  return hash;
}

/** Number of differing bits between two 64-bit hashes. */
export function hammingDistance(a: bigint, b: bigint): number {
  let x = BigInt.asUintN(64, a ^ b);
  let count = 0;
  while (x !== 0n) {
    x &= x - 1n;
    count += 1;
  }
  return count;
}

/** Orthonormal DCT-II basis, `count` lowest frequencies of length `n`: [count, n]. */
function dctBasis(n: number, count: number): Float64Array {
  const basis = new Float64Array(count * n);
  for (let u = 0; u < count; u += 1) {
    const scale = Math.sqrt((u === 0 ? 1 : 2) / n);
    for (let x = 0; x < n; x += 1) basis[u * n + x] = scale * Math.cos(((2 * x + 1) * u * Math.PI) / (2 * n));
  }
  return basis;
}

/** Area-average resize of a 1-channel image (each output pixel is the mean of the input area it covers). */
function resizeArea(gray: RawImage, width: number, height: number): Float64Array {
  const cols = areaWeights(gray.width, width);
  const rows = areaWeights(gray.height, height);
  const tmp = new Float64Array(gray.height * width); // [H, width]
  for (let y = 0; y < gray.height; y += 1) for (const { out, src, weight } of cols) tmp[y * width + out]! += weight * gray.data[y * gray.width + src]!;
  const result = new Float64Array(width * height); // [height, width]
  for (const { out, src, weight } of rows) for (let x = 0; x < width; x += 1) result[out * width + x]! += weight * tmp[src * width + x]!;
  return result;
}

/** For a 1-D resize n → m: which input sample feeds which output, with what share (rows sum to 1). */
function areaWeights(n: number, m: number): { out: number; src: number; weight: number }[] {
  const weights: { out: number; src: number; weight: number }[] = [];
  const step = n / m;
  for (let o = 0; o < m; o += 1) {
    const start = o * step;
    const end = start + step;
    for (let s = Math.floor(start); s < Math.min(n, Math.ceil(end)); s += 1) {
      const overlap = Math.min(end, s + 1) - Math.max(start, s);
      if (overlap > 0) weights.push({ out: o, src: s, weight: overlap / step });
    }
  }
  return weights;
}
