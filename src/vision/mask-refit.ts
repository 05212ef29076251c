/**
 * Refitting an oversized mask: the face anchors a..f pulled toward the mask's own centre line (the line
 * from b, mid nose bridge, to e, the chin) by a lateral scale, before the homography is fitted again. Only
 * the offset perpendicular to that line shrinks, so b and e stay where they are, the mask keeps its
 * height (nose bridge to chin, the cover the placement check asks for) and narrows toward the middle of
 * the face on a tilted head as on an upright one. The line is the mask's rather than the landmarks' so a
 * turned face's mask narrows about the nose it is drawn around, and each side by its own share.
 */
import type { MaskAnchors, Point } from './types.js';

/**
 * `anchors` with every point's distance from the line b → e multiplied by `scale` (0 < scale ≤ 1; 1 gives
 * the anchors back unchanged). Pixels, image coordinates.
 */
export function narrowAnchors(anchors: MaskAnchors, scale: number): MaskAnchors {
  if (!(scale > 0 && scale <= 1)) throw new Error(`narrowAnchors: expected a lateral scale in (0, 1], received ${scale}`);
  if (scale === 1) return anchors;
  const { b, e } = anchors;
  const length = Math.hypot(e[0] - b[0], e[1] - b[1]);
  if (!(length > 0)) throw new Error(`narrowAnchors: expected the nose-bridge anchor b and the chin anchor e to differ, received both at [${b.join(', ')}]`);
  const v: Point = [(e[0] - b[0]) / length, (e[1] - b[1]) / length]; // unit, down the face
  const narrow = (p: Point): Point => {
    const t = (p[0] - b[0]) * v[0] + (p[1] - b[1]) * v[1];
    const q: Point = [b[0] + t * v[0], b[1] + t * v[1]]; // foot of p on the centre line
    return [q[0] + scale * (p[0] - q[0]), q[1] + scale * (p[1] - q[1])];
  };
  return { a: narrow(anchors.a), b, c: narrow(anchors.c), d: narrow(anchors.d), e, f: narrow(anchors.f) };
}
