/**
 * Face alignment: the similarity transform (rotation, uniform scale, shift) that puts the two eye centres
 * (means of landmarks 36–41 and 42–47) at canonical places in a square crop, and the crop itself, resampled
 * bilinearly with a border rule where it reaches outside the photo (affine-warp.ts; by default 'blur', no
 * mirrored content). `outsideShare` says how much of a crop lies outside the photo. Coordinates are pixel-index based (pixel (i, j) sits at x = i, y = j) for the image, the crop and
 * the landmarks alike, so a point and the pixel under it move together; the photo covers
 * [−½, width − ½) × [−½, height − ½).
 */
import { applyAffine, DEFAULT_BORDER, invertAffine, warpAffine, type Affine, type BorderMode } from './affine-warp.js';
import type { Landmarks68, Point, RawImage } from './types.js';

export interface AlignOptions {
  /** side of the square crop, px */
  size: number;
  /** height of the eye centres, fraction of `size`; @default 0.40 */
  eyeY?: number;
  /** distance between the eye centres, fraction of `size`; @default 0.36 */
  eyeDistance?: number;
  /** @default DEFAULT_BORDER ('blur') */
  border?: BorderMode;
}

export interface AlignedFace {
  /** the `size`×`size` crop, same channel count as the input */
  image: RawImage;
  /** image → crop */
  transform: Affine;
  /** the 68 landmarks in crop coordinates */
  landmarks: Landmarks68;
  /** share of the crop's pixels whose source point lies outside the photo, 0..1 (see `outsideShare`) */
  outsideShare: number;
}

/** Crops and rotates `image` so the eye centres of `landmarks` land at the canonical positions. */
export function alignFace(image: RawImage, landmarks: Landmarks68, options: AlignOptions): AlignedFace {
  if (landmarks.length !== 68) throw new Error(`alignFace expected 68 landmarks, received ${landmarks.length}`);
  if (!Number.isInteger(options.size) || options.size < 1) throw new Error(`alignFace expected a positive integer size, received ${options.size}`);
  const transform = eyeTransform(landmarks, options);
  return {
    image: warpAffine(image, transform, options.size, options.size, options.border ?? DEFAULT_BORDER),
    transform,
    landmarks: landmarks.map((p) => applyAffine(transform, p)),
    outsideShare: outsideShare(transform, options.size, options.size, image.width, image.height),
  };
}

/**
 * The share of a width×height crop's pixels (u, v) whose source point, `transform` inverted, lies outside
 * a photoWidth×photoHeight photo, i.e. outside [−½, photoWidth − ½) × [−½, photoHeight − ½) (the area the
 * photo's pixels cover): 0 for a crop wholly inside, 1 for one wholly outside. Exact, pixel by pixel.
 */
export function outsideShare(transform: Affine, width: number, height: number, photoWidth: number, photoHeight: number): number {
  const [a, b, c, d, e, f] = invertAffine(transform);
  let outside = 0;
  for (let v = 0; v < height; v += 1) {
    for (let u = 0; u < width; u += 1) {
      const sx = a * u + b * v + c;
      const sy = d * u + e * v + f;
      if (!(sx >= -0.5 && sx < photoWidth - 0.5 && sy >= -0.5 && sy < photoHeight - 0.5)) outside += 1;
    }
  }
  return outside / (width * height);
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

function meanPoint(points: readonly Point[]): Point {
  let x = 0;
  let y = 0;
  for (const p of points) {
    x += p[0];
    y += p[1];
  }
  return [x / points.length, y / points.length];
}
