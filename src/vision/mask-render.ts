/**
 * One mask for one face: draws the style (colour, texture, valve) from the face's seeded generator out of
 * what the kind allows (kind-styles.ts: plain medical colours for surgical, N95 and KN95, a valve only on
 * N95 and KN95, prints on cloth), narrowed by the user's colours and textures, and renders the plain
 * template or the realistic stand-in for the demo's "real mask" domain. The returned style is exactly
 * what was drawn; `note` says when the user's textures did not fit the kind and its own were used.
 */
import { chooseStyleChoices } from './masks/kind-styles.js';
import { renderRealisticTemplate } from './masks/real-mask-renderer.js';
import { renderTemplate } from './masks/render.js';
import type { MaskKind } from './masks/templates.js';
import { sampleMaskStyle, type MaskStyle, type TextureSpec } from './masks/textures.js';
import type { Rng } from '../kit/prng.js';
import type { MaskAnchors, RawImage, TemplateVariant } from './types.js';

type TextureKind = TextureSpec['kind'];

export interface RenderedMask {
  image: RawImage;
  anchors: MaskAnchors;
  /** the style drawn, as drawn: `valve` is true only where a valve is in the picture */
  style: MaskStyle;
  /** why the kind's own textures were used in place of the user's; absent when the user's fitted */
  note?: string;
}

/** Samples a style for `kind` with `rng` and renders it as seen in `variant`. */
export async function renderMask(
  kind: MaskKind,
  variant: TemplateVariant,
  rng: Rng,
  options: { colours?: readonly string[] | undefined; textures?: readonly TextureKind[] | undefined; realistic?: boolean; scale?: number },
): Promise<RenderedMask> {
  const { note, ...choices } = chooseStyleChoices(kind, { colours: options.colours, textures: options.textures });
  const style = sampleMaskStyle(rng, choices);
  const scale = options.scale ?? 0.5;
  const rendered = options.realistic ? await renderRealisticTemplate(kind, variant, style, rng, scale) : await renderTemplate(kind, variant, style, scale);
  return { image: rendered.image, anchors: rendered.anchors, style, ...(note === undefined ? {} : { note }) };
}
