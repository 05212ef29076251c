/**
 * Resampling a picture through an affine map, bilinearly, in plain JS by inverse mapping, with a rule for
 * what lies beyond the picture's edge: by default 'blur', the edge pixels averaged over a window that widens
 * with the distance from the picture (no seam at the edge, no streaks further out, the edge's mean far
 * away); or the mean colour, the edge pixel repeated, mirrored content (reflect-101, OpenCV's default — it
 * invents face parts in tight face crops), or black. Coordinates are pixel-index based (pixel (i, j) sits at
 * x = i, y = j); the picture covers [−½, width − ½) × [−½, height − ½). align.ts cuts face crops with it.
 */
import { roundByte } from './round-byte.js';
import type { Point, RawImage } from './types.js';

/** Image → crop affine `[a, b, c, d, e, f]`: x' = a·x + b·y + c, y' = d·x + e·y + f (OpenCV's 2×3 layout). */
export type Affine = readonly [a: number, b: number, c: number, d: number, e: number, f: number];

/**
 * How pixels outside the photo are filled: 'blur' — for a point d pixels outside (Chebyshev distance to
 * the nearest photo pixel q), the mean of the photo's outermost pixels within d of q; 'mean' — the photo's
 * mean colour; 'edge' — q's pixel; 'reflect' — mirrored content (reflect-101); 'black' — zero.
 */
export type BorderMode = 'blur' | 'mean' | 'edge' | 'reflect' | 'black';

/** The border rule crops get unless told otherwise. */
export const DEFAULT_BORDER: BorderMode = 'blur';

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

/**
 * Resamples `image` into a width×height output through `transform` (image → output), bilinearly; a tap
 * outside the photo takes the `border` rule's colour for that point. When the crop reaches outside the photo,
 * the photo is first extended by the border rule over every integer point a tap can land on (a float
 * canvas), so each outside point is filled once rather than once per tap that lands on it; the taps then all
 * read the canvas. The sums are the same, in the same order, as tap-by-tap filling (`warpAffineByTap`).
 */
export function warpAffine(image: RawImage, transform: Affine, width: number, height: number, border: BorderMode): RawImage {
  const inverse = invertAffine(transform);
  const canvas = extendedCanvas(image, inverse, width, height, border);
  return canvas === null ? warpAffineByTap(image, inverse, width, height, border) : bilinear(canvas, inverse, width, height);
}

/** A photo extended by its border fill: `[height, width, channels]` floats whose pixel (0, 0) is the photo's (x0, y0). */
interface Canvas {
  readonly x0: number;
  readonly y0: number;
  readonly width: number;
  readonly height: number;
  readonly channels: RawImage['channels'];
  readonly data: Float64Array;
}

/**
 * The canvas every tap of the crop lands on: the photo's pixels over the taps' bounding box (two pixels of
 * slack for rounding), extended by `border` where the box leaves the photo — always floats, so the resampling
 * loop reads one array type. Null when that box is more than four times the photo's and the crop's area
 * together (a crop far from the photo): tap by tap then.
 */
