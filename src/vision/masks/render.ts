/**
 * Rasterises mask templates with sharp (librsvg): the SVG is rendered at a density of 72·scale dpi, so
 * the image is round(width·scale) × round(height·scale) RGBA pixels with anti-aliased edges, and the
 * anchors are scaled by the actual output size over the template size. librsvg is deterministic: the
 * same SVG gives the same bytes.
 */
import sharp from 'sharp';
import type { MaskAnchors, RawImage, TemplateVariant } from '../types.js';
import { mapAnchors } from './projection.js';
import { buildTemplateSvg, type MaskKind, type MaskTemplate } from './templates.js';
import type { MaskStyle } from './textures.js';

/** A rendered template: RGBA pixels and the anchors a..f in those pixels. */
export interface RenderedTemplate {
  readonly image: RawImage;
  readonly anchors: MaskAnchors;
}

/** The template of `kind` for `variant` in `style`, rendered at `scale` × its SVG size. */
export async function renderTemplate(kind: MaskKind, variant: TemplateVariant, style: MaskStyle, scale = 1): Promise<RenderedTemplate> {
  return rasteriseTemplate(buildTemplateSvg(kind, variant, style), scale);
}

/** Any `MaskTemplate` rendered at `scale` × its SVG size. */
export async function rasteriseTemplate(template: MaskTemplate, scale = 1): Promise<RenderedTemplate> {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`renderTemplate: scale expected a positive number, received ${scale}`);
  const { data, info } = await sharp(Buffer.from(template.svg), { density: 72 * scale })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) throw new Error(`renderTemplate: expected 4 channels from sharp, received ${info.channels}`);
  const sx = info.width / template.width;
  const sy = info.height / template.height;
  return {
    image: { width: info.width, height: info.height, channels: 4, data: new Uint8Array(data.buffer, data.byteOffset, data.length) },
    anchors: mapAnchors(template.anchors, ([x, y]) => [x * sx, y * sy]),
  };
}
