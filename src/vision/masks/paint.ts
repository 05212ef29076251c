/**
 * Paints a `ProjectedShape` as one SVG document in a `MaskStyle`. Straps go behind the fabric; the
 * fabric colour, its texture, panels, bands, pleat folds and shading are clipped to the body outline, so
 * every edge is the body's anti-aliased edge; lines and solid parts go on top. Light and shade are black
 * or white overlays of varying opacity, so any fabric colour works. Curvature shading follows the head
 * cylinder of the variant (darker where the fabric turns away), plus light from above. The realistic
 * stand-in renderer passes `PaintOptions` (soft folds, a feathered edge, noise overlays) to the same painter.
 */
import { brightnessOf, checkHexColour } from './colour.js';
import { formatNumber, formatPath } from './geometry.js';
import { findBody, type LineStyle, type MaskElement, type ProjectedShape } from './shape.js';
import { buildTextureLayer, type MaskStyle } from './textures.js';

/** Extra painting for renderers that want more than the plain template. */
export interface PaintOptions {
  /** SVG put inside `<defs>` */
  readonly defs?: string;
  /** SVG painted inside the body clip after shading (e.g. noise, highlights) */
  readonly overlay?: string;
  /** multiplier on all shading opacities. @default 1 */
  readonly shadeGain?: number;
  /** fold shadows as wide soft gradients (layered strokes; cheaper than an SVG blur). @default false */
  readonly softFolds?: boolean;
  /** a one-to-two pixel semi-transparent fringe outside the body: a soft edge. @default false */
  readonly feather?: boolean;
}

const n = formatNumber;