function extendedCanvas(image: RawImage, inverse: Affine, width: number, height: number, border: BorderMode): Canvas | null {
  const { width: w, height: h, channels: ch, data } = image;
  const [a, b, c, d, e, f] = inverse;
  const xs = [c, a * (width - 1) + c, b * (height - 1) + c, a * (width - 1) + b * (height - 1) + c];
  const ys = [f, d * (width - 1) + f, e * (height - 1) + f, d * (width - 1) + e * (height - 1) + f];
  const x0 = Math.floor(Math.min(...xs)) - 2;
  const y0 = Math.floor(Math.min(...ys)) - 2;
  const x1 = Math.floor(Math.max(...xs)) + 3;
  const y1 = Math.floor(Math.max(...ys)) + 3;
  const canvasWidth = x1 - x0 + 1;
  const canvasHeight = y1 - y0 + 1;
  if (!(canvasWidth * canvasHeight <= 4 * (w * h + width * height))) return null;
  const out = new Float64Array(canvasWidth * canvasHeight * ch);
  const inside = x0 >= 0 && y0 >= 0 && x1 < w && y1 < h;
  const fill = inside ? null : makeBorderFill(image, border);
  const colour = new Float64Array(ch);
  for (let y = y0; y <= y1; y += 1) {
    for (let x = x0; x <= x1; x += 1) {
      const o = ((y - y0) * canvasWidth + (x - x0)) * ch;
      if (x >= 0 && x < w && y >= 0 && y < h) {
        const p = (y * w + x) * ch;
        for (let q = 0; q < ch; q += 1) out[o + q] = data[p + q]!;
      } else {
        fill!(x, y, colour);
        for (let q = 0; q < ch; q += 1) out[o + q] = colour[q]!;
      }
    }
  }
  return { x0, y0, width: canvasWidth, height: canvasHeight, channels: ch, data: out };
}

/** Bilinear resampling of `canvas` through `inverse` (output → photo); every tap lies on the canvas. */
function bilinear(canvas: Canvas, inverse: Affine, width: number, height: number): RawImage {
  const { x0: cx, y0: cy, width: w, channels: ch, data } = canvas;
  const [a, b, c, d, e, f] = inverse;
  const out = new Uint8Array(width * height * ch);
  const row = w * ch;
  for (let v = 0; v < height; v += 1) {
    for (let u = 0; u < width; u += 1) {
      const sx = a * u + b * v + c;
      const sy = d * u + e * v + f;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      let p = ((y0 - cy) * w + (x0 - cx)) * ch;
      let o = (v * width + u) * ch;
      for (let q = 0; q < ch; q += 1, p += 1, o += 1) {
        // a zero weight adds +0 here where tap-by-tap skips it: the same sum either way
        const sum = 0 + w00 * data[p]! + w10 * data[p + ch]! + w01 * data[p + row]! + w11 * data[p + row + ch]!;
        out[o] = roundByte(sum);
      }
    }
  }
  return { width, height, channels: ch, data: out };
}

/**
 * `warpAffine` tap by tap: each tap outside the photo asks the border rule for its colour. The reference
 * the canvas path is tested against, and the path for a crop far from its photo.
 */
export function warpAffineByTap(image: RawImage, inverse: Affine, width: number, height: number, border: BorderMode): RawImage {
  const { width: w, height: h, channels: ch, data } = image;
  const [a, b, c, d, e, f] = inverse;
  const out = new Uint8Array(width * height * ch);
  const fill = makeBorderFill(image, border);
  const acc = new Float64Array(ch);
  const colour = new Float64Array(ch);
  for (let v = 0; v < height; v += 1) {
    for (let u = 0; u < width; u += 1) {
      const sx = a * u + b * v + c;
      const sy = d * u + e * v + f;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const o = (v * width + u) * ch;
      acc.fill(0);
      for (let k = 0; k < 4; k += 1) {
        const weight = (k & 1 ? fx : 1 - fx) * (k & 2 ? fy : 1 - fy);
        if (weight === 0) continue;
        const xi = x0 + (k & 1);
        const yi = y0 + (k >> 1);
        if (xi >= 0 && xi < w && yi >= 0 && yi < h) {
          const base = (yi * w + xi) * ch;
          for (let q = 0; q < ch; q += 1) acc[q]! += weight * data[base + q]!;
        } else {
          fill(xi, yi, colour);
          for (let q = 0; q < ch; q += 1) acc[q]! += weight * colour[q]!;
        }
      }
      for (let q = 0; q < ch; q += 1) out[o + q] = clamp(Math.round(acc[q]!), 0, 255);
    }
  }
  return { width, height, channels: ch, data: out };
}

/** Writes into `colour` the fill of the integer point (x, y) outside the photo. */
type BorderFill = (x: number, y: number, colour: Float64Array) => void;

