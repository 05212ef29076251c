/**
 * Colour matching of a mask template to the face it goes on, in HSV: RGB↔HSV conversions, the mean
 * HSV of a box of an image, and scaling a template's brightness (V) and saturation (S) towards the
 * face's. MaskTheFace does this too (`change_brightness`, `change_saturation`) but measures the whole
 * image and uses mean V in place of mean S; here the caller measures the face region, S is matched to
 * S, and the scale is a ratio of means over the template's visible (alpha > 0) pixels only.
 * Scales: h in degrees [0, 360), s and v in [0, 1].
 */
import type { Box, RawImage } from './types.js';

/** A colour in HSV: h in degrees [0, 360), s and v in [0, 1]. */
export interface Hsv {
  readonly h: number;
  readonly s: number;
  readonly v: number;
}

/** The largest factor (and 1 / the smallest) by which V or S is scaled, so a near-grey or near-black mask is not blown up. */
export const MAX_COLOUR_SCALE = 4;

/** HSV of an 8-bit RGB colour (hexcone model; h = 0 for greys). */
export function convertRgbToHsv(r: number, g: number, b: number): Hsv {
  const max = Math.max(r, g, b);
  const chroma = max - Math.min(r, g, b);
  let h = 0;
  if (chroma > 0) {
    if (max === r) h = ((g - b) / chroma) % 6;
    else if (max === g) h = (b - r) / chroma + 2;
    else h = (r - g) / chroma + 4;
    h *= 60;
    if (h < 0) h += 360;
  }
  return { h, s: max === 0 ? 0 : chroma / max, v: max / 255 };
}

/** 8-bit RGB (rounded) of an HSV colour; s and v are clamped to [0, 1], h taken modulo 360. */
export function convertHsvToRgb(h: number, s: number, v: number): [r: number, g: number, b: number] {
  const sc = Math.min(1, Math.max(0, s));
  const vc = Math.min(1, Math.max(0, v));
  const hp = (((h % 360) + 360) % 360) / 60;
  const c = vc * sc;
  const x = c * (1 - Math.abs((hp % 2) - 1));
  const m = vc - c;
  const [r, g, b] =
    hp < 1 ? [c, x, 0] : hp < 2 ? [x, c, 0] : hp < 3 ? [0, c, x] : hp < 4 ? [0, x, c] : hp < 5 ? [x, 0, c] : [c, 0, x];
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}

/**
 * Mean HSV over the pixels of `box` (clipped to the image; pixel columns floor(x) .. ceil(x + width) − 1,
 * rows likewise). s and v are plain means; h is the circular mean of hue weighted by chroma (0 when the
 * box is grey). 1-channel images are grey (s = 0); the alpha of a 4-channel image is ignored.
 */
export function meanHsvInBox(image: RawImage, box: Box): Hsv {
  checkImage(image, 'meanHsvInBox');
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(image.width, Math.ceil(box.x + box.width));
  const y1 = Math.min(image.height, Math.ceil(box.y + box.height));
  if (!(x1 > x0 && y1 > y0)) {
    throw new Error(
      `meanHsvInBox: expected a box overlapping the ${image.width}×${image.height} image, ` +
        `received {x: ${box.x}, y: ${box.y}, width: ${box.width}, height: ${box.height}}`,
    );
  }
  const { data, channels, width } = image;
  let sumS = 0;
  let sumV = 0;
  let hueX = 0; // Σ chroma·cos h
  let hueY = 0; // Σ chroma·sin h
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const o = (y * width + x) * channels;
      const r = data[o]!;
      const hsv = channels === 1 ? convertRgbToHsv(r, r, r) : convertRgbToHsv(r, data[o + 1]!, data[o + 2]!);
      sumS += hsv.s;
      sumV += hsv.v;
      const chroma = hsv.s * hsv.v;
      hueX += chroma * Math.cos((hsv.h * Math.PI) / 180);
      hueY += chroma * Math.sin((hsv.h * Math.PI) / 180);
    }
  }
  const n = (x1 - x0) * (y1 - y0);
  const h = hueX === 0 && hueY === 0 ? 0 : (((Math.atan2(hueY, hueX) * 180) / Math.PI) + 360) % 360;
  return { h, s: sumS / n, v: sumV / n };
}

/**
 * The alpha-weighted mean V and S of an RGBA image's visible (alpha > 0) pixels; null when none is visible.
 * V is max(r, g, b) / 255 and S (max − min) / max, as `convertRgbToHsv` gives them, summed in pixel order.
 */