/** The SVG text for `shape` painted with `style`; `strapColour` paints ear loops and straps. */
export function paintMaskSvg(shape: ProjectedShape, style: MaskStyle, strapColour: string, options: PaintOptions = {}): string {
  const colour = checkHexColour(style.colour);
  if (!(style.shade >= 0 && style.shade <= 1)) throw new Error(`mask style: shade expected a number in 0..1, received ${style.shade}`);
  const k = style.shade * (options.shadeGain ?? 1);
  const { width, height } = shape;
  const body = formatPath(findBody(shape.elements), true);
  // A turned head sees the print at an angle: narrower, by roughly the cosine of the turn.
  const texture = buildTextureLayer(style.texture, colour, width, height, 'tex', Math.cos(shape.yaw));
  const dark = brightnessOf(colour) < 0.25;
  const of = <R extends MaskElement['role']>(role: R): Extract<MaskElement, { role: R }>[] =>
    shape.elements.filter((e): e is Extract<MaskElement, { role: R }> => e.role === role);

  const defs = [
    `<clipPath id="body"><path d="${body}"/></clipPath>`,
    texture.defs,
    curvatureGradient(shape, k),
    `<linearGradient id="light" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#fff" stop-opacity="${n3(0.16 * k)}"/>` +
      `<stop offset="0.45" stop-color="#fff" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity="${n3(0.3 * k)}"/></linearGradient>`,
    ...of('dome').map((d, i) => domeGradient(`dome${i}`, d, k)),
    options.defs ?? '',
  ].join('');

  const inside: string[] = [texture.layer];
  for (const f of of('facet')) {
    const turn = Math.max(0, 1 - Math.cos(f.yaw + shape.yaw));
    inside.push(`<path d="${formatPath(f.points, true)}" fill="#000" fill-opacity="${n3(Math.min(0.45, 0.5 * turn * k + 0.02))}"/>`);
  }
  for (const b of of('band')) inside.push(`<path d="${formatPath(b.points, true)}" ${tone(b.tone * (0.5 + k))}/>`);
  for (const f of of('fold')) inside.push(paintFold(formatPath(f.points, false), f.depth, k, dark, options.softFolds ?? false));
  inside.push(`<rect width="${width}" height="${height}" fill="url(#curve)"/>`, `<rect width="${width}" height="${height}" fill="url(#light)"/>`);
  of('dome').forEach((_, i) => inside.push(`<rect width="${width}" height="${height}" fill="url(#dome${i})"/>`));
  for (const r of of('rim')) inside.push(`<path d="${body}" fill="none" stroke-width="${n(2 * r.width)}" ${tone(r.tone * (0.5 + k), 'stroke')}/>`);
  inside.push(options.overlay ?? '');

  const straps = of('strap').map((s) => paintStrap(formatPath(s.points, false), s.width, strapColour));
  // Lines and parts in the shape's own order, so a valve's slots can lie on the valve.
  const onTop = shape.elements.map((e) => {
    if (e.role === 'line') return paintLine(formatPath(e.points, false), e.style, dark);
    if (e.role !== 'part') return '';
    const d = formatPath(e.points, true);
    return `<path d="${d}" fill="${e.fill ?? colour}"/><path d="${d}" ${tone(e.tone)}/><path d="${d}" fill="none" stroke="#000" stroke-opacity="0.45" stroke-width="1.2"/>`;
  });
  const feather = options.feather === true ? `<path d="${body}" fill="none" stroke="${colour}" stroke-opacity="0.35" stroke-width="3.5"/>` : '';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<defs>${defs}</defs>${straps.join('')}${feather}<path d="${body}" fill="${colour}"/>` +
    `<g clip-path="url(#body)">${inside.join('')}</g>${onTop.join('')}` +
    `<path d="${body}" fill="none" stroke="#000" stroke-opacity="${dark ? 0.6 : 0.32}" stroke-width="1.4"/></svg>`
  );
}

/** Horizontal shading from the head cylinder: opacity grows as the surface turns away from the viewer. */
function curvatureGradient(shape: ProjectedShape, k: number): string {
  const stops: string[] = [];
  const steps = 24;
  for (let i = 0; i <= steps; i++) {
    const x = (shape.width * i) / steps;
    const s = Math.max(-1, Math.min(1, (x - shape.axisX) / shape.radius));
    const facing = Math.sqrt(1 - s * s);
    stops.push(`<stop offset="${n3(i / steps)}" stop-color="#000" stop-opacity="${n3(Math.min(0.75, 0.55 * k * (1 - facing) ** 1.3))}"/>`);
  }
  return `<linearGradient id="curve" gradientUnits="userSpaceOnUse" x1="0" y1="0" x2="${shape.width}" y2="0">${stops.join('')}</linearGradient>`;
}

/** A radial light for a raised cup: bright near the top of the centre, darker towards the rim. */
function domeGradient(id: string, dome: Extract<MaskElement, { role: 'dome' }>, k: number): string {
  const [cx, cy] = dome.centre;
  const [rx, ry] = dome.radii;
  const t = `translate(${n(cx)} ${n(cy)}) scale(1 ${n3(ry / rx)}) translate(${n(-cx)} ${n(-cy)})`;
  return (
    `<radialGradient id="${id}" gradientUnits="userSpaceOnUse" cx="${n(cx)}" cy="${n(cy)}" r="${n(rx)}" fx="${n(cx)}" fy="${n(cy - 0.35 * rx)}" gradientTransform="${t}">` +
    `<stop offset="0" stop-color="#fff" stop-opacity="${n3(0.3 * k)}"/><stop offset="0.55" stop-color="#fff" stop-opacity="0"/>` +
    `<stop offset="0.85" stop-color="#000" stop-opacity="${n3(0.12 * k)}"/><stop offset="1" stop-color="#000" stop-opacity="${n3(0.3 * k)}"/></radialGradient>`
  );
}

/**
 * A pleat fold of `depth` (1 a full pleat, below 0.5 a soft crease without a crisp edge) at shading
 * strength `k`: a shadow below, a highlight above; `soft` widens both into layered gradients.
 */
function paintFold(d: string, depth: number, k: number, dark: boolean, soft: boolean): string {
  const s = depth * k;
  const stroke = (dy: number, colour: string, opacity: number, width: number): string =>
    `<path d="${d}" transform="translate(0 ${dy})" fill="none" stroke="${colour}" stroke-opacity="${n3(opacity)}" stroke-width="${width}" stroke-linecap="round"/>`;
  const layers = soft
    ? [stroke(9, '#000', 0.06 * s, 18), stroke(6, '#000', 0.08 * s, 11), stroke(3.5, '#000', 0.12 * s, 6), stroke(1.5, '#000', 0.16 * s, 2.5),
       stroke(-5, '#fff', (dark ? 0.12 : 0.16) * s, 9), stroke(-2.5, '#fff', (dark ? 0.14 : 0.2) * s, 4)]
    : [stroke(6, '#000', 0.16 * s, 12), stroke(2, '#000', 0.34 * s, 4), stroke(-3, '#fff', (dark ? 0.3 : 0.4) * s, 5)];
  if (depth >= 0.5) layers.push(stroke(0, dark ? '#fff' : '#000', (dark ? 0.25 : 0.45) * Math.min(1, depth), 1.3));
  return layers.join('');
}

/** A strap: a dark edge under the strap colour, round ends. */
function paintStrap(d: string, width: number, colour: string): string {
  const common = 'fill="none" stroke-linecap="round" stroke-linejoin="round"';
  return `<path d="${d}" ${common} stroke="#000" stroke-opacity="0.45" stroke-width="${n(width + 1.6)}"/><path d="${d}" ${common} stroke="${colour}" stroke-width="${n(width)}"/>`;
}

/** A line on the fabric in its style. */
function paintLine(d: string, style: LineStyle, dark: boolean): string {
  const ink = dark ? '#fff' : '#000';
  const path = (attrs: string): string => `<path d="${d}" fill="none" stroke-linecap="round" ${attrs}/>`;
  switch (style) {
    case 'seam':
      return path(`stroke="#fff" stroke-opacity="0.35" stroke-width="2.4" transform="translate(1.5 0)"`) + path(`stroke="${ink}" stroke-opacity="0.5" stroke-width="1.6"`);
    case 'stitch':
      return path(`stroke="${ink}" stroke-opacity="0.45" stroke-width="1.6" stroke-dasharray="6 4"`);
    case 'weld':
      return path(`stroke="${ink}" stroke-opacity="0.32" stroke-width="2.6" stroke-dasharray="0.1 5"`);
    case 'wire':
      return path(`stroke="#000" stroke-opacity="0.25" stroke-width="2" transform="translate(0 2.5)"`) + path(`stroke="#fff" stroke-opacity="0.45" stroke-width="4"`);
  }
}

/** Fill attributes for a tone: black below zero, white above, opacity |tone|. */
function tone(value: number, attr: 'fill' | 'stroke' = 'fill'): string {
  const v = Math.max(-0.8, Math.min(0.8, value));
  return `${attr}="${v < 0 ? '#000' : '#fff'}" ${attr}-opacity="${n3(Math.abs(v))}"`;
}

/** Three decimals at most. */
function n3(v: number): string {
  return (Math.round(v * 1000) / 1000).toString();
}