function makeBorderFill(image: RawImage, border: BorderMode): BorderFill {
  const { width: w, height: h, channels: ch, data } = image;
  const copy = (x: number, y: number, colour: Float64Array): void => {
    for (let q = 0; q < ch; q += 1) colour[q] = data[(y * w + x) * ch + q]!;
  };
  switch (border) {
    case 'reflect':
      return (x, y, colour) => copy(reflect101(x, w), reflect101(y, h), colour);
    case 'edge':
      return (x, y, colour) => copy(clamp(x, 0, w - 1), clamp(y, 0, h - 1), colour);
    case 'black':
      return (_x, _y, colour) => colour.fill(0);
    case 'mean': {
      const mean = meanColour(image);
      return (_x, _y, colour) => colour.set(mean);
    }
    case 'blur':
      return makeBlurFill(image);
  }
}

/** The photo's mean colour, per channel. */
function meanColour({ width, height, channels, data }: RawImage): Float64Array {
  const sum = new Float64Array(channels);
  for (let i = 0; i < width * height * channels; i += 1) sum[i % channels]! += data[i]!;
  return sum.map((s) => s / (width * height));
}

/**
 * 'blur': for (x, y) outside, q = the nearest photo pixel and d = max(|x − qx|, |y − qy|) ≥ 1; the fill
 * is the mean of the photo's outermost pixels (its one-pixel ring) inside the box q ± d. Next to the photo
 * that is the edge pixel and its neighbours; d pixels out, 2d + 1 edge pixels; far out, the ring's mean.
 * The box changes by one pixel per pixel outward, so the fill is continuous, corners included. Prefix sums
 * along the four sides make each point O(channels).
 */
function makeBlurFill(image: RawImage): BorderFill {
  const { width: w, height: h, channels: ch, data } = image;
  // prefix[side][(i + 1)·ch + q] = Σ of channel q over the side's first i + 1 pixels (rows for columns, columns for rows)
  const prefix = (count: number, at: (i: number) => number): Float64Array => {
    const sums = new Float64Array((count + 1) * ch);
    for (let i = 0; i < count; i += 1) for (let q = 0; q < ch; q += 1) sums[(i + 1) * ch + q] = sums[i * ch + q]! + data[at(i) * ch + q]!;
    return sums;
  };
  const left = prefix(h, (y) => y * w);
  const right = prefix(h, (y) => y * w + w - 1);
  const top = prefix(w, (x) => x);
  const bottom = prefix(w, (x) => (h - 1) * w + x);
  return (x, y, colour) => {
    const qx = clamp(x, 0, w - 1);
    const qy = clamp(y, 0, h - 1);
    const d = Math.max(Math.abs(x - qx), Math.abs(y - qy));
    const x0 = Math.max(0, qx - d);
    const x1 = Math.min(w - 1, qx + d);
    const y0 = Math.max(0, qy - d);
    const y1 = Math.min(h - 1, qy + d);
    colour.fill(0);
    let count = 0;
    // Columns first (rows y0..y1), then the rows without the corner pixels the columns already hold.
    if (x0 === 0) count += addRange(colour, left, y0, y1, ch);
    if (x1 === w - 1 && w > 1) count += addRange(colour, right, y0, y1, ch);
    const from = x0 === 0 ? 1 : x0;
    const to = x1 === w - 1 ? w - 2 : x1;
    if (y0 === 0) count += addRange(colour, top, from, to, ch);
    if (y1 === h - 1 && h > 1) count += addRange(colour, bottom, from, to, ch);
    for (let q = 0; q < ch; q += 1) colour[q]! /= count;
  };
}

/** Adds the prefix-summed pixels from..to (inclusive) into `colour`; returns how many that is (0 when from > to). */
function addRange(colour: Float64Array, sums: Float64Array, from: number, to: number, ch: number): number {
  if (from > to) return 0;
  for (let q = 0; q < ch; q += 1) colour[q]! += sums[(to + 1) * ch + q]! - sums[from * ch + q]!;
  return to - from + 1;
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
