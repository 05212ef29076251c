/**
 * How well a warped mask fits the face: the share of the mask's pixels that lie outside the face outline.
 * The mask's pixels are those it covers at least half (warped coverage ≥ FIT_COVERAGE): that is where its
 * edge lies whether the edge is sharp, anti-aliased, feathered or blurred to match the photo. The region
 * map (coverage ≥ 1, so the NMC loss guards every changed pixel) would also count a soft edge's fringe,
 * and score a blurred mask as running past the jaw when only its softness does; any 1-channel map works
 * with a threshold (a 0/255 region map with the default 1). The outline is the jaw polyline 0..16
 * closed through the top of the nose bridge (27): 0 → 1 → … → 16 → 27 → 0. Why this outline: a mask
 * belongs between the cheeks and under the nose bridge, and the jaw contour is the face's visible edge on
 * both sides — on a turned head the far side's jaw points sit on its silhouette, so the outline follows the
 * foreshortened cheek instead of assuming a symmetric face. Jaw 0 and 16 sit at about eye height, by the
 * ears, and 27 between the eyes, so the top edge lies above every place a mask is meant to reach (its top,
 * anchor b, is the middle of the nose bridge, 27..30). We considered adding the jaw's mirror image over
 * the nose–chin axis, as issue 12 suggested: on a frontal face it is the same jaw and adds nothing; on a
 * turned face the mirrored near cheek lands beyond the far one, out in the background, exactly where an
 * oversized mask should be caught (and intersecting with the mirror instead would cut off the near cheek).
 * The metric counts only pixels inside the image: a mask that runs past the crop edge is scored by what is
 * visible of it.
 */
import { fillPolygon } from './polygon-fill.js';
import type { Landmarks68, Point, RawImage } from './types.js';

/** Coverage (0..255) from which a pixel is the mask's for the fit: half covered. */
export const FIT_COVERAGE = 128;

/** The landmark indices of the face outline, in drawing order (the polygon closes back to the first). */
export const FACE_OUTLINE = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 27] as const;

/** A warped mask measured against the face outline. */
export interface MaskFit {
  /** outsidePixels / maskPixels, rounded to 4 decimals; 0 when there are no mask pixels */
  readonly outsideShare: number;
  /** pixels at or above the threshold */
  readonly maskPixels: number;
  /** mask pixels whose centre lies outside the face outline */
  readonly outsidePixels: number;
}

/** The face outline polygon in image pixels (see the module comment). */
export function traceFaceOutline(landmarks: Landmarks68): Point[] {
  if (landmarks.length !== 68) throw new Error(`traceFaceOutline: expected 68 landmarks (iBUG layout), received ${landmarks.length}`);
  return FACE_OUTLINE.map((i) => landmarks[i]!);
}

/** [height·width], row-major: 1 inside the face outline of `landmarks`, else 0. */
export function fillFaceOutline(landmarks: Landmarks68, width: number, height: number): Uint8Array {
  return fillPolygon(traceFaceOutline(landmarks), width, height);
}

/** Options for {@link measureMaskFit} and {@link mapOutsidePixels}. */
export interface FitOptions {
  /** value (1..255) from which a pixel of the map is the mask's: FIT_COVERAGE for a coverage map. @default 1 */
  readonly threshold?: number;
  /** the filled outline when the caller already has it ({@link fillFaceOutline}, the map's size) */
  readonly outline?: Uint8Array;
}

/** The fit of the mask in `map` (1 channel: a region map, or a coverage map with threshold FIT_COVERAGE) on the face of `landmarks`. */
export function measureMaskFit(map: RawImage, landmarks: Landmarks68, options: FitOptions = {}): MaskFit {
  const threshold = checkMap(map, options, 'measureMaskFit');
  const face = options.outline ?? fillFaceOutline(landmarks, map.width, map.height);
  if (face.length !== map.width * map.height) {
    throw new Error(`measureMaskFit: expected an outline of ${map.width}×${map.height} pixels, received ${face.length}`);
  }
  let maskPixels = 0;
  let outsidePixels = 0;
  for (let i = 0; i < face.length; i++) {
    if (map.data[i]! < threshold) continue;
    maskPixels += 1;
    if (face[i] === 0) outsidePixels += 1;
  }
  const outsideShare = maskPixels === 0 ? 0 : Math.round((outsidePixels / maskPixels) * 1e4) / 1e4;
  return { outsideShare, maskPixels, outsidePixels };
}

/** 1 channel, the size of `map`: 255 where a mask pixel (see {@link measureMaskFit}) lies outside the face outline, else 0. */
export function mapOutsidePixels(map: RawImage, landmarks: Landmarks68, options: FitOptions = {}): RawImage {
  const threshold = checkMap(map, options, 'mapOutsidePixels');
  const face = options.outline ?? fillFaceOutline(landmarks, map.width, map.height);
  const data = new Uint8Array(face.length);
  for (let i = 0; i < face.length; i++) if (map.data[i]! >= threshold && face[i] === 0) data[i] = 255;
  return { width: map.width, height: map.height, channels: 1, data };
}

/** Checks the map and the threshold; returns the threshold. */
function checkMap(map: RawImage, options: FitOptions, caller: string): number {
  if (map.channels !== 1 || map.data.length !== map.width * map.height) {
    throw new Error(`${caller}: expected a 1-channel map of ${map.width}×${map.height} bytes, received ${map.channels} channels, ${map.data.length} bytes`);
  }
  const threshold = options.threshold ?? 1;
  if (!(Number.isInteger(threshold) && threshold >= 1 && threshold <= 255)) throw new Error(`${caller}: expected a threshold in 1..255, received ${threshold}`);
  return threshold;
}
