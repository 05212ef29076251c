/**
 * What each mask kind is made of, as real ones are: surgical masks are plain non-woven fabric in the
 * medical colours (light blue, white, green, black) and never have a valve; N95 and KN95 respirators are
 * plain non-woven, white or cream (N95) or white, black, grey, light blue (KN95), and may have an
 * exhalation valve; cloth masks are woven cotton in many colours, mostly printed (dots, stripes, gingham
 * check, florals). `chooseStyleChoices` turns a kind and the user's `colours` / `textures` into what
 * `sampleMaskStyle` draws from. The rule: the user's colours replace every kind's palette (asking for red
 * gets red surgical masks); the user's textures narrow each kind's own set (the intersection, drawn
 * uniformly), and where that leaves nothing (say only prints for a surgical mask) the kind keeps its own
 * set and the result carries a note saying so, which the warp stage writes into that image's metadata.
 */
import type { MaskKind } from './templates.js';
import type { MaskStyleOptions, TextureSpec } from './textures.js';

type TextureKind = TextureSpec['kind'];

/** One kind's look: palettes and texture kinds, repeated by weight, and how often it has a valve. */
export interface KindStyle {
  /** fabric colours, `#rrggbb`, repeated by weight */
  readonly colours: readonly string[];
  /** texture kinds, repeated by weight; their set is all this kind may have */
  readonly textures: readonly TextureKind[];
  /** chance of an exhalation valve, 0 for kinds that never have one */
  readonly valveChance: number;
}

const WHITE = '#f2f3f0';
const LIGHT_BLUE = '#9cc8e8';
const BLACK = '#27282c';
const GREY = '#9da2a8';

/** Every kind's look. */
export const KIND_STYLES: Readonly<Record<MaskKind, KindStyle>> = {
  surgical: { colours: [LIGHT_BLUE, LIGHT_BLUE, WHITE, WHITE, '#8ccfb4', BLACK], textures: ['nonwoven', 'nonwoven', 'plain'], valveChance: 0 },
  n95: { colours: [WHITE, WHITE, '#e8e1cc'], textures: ['nonwoven', 'nonwoven', 'plain'], valveChance: 0.35 },
  kn95: { colours: [WHITE, WHITE, BLACK, GREY, LIGHT_BLUE], textures: ['nonwoven', 'plain'], valveChance: 0.2 },
  cloth: {
    colours: [BLACK, '#26365f', GREY, '#f0b7c6', '#a8323a', '#6b7248', '#d9c9a8', LIGHT_BLUE, WHITE, '#4a6a8f'],
    textures: ['weave', 'weave', 'weave', 'dots', 'dots', 'stripes', 'stripes', 'check', 'check', 'floral', 'floral'],
    valveChance: 0,
  },
};

/** The texture kinds `kind` may have, each once, in the order they first appear in its weighted list. */
export function listAllowedTextures(kind: MaskKind): TextureKind[] {
  return [...new Set(KIND_STYLES[kind].textures)];
}

/** What `sampleMaskStyle` draws from for `kind` given the user's choices; `note` when they did not fit. */
export function chooseStyleChoices(
  kind: MaskKind,
  user: { readonly colours?: readonly string[] | undefined; readonly textures?: readonly TextureKind[] | undefined },
): MaskStyleOptions & { readonly note?: string } {
  const own = KIND_STYLES[kind];
  const colours = user.colours ?? own.colours;
  if (user.textures === undefined) return { colours, textures: own.textures, valveChance: own.valveChance };
  const allowed = listAllowedTextures(kind);
  const fitting = user.textures.filter((t) => allowed.includes(t));
  if (fitting.length > 0) return { colours, textures: fitting, valveChance: own.valveChance };
  const quote = (list: readonly string[]): string => list.map((t) => `'${t}'`).join(', ');
  const note = `textures ${quote(user.textures)} do not fit a ${kind} mask (it takes ${quote(allowed)}); drew from its own`;
  return { colours, textures: own.textures, valveChance: own.valveChance, note };
}
