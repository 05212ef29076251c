/**
 * STAND-IN, NOT REAL DATA. The demo's "real mask" domain: no package ships photographs of people in
 * masks, so this renders the same mask geometry as templates.ts more photo-like, to give the translator
 * a second domain that differs from the flat templates in the ways real photos do: stronger light from
 * above at a random angle, soft wide fold shadows with wavy pleats and extra wrinkles, straps drawn on
 * out to the image edge (towards the ears), slightly irregular outlines with a feathered edge, blotchy
 * low-frequency shading and fine sensor-like grain. All randomness comes from the given rng, so a seed
 * fixes the picture. Results from this domain say nothing about real masked faces.
 */
import type { Rng } from '../../kit/prng.js';
import type { Point, TemplateVariant } from '../types.js';
import { boundsOf, densifyPolyline, offsetPolyline, sampleCubic, translatePolyline } from './geometry.js';
import { mapAnchors } from './projection.js';
import { rasteriseTemplate, type RenderedTemplate } from './render.js';
import { findBody, type MaskElement, type ProjectedShape } from './shape.js';
import { buildMaskShape, paintTemplate, type MaskKind, type MaskTemplate } from './templates.js';
import { buildNoiseTile, type MaskStyle } from './textures.js';

/** Extra canvas on each side for the straps, as a fraction of the template width. */
const STRAP_ROOM = 0.16;

/** The realistic stand-in SVG of `kind` for `variant` in `style`; draws from `rng`. */
export function buildRealisticMaskSvg(kind: MaskKind, variant: TemplateVariant, style: MaskStyle, rng: Rng): MaskTemplate {
  const base = padShape(buildMaskShape(kind, variant, { valve: style.valve ?? false }), Math.round(STRAP_ROOM * 700));
  const elements = base.elements.map((e) => roughen(e, base, rng));
  elements.push(...addWrinkles(kind, base, rng));
  const shape: ProjectedShape = { ...base, elements };
  const { width, height } = shape;
  const lightAngle = rng.range(-25, 25);
  const grain = rng.range(0.5, 0.9);
  const k = style.shade;
  // NOTE: grain comes from small tiles (fine enough that their seams do not show) and blotches from soft
  // radial gradients, not canvas-sized feTurbulence: librsvg's turbulence and blur filters cost about a
  // second per template at this size, these a few milliseconds.
  const defs =
    buildNoiseTile('grain-dark', { frequency: 0.9, octaves: 1, seed: 1 + rng.int(9999), tile: 128, matrix: '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 2.5 0 0 0 -1.2' }) +
    buildNoiseTile('grain-light', { frequency: 0.9, octaves: 1, seed: 1 + rng.int(9999), tile: 128, matrix: '0 0 0 0 1 0 0 0 0 1 0 0 0 0 1 2.5 0 0 0 -1.2' }) +
    `<linearGradient id="sun" gradientTransform="rotate(${(90 + lightAngle).toFixed(1)} 0.5 0.5)">` +
    `<stop offset="0" stop-color="#fff" stop-opacity="${(0.22 * k).toFixed(3)}"/><stop offset="0.5" stop-color="#fff" stop-opacity="0"/>` +
    `<stop offset="1" stop-color="#000" stop-opacity="${(0.35 * k).toFixed(3)}"/></linearGradient>`;
  const cover = (attrs: string): string => `<rect width="${width}" height="${height}" ${attrs}/>`;
  const overlay =
    cover('fill="url(#sun)"') +
    buildBlotches(width, height, k, rng) +
    cover(`fill="url(#grain-dark)" opacity="${(0.14 * grain).toFixed(3)}"`) +
    cover(`fill="url(#grain-light)" opacity="${(0.12 * grain).toFixed(3)}"`);
  return paintTemplate(shape, kind, style, { defs, overlay, shadeGain: 1.35, softFolds: true, feather: true });
}

/** The realistic stand-in rendered like `renderTemplate` (RGBA and anchors, `scale` × the SVG size). */
export async function renderRealisticTemplate(
  kind: MaskKind,
  variant: TemplateVariant,
  style: MaskStyle,
  rng: Rng,
  scale = 1,
): Promise<RenderedTemplate> {
  return rasteriseTemplate(buildRealisticMaskSvg(kind, variant, style, rng), scale);
}

/** The shape on a canvas `pad` pixels wider on the left and on the right. */
function padShape(shape: ProjectedShape, pad: number): ProjectedShape {
  const move = (p: Point): Point => [p[0] + pad, p[1]];
  const elements = shape.elements.map((e): MaskElement => {
    if (e.role === 'dome') return { ...e, centre: move(e.centre) };
    if ('points' in e) return { ...e, points: translatePolyline(e.points, pad, 0) };
    return e;
  });
  return { ...shape, width: shape.width + 2 * pad, axisX: shape.axisX + pad, elements, anchors: mapAnchors(shape.anchors, move) };
}

