/**
 * What a mask is made of, as data and as SVG: a `MaskStyle` (fabric colour, a procedural `TextureSpec`,
 * shading strength, optional exhalation valve), the SVG `<pattern>`/`<filter>` that paints each texture
 * over the fabric colour, and `sampleMaskStyle`, which draws a style from a seeded rng. MaskTheFace tints
 * its templates with a colour or blends in one of 27 texture photos; we cannot ship those, so the prints
 * (dots, stripes, gingham check, florals) and the materials (non-woven fibres, woven cotton) are drawn here.
 * Which of them fit which mask kind is kind-styles.ts's business.
 */
import type { Rng } from '../../kit/prng.js';
import { brightnessOf, checkHexColour, mixColours } from './colour.js';

/** A procedural texture; `scale` is its repeat (or fibre) size in template pixels, `angle` in degrees. */
export type TextureSpec =
  | { readonly kind: 'plain' }
  | { readonly kind: 'nonwoven'; readonly scale: number }
  | { readonly kind: 'weave'; readonly scale: number }
  | { readonly kind: 'dots'; readonly colour: string; readonly scale: number }
  | { readonly kind: 'stripes'; readonly colour: string; readonly angle: number; readonly scale: number }
  | { readonly kind: 'check'; readonly colour: string; readonly scale: number }
  | { readonly kind: 'floral'; readonly colour: string; readonly scale: number };

/** Every texture kind, in a fixed order. */
export const TEXTURE_KINDS = ['plain', 'nonwoven', 'weave', 'dots', 'stripes', 'check', 'floral'] as const satisfies readonly TextureSpec['kind'][];

/** How one mask is coloured. */
export interface MaskStyle {
  /** fabric colour, `#rrggbb` */
  readonly colour: string;
  readonly texture: TextureSpec;
  /** strength of the shading (pleat shadows, curvature, light from above), 0..1 */
  readonly shade: number;
  /** draw an exhalation valve; only kinds with one (N95, KN95) accept true. @default false */
  readonly valve?: boolean;
}

/** Choices for `sampleMaskStyle`. */
export interface MaskStyleOptions {
  /** fabric colours to pick from. @default DEFAULT_MASK_COLOURS */
  readonly colours?: readonly string[];
  /** texture kinds to pick from, uniformly (repeat one to weight it). @default all, plain and non-woven more often */
  readonly textures?: readonly TextureSpec['kind'][];
  /** chance of an exhalation valve; only for kinds that have one (kind-styles.ts). @default 0 */
  readonly valveChance?: number;
}

/** Light blue, surgical green, white, black, grey, navy, pink. */
export const DEFAULT_MASK_COLOURS = ['#9cc8e8', '#8ccfb4', '#f2f3f0', '#27282c', '#9da2a8', '#26365f', '#f0b7c6'] as const;

/** Print colours (dots, stripes, check, flowers); one contrasting with the fabric is chosen. */
const PRINT_COLOURS = ['#ffffff', '#1f2b4f', '#d5454f', '#f2c14e', '#3b8e6a', '#7b4f9e', '#202020', '#e985a6'] as const;

/** Default texture kinds, repeated by weight: plain fabrics are the common case. */
const WEIGHTED_TEXTURES: readonly TextureSpec['kind'][] = [
  'plain', 'plain', 'plain', 'plain', 'nonwoven', 'nonwoven', 'nonwoven', 'weave', 'weave', 'dots', 'stripes', 'check', 'floral',
];

