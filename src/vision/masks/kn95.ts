/**
 * The KN95 folding respirator (duck-bill) as worn: two flat panels meeting at a vertical centre seam
 * that runs from the nose to a rounded point under the chin, a wide straight top edge, a welded border,
 * a welded nose-wire strip along the top, ear loops welded at the upper and lower side corners, and
 * optionally a valve on one side. Each panel is a facet turned away from the viewer, so one side is
 * darker as soon as the head turns. Proportions and anchors follow MaskTheFace's `KN95` template
 * (764×642: a/c at the top corners, d/f further in at the lower sides, b on the top edge, e above the tip).
 */
import type { Point } from '../types.js';
import { joinPolylines, mirrorPolyline, offsetPolyline, sampleCubic, sampleEllipse } from './geometry.js';
import type { FrontalShape, MaskElement } from './shape.js';

const HALF = 372;
/** How far each panel turns away from the viewer, radians. */
const PANEL_YAW = 0.5;

/** Right half of the outline, from the top centre clockwise to the chin point. */
function rightHalf(): Point[] {
  return joinPolylines(
    sampleCubic([0, 6], [120, 8], [270, 34], [370, 48]),
    sampleCubic([370, 48], [374, 140], [360, 240], [330, 322]),
    sampleCubic([330, 322], [284, 446], [150, 584], [0, 632]),
  );
}

/** The folding respirator in frontal coordinates; `valve` adds a round valve on the image-right panel. */
export function buildKn95Shape(valve: boolean): FrontalShape {
  const right = rightHalf();
  const body = joinPolylines(right, mirrorPolyline(right)).slice(0, -1);
  const elements: MaskElement[] = [{ role: 'body', points: body }];
  for (const side of [-1, 1] as const) elements.push(...earLoops(side));
  elements.push({ role: 'facet', points: [[-400, 0], [0, 0], [0, 700], [-400, 700]], yaw: -PANEL_YAW });
  elements.push({ role: 'facet', points: [[0, 0], [400, 0], [400, 700], [0, 700]], yaw: PANEL_YAW });

  // The nose strip: the top 36 px are a separate welded layer holding the nose wire.
  const top = sampleCubic([-370, 48], [-270, 34], [-120, 8], [0, 6]).concat(sampleCubic([0, 6], [120, 8], [270, 34], [370, 48]).slice(1));
  const stripEdge = offsetPolyline(top, 36);
  elements.push({ role: 'band', points: joinPolylines(top, stripEdge.slice().reverse()), tone: 0.07 });
  elements.push({ role: 'line', points: stripEdge.filter(([x]) => Math.abs(x) < 352), style: 'weld' });
  elements.push({ role: 'line', points: offsetPolyline(top, 16).filter(([x]) => Math.abs(x) < 110), style: 'wire' });
  elements.push({ role: 'rim', width: 9, tone: -0.1 });
  elements.push({ role: 'line', points: offsetPolyline(body, 14, true), style: 'weld' });
  elements.push({ role: 'line', points: [[0, 8], [0, 200], [0, 420], [0, 630]], style: 'seam' });
  elements.push({ role: 'fold', points: sampleCubic([-300, 330], [-200, 350], [-110, 372], [-20, 380], 24), depth: 0.35 });
  elements.push({ role: 'fold', points: sampleCubic([20, 380], [110, 372], [200, 350], [300, 330], 24), depth: 0.35 });

  if (valve) {
    elements.push({ role: 'part', points: sampleEllipse(190, 330, 58, 58, 48), fill: '#4d5156', tone: 0 });
    elements.push({ role: 'part', points: sampleEllipse(190, 330, 46, 46, 48), fill: '#e6e8ea', tone: -0.03 });
    for (const dy of [-18, 0, 18]) elements.push({ role: 'line', points: [[162, 330 + dy], [218, 330 + dy]], style: 'seam' });
  }
  return {
    halfWidth: HALF,
    depth: (x) => 60 * Math.max(0, 1 - Math.abs(x) / 300),
    elements,
    anchors: { a: [-366, 52], b: [0, 10], c: [366, 52], d: [-318, 330], e: [0, 600], f: [318, 330] },
  };
}

/** The ear loop on one side with its two weld points (−1 image left, +1 image right). */
function earLoops(side: -1 | 1): MaskElement[] {
  const s = (points: readonly Point[]): Point[] => points.map(([x, y]): Point => [side * x, y]);
  const upper = sampleCubic([356, 62], [376, 58], [398, 48], [414, 34], 16);
  const lower = sampleCubic([326, 312], [352, 306], [384, 286], [408, 262], 16);
  return [
    { role: 'strap', points: s(upper), width: 4.5 },
    { role: 'strap', points: s(lower), width: 4.5 },
    { role: 'part', points: s(sampleEllipse(352, 64, 9, 9, 20)), fill: null, tone: -0.18 },
    { role: 'part', points: s(sampleEllipse(326, 312, 9, 9, 20)), fill: null, tone: -0.18 },
  ];
}
