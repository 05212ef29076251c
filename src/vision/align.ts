/**
 * Face alignment: the similarity transform (rotation, uniform scale, shift) that puts the two eye centres
 * (means of landmarks 36–41 and 42–47) at canonical places in a square crop, and the crop itself, resampled
 * bilinearly in plain JS by inverse mapping. Where the crop reaches outside the photo the border option
 * decides the fill: mirror (reflect-101, as OpenCV's default), repeat the edge pixel, or black. Coordinates
 * are pixel-index based (pixel (i, j) sits at x = i, y = j) for the image, the crop and the landmarks alike,
 * so a point and the pixel under it move together.
 */
import type { Landmarks68, Point, RawImage } from './types.js';

/** Image → crop affine `[a, b, c, d, e, f]`: x' = a·x + b·y + c, y' = d·x + e·y + f (OpenCV's 2×3 layout). */
export type Affine = readonly [a: number, b: number, c: number, d: number, e: number, f: number];

/** How pixels outside the photo are filled. */
export type BorderMode = 'reflect' | 'edge' | 'black';

export interface AlignOptions {
  /** side of the square crop, px */
  size: number;
  /** height of the eye centres, fraction of `size`; @default 0.40 */
  eyeY?: number;
  /** distance between the eye centres, fraction of `size`; @default 0.36 */
  eyeDistance?: number;
  /** @default 'reflect' */
  border?: BorderMode;
}

export interface AlignedFace {
  /** the `size`×`size` crop, same channel count as the input */
  image: RawImage;
  /** image → crop */
  transform: Affine;
  /** the 68 landmarks in crop coordinates */
  landmarks: Landmarks68;
}

/** Crops and rotates `image` so the eye centres of `landmarks` land at the canonical positions. */
export function alignFace(image: RawImage, landmarks: Landmarks68, options: AlignOptions): AlignedFace {
  if (landmarks.length !== 68) throw new Error(`alignFace expected 68 landmarks, received ${landmarks.length}`);
  if (!Number.isInteger(options.size) || options.size < 1) throw new Error(`alignFace expected a positive integer size, received ${options.size}`);
  const transform = eyeTransform(landmarks, options);
  return {
    image: warpAffine(image, transform, options.size, options.size, options.border ?? 'reflect'),
    transform,
    landmarks: landmarks.map((p) => applyAffine(transform, p)),
  };
}

/**
 * The similarity transform taking the eye centres of `landmarks` to their canonical crop positions:
 * image-left eye at ((0.5 − eyeDistance/2)·size − ½, eyeY·size − ½), the other `eyeDistance·size` to its right.
 */
export function eyeTransform(landmarks: Landmarks68, options: AlignOptions): Affine {
  const left = meanPoint(landmarks.slice(36, 42)); // image-left eye (the subject's right)
  const right = meanPoint(landmarks.slice(42, 48));
  const size = options.size;
  // Canonical eyes at x = (0.5 ∓ eyeDistance/2)·size, y = eyeY·size measured from the crop's outer edge,
  // i.e. minus half a pixel in pixel-index coordinates (so eyeY 0.5 is the crop's exact centre).
  const eyeY = (options.eyeY ?? 0.4) * size - 0.5;
  const targetDistance = (options.eyeDistance ?? 0.36) * size;
  const dx = right[0] - left[0];
  const dy = right[1] - left[1];
  const distance = Math.hypot(dx, dy);
  if (!(distance > 0)) throw new Error('alignFace expected two distinct eye centres, received coincident ones');
  const scale = targetDistance / distance;
  const cos = (dx / distance) * scale;
  const sin = (dy / distance) * scale;
  // Rotate by −θ and scale about the origin, then shift the eye midpoint to the canonical midpoint.
  const mx = (left[0] + right[0]) / 2;
  const my = (left[1] + right[1]) / 2;
  const cx = (size - 1) / 2;
  return [cos, sin, cx - (cos * mx + sin * my), -sin, cos, eyeY - (-sin * mx + cos * my)];
}

/** Maps a point with an affine. */
export function applyAffine(t: Affine, p: Point): Point {
  return [t[0] * p[0] + t[1] * p[1] + t[2], t[3] * p[0] + t[4] * p[1] + t[5]];
}

/** The inverse affine (crop → image). */
export function invertAffine(t: Affine): Affine {
  const [a, b, c, d, e, f] = t;
  const det = a * e - b * d;
  if (det === 0) throw new Error('invertAffine expected an invertible transform, received a singular one');
  return [e / det, -b / det, (b * f - c * e) / det, -d / det, a / det, (c * d - a * f) / det];
}

/** Resamples `image` into a width×height output through `transform` (image → output), bilinearly. */
export function warpAffine(image: RawImage, transform: Affine, width: number, height: number, border: BorderMode): RawImage {
  const { width: w, height: h, channels: ch, data } = image;
  const [a, b, c, d, e, f] = invertAffine(transform);
  const out = new Uint8Array(width * height * ch);
  const index = border === 'reflect' ? (i: number, n: number) => reflect101(i, n) : border === 'edge' ? (i: number, n: number) => clamp(i, 0, n - 1) : (i: number, n: number) => (i < 0 || i >= n ? -1 : i);
  const acc = new Float64Array(ch);
  for (let v = 0; v < height; v += 1) {
    for (let u = 0; u < width; u += 1) {
      const sx = a * u + b * v + c;
      const sy = d * u + e * v + f;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      acc.fill(0);
      for (let k = 0; k < 4; k += 1) {
        const weight = (k & 1 ? fx : 1 - fx) * (k & 2 ? fy : 1 - fy);
        if (weight === 0) continue;
        const xi = index(x0 + (k & 1), w);
        const yi = index(y0 + (k >> 1), h);
        if (xi < 0 || yi < 0) continue; // 'black': outside contributes zero
        const base = (yi * w + xi) * ch;
        for (let q = 0; q < ch; q += 1) acc[q]! += weight * data[base + q]!;
      }
      const o = (v * width + u) * ch;
      for (let q = 0; q < ch; q += 1) out[o + q] = clamp(Math.round(acc[q]!), 0, 255);
    }
  }
  return { width, height, channels: ch, data: out };
}

function meanPoint(points: readonly Point[]): Point {
  let x = 0;
  let y = 0;
  for (const p of points) {
    x += p[0];
    y += p[1];
  }
  return [x / points.length, y / points.length];
}

/** Mirror index without repeating the edge (…2 1 | 0 1 2 … n−1 | n−2 …), for any distance outside. */
function reflect101(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const m = ((i % period) + period) % period;
  return m < n ? m : period - m;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
