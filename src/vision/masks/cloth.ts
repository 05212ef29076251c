/**
 * The contoured cloth mask as worn: two curved fabric halves sewn together along a centre seam that
 * rises to a rounded peak over the nose and drops to a pocket under the chin, top and bottom edges
 * top-stitched, side channels (hemmed and stitched) through which thick fabric ear loops run, and a
 * few soft folds where the fabric gathers at the sides. Proportions and anchors follow MaskTheFace's
 * `cloth` template (800×533: b at the nose peak, e above the chin point, a/c and d/f inside the sides).
 */
import type { Point } from '../types.js';
import { joinPolylines, offsetPolyline, sampleCubic, sampleFunction } from './geometry.js';
import type { FrontalShape, MaskElement } from './shape.js';

const HALF = 300;
const CHANNEL = 26;

/** Top edge: a rounded peak over the nose. */
const topY = (x: number): number => 90 - 80 * Math.exp(-((x / 125) ** 2)) + 0.0001 * x * x;
/** Bottom edge: a soft point under the chin. */
const bottomY = (x: number): number => 318 + 200 * Math.pow(Math.max(0, 1 - Math.abs(x / HALF) ** 1.35), 1.05);

/** The cloth mask in frontal coordinates. */
export function buildClothShape(): FrontalShape {
  const top = sampleFunction(topY, -HALF, HALF, 80);
  const bottom = sampleFunction(bottomY, HALF, -HALF, 80);
  const elements: MaskElement[] = [{ role: 'body', points: joinPolylines(top, bottom) }];
  for (const side of [-1, 1] as const) elements.push(...earLoops(side));

  // The two halves curve away from the seam: a faint facet each, so a turned head darkens the far half.
  elements.push({ role: 'facet', points: [[-340, 0], [0, 0], [0, 560], [-340, 560]], yaw: -0.22 });
  elements.push({ role: 'facet', points: [[0, 0], [340, 0], [340, 560], [0, 560]], yaw: 0.22 });
  for (const side of [-1, 1] as const) {
    const inner = side * (HALF - CHANNEL);
    const outer = side * (HALF + 4);
    elements.push({ role: 'band', points: [[inner, 0], [outer, 0], [outer, 560], [inner, 560]], tone: -0.1 });
    elements.push({ role: 'line', points: [[inner, topY(inner) + 2], [inner, bottomY(inner) - 2]], style: 'stitch' });
    // Gathers: the fabric bunches where the channel pulls it in.
    for (const [y0, y1] of [[130, 150], [205, 215], [268, 262]] as const) {
      const x0 = side * (HALF - CHANNEL - 4);
      const x1 = side * (HALF - CHANNEL - 80);
      elements.push({ role: 'fold', points: sampleCubic([x1, y1], [x1 + side * 30, y1], [x0 - side * 30, y0], [x0, y0], 12), depth: 0.4 });
    }
  }
  const inset = (points: Point[], d: number): Point[] => offsetPolyline(points, d).filter(([x]) => Math.abs(x) < HALF - CHANNEL - 2);
  elements.push({ role: 'line', points: inset(top, 9), style: 'stitch' });
  elements.push({ role: 'line', points: inset(sampleFunction(bottomY, -HALF, HALF, 80), -9), style: 'stitch' });
  elements.push({ role: 'line', points: sampleFunction(() => 0, topY(0), bottomY(0), 40).map(([y]): Point => [0, y]), style: 'seam' });
  elements.push({ role: 'rim', width: 4, tone: -0.12 });
  return {
    halfWidth: HALF,
    depth: (x) => 34 * Math.exp(-((x / 140) ** 2)),
    elements,
    anchors: { a: [-288, 96], b: [0, 16], c: [288, 96], d: [-288, 314], e: [0, 504], f: [288, 314] },
  };
}

/** A thick fabric ear loop on one side (−1 image left, +1 image right): upper and lower ends. */
function earLoops(side: -1 | 1): MaskElement[] {
  const s = (points: readonly Point[]): Point[] => points.map(([x, y]): Point => [side * x, y]);
  const upper = sampleCubic([HALF - 10, 100], [HALF + 16, 94], [HALF + 38, 80], [HALF + 52, 62], 16);
  const lower = sampleCubic([HALF - 10, 306], [HALF + 18, 300], [HALF + 40, 280], [HALF + 52, 256], 16);
  return [
    { role: 'strap', points: s(upper), width: 10 },
    { role: 'strap', points: s(lower), width: 10 },
  ];
}