/** A style drawn from `rng`: the same rng state always gives the same style. */
export function sampleMaskStyle(rng: Rng, options: MaskStyleOptions = {}): MaskStyle {
  const colours = options.colours ?? DEFAULT_MASK_COLOURS;
  if (colours.length === 0) throw new Error('sampleMaskStyle: expected at least one colour, received none');
  const colour = checkHexColour(rng.pick(colours), 'colours[]');
  const kind = rng.pick(options.textures ?? WEIGHTED_TEXTURES);
  const printColour = (): string => {
    const contrasting = PRINT_COLOURS.filter((c) => Math.abs(brightnessOf(c) - brightnessOf(colour)) > 0.3);
    return rng.pick(contrasting.length > 0 ? contrasting : PRINT_COLOURS);
  };
  const texture = ((): TextureSpec => {
    switch (kind) {
      case 'plain':
        return { kind };
      case 'nonwoven':
        return { kind, scale: rng.range(1, 2) };
      case 'weave':
        return { kind, scale: rng.range(3, 6) };
      case 'dots':
        return { kind, colour: printColour(), scale: rng.range(22, 44) };
      case 'stripes':
        return { kind, colour: printColour(), angle: rng.pick([0, 90, 45, -45, 30]), scale: rng.range(16, 36) };
      case 'check':
        return { kind, colour: printColour(), scale: rng.range(16, 34) };
      case 'floral':
        return { kind, colour: printColour(), scale: rng.range(60, 110) };
    }
  })();
  const shade = rng.range(0.45, 0.9);
  const valveChance = options.valveChance ?? 0;
  if (!(valveChance >= 0 && valveChance <= 1)) throw new Error(`sampleMaskStyle: valveChance expected a number in 0..1, received ${valveChance}`);
  // NOTE: no draw when no valve is possible, so `valve` is never true on a kind that cannot show one.
  return { colour, texture, shade, valve: valveChance > 0 && rng.next() < valveChance };
}

/**
 * The SVG for `texture` over a `width` × `height` canvas: `defs` go in `<defs>`, `layer` is painted over
 * the fabric colour inside the body clip. Both are empty for 'plain'. `id` must be unique in the SVG.
 * `squeeze` < 1 narrows a printed pattern horizontally, as fabric seen at an angle is.
 */
export function buildTextureLayer(
  texture: TextureSpec,
  fabric: string,
  width: number,
  height: number,
  id = 'tex',
  squeeze = 1,
): { defs: string; layer: string } {
  const cover = (attrs: string): string => `<rect x="0" y="0" width="${width}" height="${height}" ${attrs}/>`;
  const pattern = (size: number, body: string, rotate = 0): string => {
    const parts = [squeeze === 1 ? '' : `scale(${fix(squeeze)} 1)`, rotate === 0 ? '' : `rotate(${fix(rotate)})`].filter((p) => p !== '');
    const transform = parts.length === 0 ? '' : ` patternTransform="${parts.join(' ')}"`;
    return `<pattern id="${id}" patternUnits="userSpaceOnUse" width="${fix(size)}" height="${fix(size)}"${transform}>${body}</pattern>`;
  };
  switch (texture.kind) {
    case 'plain':
      return { defs: '', layer: '' };
    case 'nonwoven': {
      const alpha = '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 2.2 0 0 0 -1.05';
      const defs = buildNoiseTile(id, { frequency: 0.55 / texture.scale, octaves: 2, seed: 7, tile: 128, matrix: alpha });
      return { defs, layer: cover(`fill="url(#${id})" opacity="${brightnessOf(fabric) > 0.3 ? 0.22 : 0.5}"`) };
    }
    case 'weave': {
      const s = texture.scale;
      const lines = (x0: number, y0: number, horizontal: boolean): string =>
        [1, 3, 5]
          .map((k) => (horizontal ? `M${fix(x0)} ${fix(y0 + (k * s) / 6)}h${fix(s)}` : `M${fix(x0 + (k * s) / 6)} ${fix(y0)}v${fix(s)}`))
          .join('');
      const d = lines(0, 0, true) + lines(s, s, true);
      const v = lines(s, 0, false) + lines(0, s, false);
      const ink = brightnessOf(fabric) > 0.3 ? '#000' : '#fff';
      const body = `<path d="${d}" stroke="${ink}" stroke-opacity="0.17" stroke-width="${fix(s / 7)}"/><path d="${v}" stroke="${ink}" stroke-opacity="0.1" stroke-width="${fix(s / 7)}"/>`;
      return { defs: pattern(2 * s, body), layer: cover(`fill="url(#${id})"`) };
    }
    case 'dots': {
      const s = texture.scale;
      const c = checkHexColour(texture.colour, 'texture colour');
      const body = `<circle cx="${fix(s / 4)}" cy="${fix(s / 4)}" r="${fix(s * 0.15)}" fill="${c}"/><circle cx="${fix((3 * s) / 4)}" cy="${fix((3 * s) / 4)}" r="${fix(s * 0.15)}" fill="${c}"/>`;
      return { defs: pattern(s, body), layer: cover(`fill="url(#${id})"`) };
    }
    case 'stripes': {
      const s = texture.scale;
      const c = checkHexColour(texture.colour, 'texture colour');
      const body = `<rect x="0" y="0" width="${fix(s * 0.42)}" height="${fix(s)}" fill="${c}"/>`;
      return { defs: pattern(s, body, texture.angle), layer: cover(`fill="url(#${id})"`) };
    }
    case 'check': {
      const s = texture.scale;
      const c = checkHexColour(texture.colour, 'texture colour');
      const body = `<rect x="0" y="0" width="${fix(s)}" height="${fix(2 * s)}" fill="${c}" fill-opacity="0.42"/><rect x="0" y="0" width="${fix(2 * s)}" height="${fix(s)}" fill="${c}" fill-opacity="0.42"/>`;
      return { defs: pattern(2 * s, body), layer: cover(`fill="url(#${id})"`) };
    }
    case 'floral': {
      const s = texture.scale;
      const c = checkHexColour(texture.colour, 'texture colour');
      const body =
        leaf(0.2 * s, 0.47 * s, 0.09 * s, 35) + leaf(0.42 * s, 0.44 * s, 0.08 * s, -30) +
        flower(0.3 * s, 0.28 * s, 0.14 * s, c, mixColours(c, '#f5c842', 0.7)) +
        flower(0.76 * s, 0.74 * s, 0.1 * s, mixColours(c, fabric, 0.35), '#f5d36a') +
        `<circle cx="${fix(0.8 * s)}" cy="${fix(0.22 * s)}" r="${fix(0.025 * s)}" fill="${c}"/>` +
        `<circle cx="${fix(0.2 * s)}" cy="${fix(0.82 * s)}" r="${fix(0.03 * s)}" fill="${c}"/>`;
      return { defs: pattern(s, body), layer: cover(`fill="url(#${id})"`) };
    }
  }
}

