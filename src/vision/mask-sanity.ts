/**
 * A geometric sanity check of one warped mask: it must cover the nose tip (landmark 30) and both mouth
 * corners (48, 54), and stay inside the face — at least 95 % of the mask's pixels within the landmarks'
 * bounding box grown by 10 %. The share of warps that pass is the `warp` stage's quality figure.
 */
import type { Landmarks68, RawImage } from './types.js';

export interface PlacementCheck {
  ok: boolean;
  noseTip: boolean;
  mouthCorners: boolean;
  /** fraction of mask pixels inside the grown face box */
  insideFace: number;
}

/** Checks `region` (1 channel, 255 inside the mask) against the face's landmarks. */
export function checkMaskPlacement(region: RawImage, landmarks: Landmarks68): PlacementCheck {
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
  return { ok: noseTip && mouthCorners && insideFace >= 0.95, noseTip, mouthCorners, insideFace };
}
