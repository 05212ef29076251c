/**
 * The surgical (three-ply, pleated) mask as worn, seen from the front: a rectangle bent over the nose
 * and pulled down under the chin, with welded top and bottom hems, bound side edges, three downward
 * pleats that open towards the middle, a nose wire in the top hem and thin elastic ear loops leaving the
 * four corners towards the ears. Proportions and anchor places follow MaskTheFace's `surgical` template
 * (594×496, b on the nose-bridge top edge, a/c and d/f just inside the corners, e above the chin edge).
 */
import { clipPolylineX, joinPolylines, offsetPolyline, sampleCubic, sampleFunction } from './geometry.js';
import type { FrontalShape, MaskElement } from './shape.js';
import type { Point } from '../types.js';

const HALF = 300;
const SIDE_BINDING = 17;
const HEM = 15;
/** Pleat folds as fractions of the way from the top edge to the bottom edge. */
const PLEATS = [0.37, 0.54, 0.71] as const;

/** Top edge: flat over the cheeks, lifted by the nose. */
const topY = (x: number): number => 62 - 48 * Math.exp(-((x / 105) ** 2));
/** Where the pleats start from: the top edge without most of the nose lift, so the pleats run smoothly. */
const pleatTopY = (x: number): number => 62 - 18 * Math.exp(-((x / 150) ** 2));
/** Bottom edge: straight at the side bindings, pulled down under the chin. */
const bottomY = (x: number): number => 336 + 134 * Math.pow(Math.max(0, 1 - (x / HALF) ** 2), 0.8);

/** The surgical mask in frontal coordinates. */
export function buildSurgicalShape(): FrontalShape {
  const top = sampleFunction(topY, -HALF, HALF, 60);
  const bottom = sampleFunction(bottomY, HALF, -HALF, 60);
  const body = joinPolylines(top, bottom);
  const elements: MaskElement[] = [{ role: 'body', points: body }];

  for (const side of [-1, 1] as const) {
    elements.push(...earLoops(side));
  }
  elements.push({ role: 'band', points: joinPolylines(top, offsetPolyline(top, HEM).reverse()), tone: -0.05 });
  const bottomInner = sampleFunction((x) => bottomY(x) - HEM, HALF, -HALF, 60);
  elements.push({ role: 'band', points: joinPolylines(bottomInner, sampleFunction(bottomY, -HALF, HALF, 60)), tone: -0.05 });
  for (const t of PLEATS) {
    const fold = sampleFunction((x) => pleatTopY(x) + t * (bottomY(x) - pleatTopY(x)), -HALF + SIDE_BINDING, HALF - SIDE_BINDING, 60);
    elements.push({ role: 'fold', points: fold, depth: 1 });
  }
  for (const side of [-1, 1] as const) {
    const inner = side * (HALF - SIDE_BINDING);
    const outer = side * (HALF + 4);
    elements.push({ role: 'band', points: [[inner, 0], [outer, 0], [outer, 500], [inner, 500]], tone: 0.12 });
    elements.push({ role: 'line', points: [[inner, topY(inner)], [inner, bottomY(inner)]], style: 'stitch' });
  }
  const hemLine = clipPolylineX(offsetPolyline(top, HEM), -HALF + SIDE_BINDING, HALF - SIDE_BINDING);
  elements.push({ role: 'line', points: hemLine, style: 'weld' });
  const bottomLine = sampleFunction((x) => bottomY(x) - HEM, -HALF + SIDE_BINDING, HALF - SIDE_BINDING, 60);
  elements.push({ role: 'line', points: bottomLine, style: 'weld' });
  elements.push({ role: 'line', points: sampleFunction((x) => topY(x) + 7.5, -78, 78, 24), style: 'wire' });

  return {
    halfWidth: HALF,
    depth: (x, y) => 24 * Math.exp(-((x / 150) ** 2)) * (0.6 + 0.4 * Math.min(1, y / 300)),
    elements,
    anchors: { a: [-292, 80], b: [0, 24], c: [292, 80], d: [-292, 322], e: [0, 456], f: [292, 322] },
  };
}

/** The upper and lower ear-loop stubs on one side (−1 image left, +1 image right). */
function earLoops(side: -1 | 1): MaskElement[] {
  const s = (points: Point[]): Point[] => points.map(([x, y]): Point => [side * x, y]);
  const upper = sampleCubic([HALF - 6, 70], [HALF + 14, 66], [HALF + 34, 56], [HALF + 50, 42], 16);
  const lower = sampleCubic([HALF - 6, 328], [HALF + 16, 324], [HALF + 36, 304], [HALF + 50, 282], 16);
  return [
    { role: 'strap', points: s(upper), width: 4 },
    { role: 'strap', points: s(lower), width: 4 },
  ];
}
