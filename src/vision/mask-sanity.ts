/**
 * A geometric sanity check of one warped mask: it must cover the nose tip (landmark 30) and both mouth
 * corners (48, 54), stay near the face — at least 95 % of the mask's pixels within the landmarks' bounding
 * box grown by 10 % — and fit it: at most `maxOutsideShare` of the mask's pixels outside the face outline
 * (mask-fit.ts; on the warped coverage at half when the caller has it, else on the region map). The box
 * test alone passes nearly every warp (the grown box reaches past the cheeks); the outline test is the one
 * that catches a mask running past the jaw to the ears. The share of warps that pass is the `warp` stage's
 * quality figure, and the outline test drives its refit.
 */
import { FIT_COVERAGE, measureMaskFit } from './mask-fit.js';
import type { Landmarks68, RawImage } from './types.js';

/** The outline test's threshold when the caller names none (the `warp` stage's default). */
export const DEFAULT_MAX_OUTSIDE_SHARE = 0.06;

export interface PlacementCheck {
  ok: boolean;
  noseTip: boolean;
  mouthCorners: boolean;
  /** fraction of mask pixels inside the grown face box */
  insideFace: number;
  /** fraction of mask pixels outside the face outline (see mask-fit.ts) */
  outsideShare: number;
  /** outsideShare ≤ the threshold */
  fitsFace: boolean;
}

/** Options for {@link checkMaskPlacement}. */
export interface PlacementOptions {
  /** largest share of mask pixels allowed outside the face outline, 0..1. @default DEFAULT_MAX_OUTSIDE_SHARE */
  readonly maxOutsideShare?: number;
  /** the warped coverage (1 channel, 0..255, the region's size): the fit then counts pixels at least half covered */
  readonly coverage?: RawImage;
}

/** Checks `region` (1 channel, 255 inside the mask) against the face's landmarks. */
export function checkMaskPlacement(region: RawImage, landmarks: Landmarks68, options: PlacementOptions = {}): PlacementCheck {
  const maxOutsideShare = options.maxOutsideShare ?? DEFAULT_MAX_OUTSIDE_SHARE;
  if (!(maxOutsideShare >= 0 && maxOutsideShare <= 1)) throw new Error(`checkMaskPlacement: expected maxOutsideShare in 0..1, received ${maxOutsideShare}`);
  const at = (index: number): boolean => {
    const [x, y] = landmarks[index]!;
    const [px, py] = [Math.round(x), Math.round(y)];
    if (px < 0 || py < 0 || px >= region.width || py >= region.height) return false;
    return region.data[py * region.width + px]! > 0;
  };
  const xs = landmarks.map(([x]) => x);
  const ys = landmarks.map(([, y]) => y);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const [padX, padY] = [(maxX - minX) * 0.1, (maxY - minY) * 0.1];
  let inside = 0;
  let total = 0;
  for (let y = 0; y < region.height; y += 1) {
    for (let x = 0; x < region.width; x += 1) {
      if (region.data[y * region.width + x]! === 0) continue;
      total += 1;
      if (x >= minX - padX && x <= maxX + padX && y >= minY - padY && y <= maxY + padY) inside += 1;
    }
  }
  const noseTip = at(30);
  const mouthCorners = at(48) && at(54);
  const insideFace = total === 0 ? 0 : Math.round((inside / total) * 1e4) / 1e4;
  const { outsideShare } = options.coverage === undefined ? measureMaskFit(region, landmarks) : measureMaskFit(options.coverage, landmarks, { threshold: FIT_COVERAGE });
  const fitsFace = outsideShare <= maxOutsideShare;
  return { ok: noseTip && mouthCorners && insideFace >= 0.95 && fitsFace, noseTip, mouthCorners, insideFace, outsideShare, fitsFace };
}