export function meanOpaqueSv(rgba: RawImage): { v: number; s: number } | null {
  const src = rgba.data; // [height, width, 4]
  let weight = 0;
  let sumV = 0;
  let sumS = 0;
  for (let o = 0; o < src.length; o += 4) {
    const a = src[o + 3]!;
    if (a === 0) continue;
    const r = src[o]!;
    const g = src[o + 1]!;
    const b = src[o + 2]!;
    const max = r > g ? (r > b ? r : b) : g > b ? g : b;
    const min = r < g ? (r < b ? r : b) : g < b ? g : b;
    weight += a;
    sumV += a * (max / 255);
    sumS += a * (max === 0 ? 0 : (max - min) / max);
  }
  return weight === 0 ? null : { v: sumV / weight, s: sumS / weight };
}

/**
 * A copy of the RGBA template with V scaled by (face v / template mean v)^strength and S by
 * (face s / template mean s)^strength, each factor clamped to [1/MAX_COLOUR_SCALE, MAX_COLOUR_SCALE]
 * and left at 1 when the template mean is 0. Template means are alpha-weighted over pixels with
 * alpha > 0 (`meanOpaqueSv`; pass `templateMean` when it is known already); only those pixels change
 * (alpha itself never does). Scaled values saturate at 1.
 * @default strength 1 (full match; 0 leaves the template as it is)
 */
export function matchBrightnessSaturation(
  maskRgba: RawImage,
  faceRegionMean: { v: number; s: number },
  strength = 1,
  templateMean?: { v: number; s: number } | null,
): RawImage {
  checkImage(maskRgba, 'matchBrightnessSaturation');
  if (maskRgba.channels !== 4) throw new Error(`matchBrightnessSaturation: expected an RGBA template (4 channels), received ${maskRgba.channels}`);
  for (const key of ['v', 's'] as const) {
    const value = faceRegionMean[key];
    if (!(value >= 0 && value <= 1)) throw new Error(`matchBrightnessSaturation: expected faceRegionMean.${key} in [0, 1], received ${value}`);
  }
  if (!(Number.isFinite(strength) && strength >= 0)) throw new Error(`matchBrightnessSaturation: expected a strength ≥ 0, received ${strength}`);
  const src = maskRgba.data; // [height, width, 4]
  const out = new Uint8Array(src);
  const own = templateMean ?? meanOpaqueSv(maskRgba);
  const result: RawImage = { width: maskRgba.width, height: maskRgba.height, channels: 4, data: out };
  if (own === null) return result;
  const fv = computeScale(faceRegionMean.v, own.v, strength);
  const fs = computeScale(faceRegionMean.s, own.s, strength);
  if (fv === 1 && fs === 1) return result;
  // A template holds few distinct colours (plain fills, a print's palette, their anti-aliased edges), so
  // each colour's new value is worked out once: packed 0xRRGGBB → packed result.
  const mapped = new Map<number, number>();
  for (let o = 0; o < src.length; o += 4) {
    if (src[o + 3] === 0) continue;
    const key = (src[o]! << 16) | (src[o + 1]! << 8) | src[o + 2]!;
    let value = mapped.get(key);
    if (value === undefined) {
      const hsv = convertRgbToHsv(src[o]!, src[o + 1]!, src[o + 2]!);
      const [r, g, b] = convertHsvToRgb(hsv.h, hsv.s * fs, hsv.v * fv);
      value = (r << 16) | (g << 8) | b;
      mapped.set(key, value);
    }
    out[o] = value >> 16;
    out[o + 1] = (value >> 8) & 255;
    out[o + 2] = value & 255;
  }
  return result;
}

// --- helpers ----------------------------------------------------------------------------------------

function computeScale(target: number, current: number, strength: number): number {
  if (!(current > 0)) return 1;
  const ratio = (target / current) ** strength;
  return Math.min(MAX_COLOUR_SCALE, Math.max(1 / MAX_COLOUR_SCALE, ratio));
}

function checkImage(img: RawImage, caller: string): void {
  const expected = img.width * img.height * img.channels;
  if (!(Number.isInteger(img.width) && Number.isInteger(img.height) && img.width > 0 && img.height > 0) || img.data.length !== expected) {
    throw new Error(`${caller}: expected ${img.width}×${img.height}×${img.channels} = ${expected} bytes of positive size, received ${img.data.length}`);
  }
}