/** Settings of a noise tile: fractal noise of `frequency` (cycles per pixel) through a colour `matrix`. */
export interface NoiseTileOptions {
  readonly frequency: number;
  readonly octaves: number;
  readonly seed: number;
  /** tile size in pixels; the noise wraps seamlessly at its edges */
  readonly tile: number;
  /** the 20 numbers of an feColorMatrix applied to the noise */
  readonly matrix: string;
}

/**
 * A `<pattern id>` repeating a tile of fractal noise. librsvg computes feTurbulence per pixel, which costs
 * ~0.2 µs per pixel and octave; computing one small seamless tile and repeating it costs almost nothing.
 */
export function buildNoiseTile(id: string, options: NoiseTileOptions): string {
  const t = options.tile;
  return (
    `<filter id="${id}-f" filterUnits="userSpaceOnUse" x="0" y="0" width="${t}" height="${t}">` +
    `<feTurbulence type="fractalNoise" baseFrequency="${Math.round(options.frequency * 1e4) / 1e4}" numOctaves="${options.octaves}" seed="${options.seed}" stitchTiles="stitch"/>` +
    `<feColorMatrix type="matrix" values="${options.matrix}"/></filter>` +
    `<pattern id="${id}" patternUnits="userSpaceOnUse" width="${t}" height="${t}"><rect width="${t}" height="${t}" filter="url(#${id}-f)"/></pattern>`
  );
}

/** A five-petal flower centred at (x, y) with petals reaching `r`. */
function flower(x: number, y: number, r: number, petal: string, centre: string): string {
  const petals = [0, 72, 144, 216, 288]
    .map((a) => `<ellipse cx="0" cy="${fix(-r * 0.52)}" rx="${fix(r * 0.3)}" ry="${fix(r * 0.5)}" transform="rotate(${a})"/>`)
    .join('');
  return `<g transform="translate(${fix(x)} ${fix(y)})" fill="${petal}">${petals}<circle r="${fix(r * 0.24)}" fill="${centre}"/></g>`;
}

/** A small leaf at (x, y), `r` long, rotated `angle` degrees. */
function leaf(x: number, y: number, r: number, angle: number): string {
  return `<ellipse cx="${fix(x)}" cy="${fix(y)}" rx="${fix(r)}" ry="${fix(r * 0.38)}" fill="#5c8f52" transform="rotate(${angle} ${fix(x)} ${fix(y)})"/>`;
}

/** Two decimals at most, for stable SVG text. */
function fix(v: number): string {
  return (Math.round(v * 100) / 100).toString();
}
