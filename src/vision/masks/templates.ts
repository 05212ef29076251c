/**
 * The project's own mask templates, drawn as SVG (MaskTheFace's template images may not be shipped):
 * four kinds (surgical, N95, KN95, cloth), each frontal or turned ('left'/'right'), each with the six
 * anchors a..f in template pixels that the homography maps onto the face points (b nose bridge, a/c upper
 * cheeks, d/f lower cheeks, e chin; see MODEL.md §4.2). Geometry comes from the per-kind shape builders,
 * bent into the variant's view by projection.ts; colour, texture and shading come from a `MaskStyle`.
 */
import type { MaskAnchors, TemplateVariant } from '../types.js';
import { buildClothShape } from './cloth.js';
import { mixColours } from './colour.js';
import { buildKn95Shape } from './kn95.js';
import { buildN95Shape } from './n95.js';
import { paintMaskSvg, type PaintOptions } from './paint.js';
import { projectShape } from './projection.js';
import type { FrontalShape, ProjectedShape } from './shape.js';
import { buildSurgicalShape } from './surgical.js';
import type { MaskStyle } from './textures.js';

/** The mask kinds there are templates for. */
export const MASK_KINDS = ['surgical', 'n95', 'kn95', 'cloth'] as const;
export type MaskKind = (typeof MASK_KINDS)[number];

/** The kinds that can have an exhalation valve; asking any other kind for one is an error. */
export const KINDS_WITH_VALVE = ['n95', 'kn95'] as const satisfies readonly MaskKind[];

/** Every template variant, frontal first. */
export const TEMPLATE_VARIANTS = ['frontal', 'left', 'right'] as const satisfies readonly TemplateVariant[];

/** A template as SVG text, its pixel size and its anchors in those pixels. */
export interface MaskTemplate {
  readonly svg: string;
  readonly width: number;
  readonly height: number;
  readonly anchors: MaskAnchors;
}

/** The shape of `kind` drawn for `variant` on its own canvas (no colour yet); drawn once per process, then shared. */
export function buildMaskShape(kind: MaskKind, variant: TemplateVariant, options: { readonly valve?: boolean } = {}): ProjectedShape {
  if (!(MASK_KINDS as readonly string[]).includes(kind)) throw new Error(`mask template: kind expected one of ${MASK_KINDS.join(', ')}, received '${kind}'`);
  if (!(TEMPLATE_VARIANTS as readonly string[]).includes(variant)) {
    throw new Error(`mask template: variant expected one of ${TEMPLATE_VARIANTS.join(', ')}, received '${variant}'`);
  }
  if (options.valve === true && !(KINDS_WITH_VALVE as readonly string[]).includes(kind)) {
    // NOTE: an error, not a silent drop, so no style can claim a valve the picture does not show.
    throw new Error(`mask template: valve expected only on ${KINDS_WITH_VALVE.join(', ')}, received one for '${kind}'`);
  }
  const key = `${kind}/${variant}/${options.valve === true ? 'valve' : 'plain'}`;
  let shape = SHAPES.get(key);
  if (shape === undefined) {
    shape = projectShape(buildFrontalShape(kind, options.valve ?? false), variant);
    SHAPES.set(key, shape);
  }
  return shape;
}

/**
 * Shapes already drawn, by kind, variant and valve: a shape depends on nothing else (style is painted on
 * afterwards, and nothing changes a shape once drawn), and `warp` asks for one per face.
 */
const SHAPES = new Map<string, ProjectedShape>();

/** The SVG template of `kind` for `variant`, painted in `style`. */
export function buildTemplateSvg(kind: MaskKind, variant: TemplateVariant, style: MaskStyle): MaskTemplate {
  return paintTemplate(buildMaskShape(kind, variant, { valve: style.valve ?? false }), kind, style);
}

/** A projected shape painted as a template; `options` let other renderers add filters and overlays. */
export function paintTemplate(shape: ProjectedShape, kind: MaskKind, style: MaskStyle, options: PaintOptions = {}): MaskTemplate {
  const svg = paintMaskSvg(shape, style, chooseStrapColour(kind, style.colour), options);
  return { svg, width: shape.width, height: shape.height, anchors: shape.anchors };
}

/** What ear loops and straps look like on each kind: white elastic, pale braided straps, or the fabric. */
export function chooseStrapColour(kind: MaskKind, colour: string): string {
  switch (kind) {
    case 'surgical':
      return mixColours(colour, '#f4f4f2', 0.7);
    case 'n95':
      return mixColours(colour, '#e9e3cf', 0.75);
    case 'kn95':
      return mixColours(colour, '#f4f4f2', 0.8);
    case 'cloth':
      return mixColours(colour, '#000000', 0.12);
  }
}

/** The frontal drawing of `kind`. */
function buildFrontalShape(kind: MaskKind, valve: boolean): FrontalShape {
  switch (kind) {
    case 'surgical':
      return buildSurgicalShape();
    case 'n95':
      return buildN95Shape(valve);
    case 'kn95':
      return buildKn95Shape(valve);
    case 'cloth':
      return buildClothShape();
  }
}