/** Straps drawn on to the canvas edge; folds and the outline made slightly irregular; the rest unchanged. */
function roughen(element: MaskElement, shape: ProjectedShape, rng: Rng): MaskElement {
  if (element.role === 'body') return { ...element, points: wobbleOutline(element.points, rng.range(0.8, 1.8), rng) };
  if (element.role === 'fold') {
    const phase = rng.range(0, 2 * Math.PI);
    const amp = rng.range(1, 3);
    const wave = densifyPolyline(element.points, 8, false).map(([x, y]): Point => [x, y + amp * Math.sin(x / 37 + phase) + 0.6 * amp * Math.sin(x / 13 + 2 * phase)]);
    return { ...element, points: wave };
  }
  if (element.role !== 'strap' || element.points.length < 2) return element;
  const tip = element.points[element.points.length - 1]!;
  const before = element.points[element.points.length - 2]!;
  const dx = tip[0] - before[0];
  const dy = tip[1] - before[1];
  const edge = dx < 0 ? 0 : shape.width;
  const run = Math.abs(edge - tip[0]);
  if (run < 4 || dx === 0) return element;
  // Continue in the tip's direction, levelling off: straps run back to the ears, not up the head.
  const rise = Math.max(-tip[1], Math.min(shape.height - tip[1], (dy / Math.abs(dx)) * run * 0.45));
  const end: Point = [edge, tip[1] + rise];
  const c1: Point = [tip[0] + Math.sign(dx) * run * 0.35, tip[1] + (dy / Math.abs(dx)) * run * 0.35];
  const c2: Point = [tip[0] + Math.sign(dx) * run * 0.7, end[1]];
  return { ...element, points: [...element.points, ...sampleCubic(tip, c1, c2, end, 16).slice(1)] };
}

/** Uneven low-frequency light: soft dark and light blotches at random places. */
function buildBlotches(width: number, height: number, k: number, rng: Rng): string {
  const out: string[] = [];
  const count = 10 + rng.int(8);
  for (let i = 0; i < count; i++) {
    const colour = rng.next() < 0.5 ? '#000' : '#fff';
    const opacity = (rng.range(0.05, 0.13) * k).toFixed(3);
    const [cx, cy, rx, ry] = [rng.range(0, width), rng.range(0, height), rng.range(50, 170), rng.range(40, 120)];
    out.push(
      `<radialGradient id="blotch${i}"><stop offset="0" stop-color="${colour}" stop-opacity="${opacity}"/><stop offset="1" stop-color="${colour}" stop-opacity="0"/></radialGradient>` +
        `<ellipse cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" rx="${rx.toFixed(1)}" ry="${ry.toFixed(1)}" fill="url(#blotch${i})"/>`,
    );
  }
  return out.join('');
}

/** A closed outline moved in and out along its normal by smooth noise of about `amplitude` pixels. */
function wobbleOutline(points: readonly Point[], amplitude: number, rng: Rng): Point[] {
  const waves = [0, 1, 2].map((i) => ({ period: rng.range(20, 60) / (i + 1), phase: rng.range(0, 2 * Math.PI), weight: 1 / (i + 1) }));
  const dense = densifyPolyline(points, 4, true);
  const normal = offsetPolyline(dense, 1, true);
  let along = 0;
  return dense.map((p, i) => {
    if (i > 0) along += Math.hypot(p[0] - dense[i - 1]![0], p[1] - dense[i - 1]![1]);
    const push = (amplitude / 1.83) * waves.reduce((sum, w) => sum + w.weight * Math.sin(along / w.period + w.phase), 0);
    const q = normal[i]!;
    return [p[0] + (q[0] - p[0]) * push, p[1] + (q[1] - p[1]) * push];
  });
}

/** A few faint random creases on soft masks (surgical, cloth), clipped to the body like the pleats. */
function addWrinkles(kind: MaskKind, shape: ProjectedShape, rng: Rng): MaskElement[] {
  if (kind !== 'surgical' && kind !== 'cloth') return [];
  const box = boundsOf([findBody(shape.elements)]);
  const out: MaskElement[] = [];
  const count = 3 + rng.int(4);
  for (let i = 0; i < count; i++) {
    const x = rng.range(box.minX + 30, box.maxX - 90);
    const y = rng.range(box.minY + 60, box.maxY - 60);
    const length = rng.range(50, 120);
    const bend = rng.range(-12, 12);
    out.push({ role: 'fold', points: sampleCubic([x, y], [x + length / 3, y + bend], [x + (2 * length) / 3, y - bend], [x + length, y + rng.range(-8, 8)], 12), depth: rng.range(0.15, 0.35) });
  }
  return out;
}
