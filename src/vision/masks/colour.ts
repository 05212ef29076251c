/**
 * `#rrggbb` colours for the mask drawings: checking one, mixing two, and telling light from dark (so
 * straps and prints stay visible on any fabric). Strings in, strings out, lower-case, so the SVG text
 * and therefore the rendered bytes depend only on the colours chosen.
 */

const HEX = /^#[0-9a-fA-F]{6}$/;

/** The colour, lower-cased, after checking that it is `#rrggbb`. */
export function checkHexColour(colour: string, what = 'colour'): string {
  if (!HEX.test(colour)) throw new Error(`mask style: ${what} expected '#rrggbb', received '${colour}'`);
  return colour.toLowerCase();
}

/** [r, g, b] in 0..255. */
export function parseHexColour(colour: string): [number, number, number] {
  const hex = checkHexColour(colour);
  return [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)];
}

/** `#rrggbb` for [r, g, b] (clamped and rounded). */
export function formatHexColour(rgb: readonly [number, number, number]): string {
  return '#' + rgb.map((v) => Math.round(Math.max(0, Math.min(255, v))).toString(16).padStart(2, '0')).join('');
}

/** (1 − t)·a + t·b. */
export function mixColours(a: string, b: string, t: number): string {
  const pa = parseHexColour(a);
  const pb = parseHexColour(b);
  return formatHexColour([pa[0] + (pb[0] - pa[0]) * t, pa[1] + (pb[1] - pa[1]) * t, pa[2] + (pb[2] - pa[2]) * t]);
}

/** Relative luminance-ish brightness in 0..1 (Rec. 709 weights on the gamma-encoded values). */
export function brightnessOf(colour: string): number {
  const [r, g, b] = parseHexColour(colour);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}
