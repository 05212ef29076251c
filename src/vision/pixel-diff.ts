/**
 * Per-pixel difference of two RGB images of one size: for each pixel the largest absolute channel
 * difference (0–255), the fraction of pixels that changed — a pixel counts as changed when that difference
 * exceeds `CHANGE_THRESHOLD` (8 of 255, about 3 %: above the ±1–2 levels that re-encoding or resampling
 * leave, below any change a person sees) — and a heat map of the difference (black = equal, through red
 * and yellow to white = 255 apart; the square root stretches small differences so they show).
 */
import type { RawImage } from './types.js';

/** A pixel changed when some channel differs by more than this (0–255 scale). */
export const CHANGE_THRESHOLD = 8;

export interface PixelDifference {
  /** fraction of pixels whose largest channel difference exceeds the threshold, in [0, 1] */
  readonly changedFraction: number;
  /** the threshold used */
  readonly threshold: number;
  /** largest channel difference over the image, 0–255 */
  readonly maxDelta: number;
  /** mean over pixels of the largest channel difference, 0–255 */
  readonly meanDelta: number;
  /** per pixel, the largest channel difference (width × height) */
  readonly delta: Uint8Array;
}

/** Compares two images of the same size and channel count (1, 3 or 4; alpha ignored). */
export function pixelDifference(a: RawImage, b: RawImage, threshold = CHANGE_THRESHOLD): PixelDifference {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) {
    throw new Error(`pixel difference expected two images of one shape, received ${shape(a)} and ${shape(b)}`);
  }
  const pixels = a.width * a.height;
  const colour = Math.min(a.channels, 3);
  const delta = new Uint8Array(pixels);
  let changed = 0;
  let max = 0;
  let sum = 0;
  for (let p = 0, i = 0; p < pixels; p += 1, i += a.channels) {
    let d = 0;
    for (let c = 0; c < colour; c += 1) d = Math.max(d, Math.abs(a.data[i + c]! - b.data[i + c]!));
    delta[p] = d;
    if (d > threshold) changed += 1;
    if (d > max) max = d;
    sum += d;
  }
  return { changedFraction: pixels === 0 ? 0 : changed / pixels, threshold, maxDelta: max, meanDelta: pixels === 0 ? 0 : sum / pixels, delta };
}

/** The heat map of a difference as RGB: black (0) → red → yellow → white (255), on √(d/255). */
export function heatMap(delta: Uint8Array, width: number, height: number): RawImage {
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p += 1) {
    const t = Math.sqrt(delta[p]! / 255);
    data[p * 3] = Math.round(255 * clamp(3 * t));
    data[p * 3 + 1] = Math.round(255 * clamp(3 * t - 1));
    data[p * 3 + 2] = Math.round(255 * clamp(3 * t - 2));
  }
  return { width, height, channels: 3, data };
}

function clamp(v: number): number {
  return Math.min(1, Math.max(0, v));
}

function shape(image: RawImage): string {
  return `${image.width}x${image.height}x${image.channels}`;
}
