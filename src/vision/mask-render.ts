/**
 * One mask for one face: draws the style (colour, texture, valve) from the face's seeded generator and
 * renders the plain template, or the realistic stand-in for the demo's "real mask" domain.
 */
import { renderRealisticTemplate } from './masks/real-mask-renderer.js';
import { renderTemplate } from './masks/render.js';
import type { MaskKind } from './masks/templates.js';
import { sampleMaskStyle, type MaskStyle, type TextureSpec } from './masks/textures.js';

type TextureKind = TextureSpec['kind'];
import type { Rng } from '../kit/prng.js';
import type { MaskAnchors, RawImage, TemplateVariant } from './types.js';

export interface RenderedMask {
  image: RawImage;
  anchors: MaskAnchors;
  style: MaskStyle;
}

/** Samples a style with `rng` and renders `kind` as seen in `variant`. */
export async function renderMask(
  kind: MaskKind,
  variant: TemplateVariant,
  rng: Rng,
  options: { colours?: readonly string[] | undefined; textures?: readonly TextureKind[] | undefined; realistic?: boolean; scale?: number },
): Promise<RenderedMask> {
  const style = sampleMaskStyle(rng, { ...(options.colours ? { colours: options.colours } : {}), ...(options.textures ? { textures: options.textures } : {}) });
  const scale = options.scale ?? 0.5;
  const rendered = options.realistic ? await renderRealisticTemplate(kind, variant, style, rng, scale) : await renderTemplate(kind, variant, style, scale);
  return { image: rendered.image, anchors: rendered.anchors, style };
}
