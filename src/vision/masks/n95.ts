/**
 * The N95 cup respirator (moulded, 3M 8210 style) seen from the front: a rounded cup narrow at the
 * nose and widest across the cheeks, a rolled rim, a welded seam just inside it, a metal nose clip,
 * two head straps per side fixed by staples, and optionally an exhalation valve low in the middle. The
 * cup stands well out from the face, so turned views shift its middle sideways. Proportions and anchors
 * follow MaskTheFace's `N95` template (676×540: a/c and d/f at the widest sides, b on the top edge, e
 * just above the chin edge).
 */
import type { Point } from '../types.js';
import { joinPolylines, mirrorPolyline, offsetPolyline, sampleCubic, sampleSuperellipse, translatePolyline } from './geometry.js';
import type { FrontalShape, MaskElement } from './shape.js';

const HALF = 324;

/** Right half of the outline, from the top centre clockwise to the bottom centre. */
function rightHalf(): Point[] {
  return joinPolylines(
    sampleCubic([0, 4], [110, 2], [236, 22], [292, 78]),
    sampleCubic([292, 78], [326, 118], [330, 228], [316, 300]),
    sampleCubic([316, 300], [296, 410], [172, 532], [0, 538]),
  );
}

/** The cup respirator in frontal coordinates; `valve` adds an exhalation valve. */
export function buildN95Shape(valve: boolean): FrontalShape {
  const right = rightHalf();
  const body = joinPolylines(right, mirrorPolyline(right)).slice(0, -1);
  const elements: MaskElement[] = [{ role: 'body', points: body }];
  for (const side of [-1, 1] as const) elements.push(...straps(side));
  elements.push({ role: 'dome', centre: [0, 250], radii: [330, 300] });
  elements.push({ role: 'rim', width: 13, tone: -0.14 });
  elements.push({ role: 'line', points: offsetPolyline(body, 20, true), style: 'weld' });

  // The nose clip: a thin aluminium strip following the top edge.
  const clipTop = sampleCubic([-92, 17], [-40, 12], [40, 12], [92, 17], 20);
  const clipBottom = translatePolyline(clipTop, 0, 14).reverse();
  elements.push({ role: 'part', points: joinPolylines(clipTop, clipBottom), fill: '#c9ced3', tone: 0.1 });

  if (valve) elements.push(...valveParts());
  return {
    halfWidth: HALF,
    depth: (x, y) => 70 * Math.max(0, 1 - (x / 330) ** 2 - ((y - 280) / 300) ** 2),
    elements,
    anchors: { a: [-316, 112], b: [0, 8], c: [316, 112], d: [-318, 285], e: [0, 520], f: [318, 285] },
  };
}

/** The upper and lower head straps and their staples on one side (−1 image left, +1 image right). */
function straps(side: -1 | 1): MaskElement[] {
  const s = (points: readonly Point[]): Point[] => points.map(([x, y]): Point => [side * x, y]);
  const upper = sampleCubic([300, 100], [322, 92], [346, 78], [362, 60], 16);
  const lower = sampleCubic([312, 300], [334, 296], [354, 278], [368, 256], 16);
  const staple = (x: number, y: number): Point[] => s([[x - 6, y - 8], [x + 6, y - 8], [x + 6, y + 8], [x - 6, y + 8]]);
  return [
    { role: 'strap', points: s(upper), width: 7 },
    { role: 'strap', points: s(lower), width: 7 },
    { role: 'part', points: staple(302, 100), fill: '#b8bcc0', tone: 0 },
    { role: 'part', points: staple(312, 298), fill: '#b8bcc0', tone: 0 },
  ];
}

/** An exhalation valve (3M 8511 style): a dark base, a rounded-square cover with louvres, low in the middle. */
function valveParts(): MaskElement[] {
  const elements: MaskElement[] = [
    { role: 'part', points: sampleSuperellipse(0, 352, 74, 64, 3), fill: '#4f5358', tone: 0 },
    { role: 'part', points: sampleSuperellipse(0, 347, 62, 52, 3.5), fill: '#eceef0', tone: 0 },
    { role: 'part', points: sampleSuperellipse(0, 330, 44, 14, 3), fill: '#ffffff', tone: 0 },
  ];
  for (let i = 0; i < 4; i++) {
    const y = 352 + i * 11;
    elements.push({ role: 'line', points: [[-40 + i * 3, y], [40 - i * 3, y]], style: 'seam' });
  }
  return elements;
}
