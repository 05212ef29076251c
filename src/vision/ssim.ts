/**
 * Structural similarity (SSIM, Wang, Bovik, Sheikh & Simoncelli 2004) on luma. Each window gives
 * SSIM = (2μxμy + C1)(2σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2)) with C1 = (0.01·L)², C2 = (0.03·L)²,
 * L = 255; weighted means and (population) variances come from an 11×11 Gaussian window with σ = 1.5
 * (the paper's, and scikit-image's `gaussian_weights=True, use_sample_covariance=False`), or from a uniform
 * k×k block (the paper's 8×8 variant). Windows slide one pixel at a time over positions where they fit
 * whole ("valid"), and the score is their mean (MSSIM): 1 for identical images, lower as structure,
 * contrast or brightness diverge. Pure functions on raw pixels.
 */
import type { RawImage } from './types.js';

/** One channel of float samples in [0, 255], row-major. */
export interface Plane {
  readonly width: number;
  readonly height: number;
  readonly data: Float64Array;
}

/** The sliding window: Gaussian (σ, radius) or a uniform square block of `size`. */
export type SsimWindow = { readonly kind: 'gaussian'; readonly sigma: number; readonly radius: number } | { readonly kind: 'uniform'; readonly size: number };

export interface SsimOptions {
  /** @default { kind: 'gaussian', sigma: 1.5, radius: 5 } (11×11), shrunk to fit images smaller than that */
  readonly window?: SsimWindow;
  /** dynamic range L of the samples @default 255 */
  readonly range?: number;
}

export interface SsimResult {
  /** mean SSIM over all window positions, in [-1, 1]; 1 means identical */
  readonly mssim: number;
  /** SSIM of each window position, (width − k + 1) × (height − k + 1) */
  readonly map: Plane;
  /** the window side k actually used */
  readonly windowSize: number;
}

/** The paper's window: 11×11 Gaussian, σ = 1.5. */
export const GAUSSIAN_11: SsimWindow = { kind: 'gaussian', sigma: 1.5, radius: 5 };

/** Luma Y = 0.299 R + 0.587 G + 0.114 B (BT.601), unrounded; a 1-channel image is taken as is. */
export function lumaPlane(image: RawImage): Plane {
  const { width, height, channels, data } = image;
  const out = new Float64Array(width * height);
  if (channels === 1) {
    for (let i = 0; i < out.length; i += 1) out[i] = data[i]!;
  } else {
    for (let i = 0, j = 0; i < out.length; i += 1, j += channels) out[i] = 0.299 * data[j]! + 0.587 * data[j + 1]! + 0.114 * data[j + 2]!;
  }
  return { width, height, data: out };
}

/** SSIM of two planes of the same size. Throws when sizes differ (resize first; see compare-images.ts). */
export function ssim(a: Plane, b: Plane, options: SsimOptions = {}): SsimResult {
  if (a.width !== b.width || a.height !== b.height) {
    throw new Error(`ssim expected two images of one size, received ${a.width}x${a.height} and ${b.width}x${b.height}`);
  }
  if (a.width < 1 || a.height < 1) throw new Error(`ssim expected a non-empty image, received ${a.width}x${a.height}`);
  const kernel = windowKernel(options.window ?? GAUSSIAN_11, Math.min(a.width, a.height));
  const range = options.range ?? 255;
  const c1 = (0.01 * range) ** 2;
  const c2 = (0.03 * range) ** 2;
  const n = a.data.length;
  const xx = new Float64Array(n);
  const yy = new Float64Array(n);
  const xy = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    const x = a.data[i]!;
    const y = b.data[i]!;
    xx[i] = x * x;
    yy[i] = y * y;
    xy[i] = x * y;
  }
  const muX = filterValid(a, kernel);
  const muY = filterValid(b, kernel);
  const eXX = filterValid({ ...a, data: xx }, kernel);
  const eYY = filterValid({ ...a, data: yy }, kernel);
  const eXY = filterValid({ ...a, data: xy }, kernel);
  const map = new Float64Array(muX.data.length);
  let sum = 0;
  for (let i = 0; i < map.length; i += 1) {
    const mx = muX.data[i]!;
    const my = muY.data[i]!;
    const vx = eXX.data[i]! - mx * mx;
    const vy = eYY.data[i]! - my * my;
    const cxy = eXY.data[i]! - mx * my;
    const s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
    map[i] = s;
    sum += s;
  }
  return { mssim: sum / map.length, map: { width: muX.width, height: muX.height, data: map }, windowSize: kernel.length };
}

/** The normalised 1-D weights of a window, shrunk (same σ) when the image is smaller than it. */
export function windowKernel(window: SsimWindow, smallestSide: number): Float64Array {
  if (window.kind === 'uniform') {
    const size = Math.max(1, Math.min(window.size, smallestSide));
    return new Float64Array(size).fill(1 / size);
  }
  const radius = Math.max(0, Math.min(window.radius, Math.floor((smallestSide - 1) / 2)));
  const weights = new Float64Array(2 * radius + 1);
  let total = 0;
  for (let i = -radius; i <= radius; i += 1) {
    const w = Math.exp(-(i * i) / (2 * window.sigma * window.sigma));
    weights[i + radius] = w;
    total += w;
  }
  for (let i = 0; i < weights.length; i += 1) weights[i] = weights[i]! / total;
  return weights;
}

/** Separable weighted mean over every position where the k×k window fits: rows, then columns. */
function filterValid(plane: Plane, kernel: Float64Array): Plane {
  const k = kernel.length;
  const outW = plane.width - k + 1;
  const outH = plane.height - k + 1;
  const rows = new Float64Array(outW * plane.height); // [height, outW] after the horizontal pass
  for (let y = 0; y < plane.height; y += 1) {
    const base = y * plane.width;
    for (let x = 0; x < outW; x += 1) {
      let s = 0;
      for (let t = 0; t < k; t += 1) s += kernel[t]! * plane.data[base + x + t]!;
      rows[y * outW + x] = s;
    }
  }
  const out = new Float64Array(outW * outH); // [outH, outW]
  for (let y = 0; y < outH; y += 1) {
    for (let x = 0; x < outW; x += 1) {
      let s = 0;
      for (let t = 0; t < k; t += 1) s += kernel[t]! * rows[(y + t) * outW + x]!;
      out[y * outW + x] = s;
    }
  }
  return { width: outW, height: outH, data: out };
}
