/**
 * Warping an RGBA mask template onto an RGB face image through a template→image homography, in plain
 * typed arrays: every output pixel inside the projected template's bounding box is mapped back through
 * H⁻¹ and the template is sampled bilinearly with premultiplied alpha (so transparent texels, whatever
 * colour they hold, cause no dark or coloured fringes), then alpha-blended. Pixel centres sit on integer
 * coordinates, as in OpenCV's warpPerspective; outside the template counts as transparent. Unlike
 * MaskTheFace's hard `alpha > 0` composite, edges are anti-aliased; the binary region map (the NMC
 * loss's mask) is taken separately at a threshold. Where coverage is 0 the image bytes are untouched.
 * The warp first builds a float layer (premultiplied colour and coverage), so a caller can have it
 * blurred and grained like the photo (`photoMatch`) before it is blended.
 */
import { applyHomography, invertHomography, type HomographyLike } from './homography.js';
import { matchLayerToPhoto, type MaskLayer, type PhotoMatch, type PhotoMatchRequest } from './photo-match.js';
import { roundByte } from './round-byte.js';
import type { RawImage } from './types.js';

/** Options for {@link warpOntoImage}. */
export interface WarpOptions {
  /** Coverage (0..255) at or above which a pixel belongs to `region`; an integer in 1..255. @default 128 */
  readonly alphaThreshold?: number;
  /** Blur and grain the mask like the photo before blending (photo-match.ts). @default none: the mask as rendered */
  readonly photoMatch?: PhotoMatchRequest;
}

/** What {@link warpOntoImage} returns; all three have the input image's width and height. */
export interface WarpResult {
  /** RGB: the image with the template blended on; byte-equal to the input wherever coverage is 0. */
  readonly composite: RawImage;
  /** 1 channel: 255 where coverage ≥ alphaThreshold, else 0. */
  readonly region: RawImage;
  /** 1 channel: the warped, anti-aliased template alpha, 0..255 (after any photo-match blur). */
  readonly coverage: RawImage;
  /** the blur and noise applied, present when `photoMatch` was asked for */
  readonly photoMatch?: PhotoMatch;
}

/**
 * Blend `template` (RGBA) onto `image` (RGB) through `h`, which maps template pixels to image pixels;
 * with `photoMatch`, the warped mask is first blurred and grained like the photo (photo-match.ts).
 */
export function warpOntoImage(image: RawImage, template: RawImage, h: HomographyLike, options: WarpOptions = {}): WarpResult {
  checkImage(image, 3, 'image');
  checkImage(template, 4, 'template');
  const threshold = options.alphaThreshold ?? 128;
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > 255) {
    throw new Error(`warpOntoImage: expected alphaThreshold to be an integer in 1..255, received ${threshold}`);
  }
  const warped = warpLayer(image, template, h);
  if (options.photoMatch === undefined) return compositeLayer(image, warped, threshold);
  const { layer, match } = matchLayerToPhoto(image, warped, options.photoMatch);
  return { ...compositeLayer(image, layer, threshold), photoMatch: match };
}

/** The template warped into `image`'s pixel grid as a premultiplied float layer (nothing blended yet). */
export function warpLayer(image: { width: number; height: number }, template: RawImage, h: HomographyLike): MaskLayer {
  const { width, height } = image;
  const tw = template.width;
  const th = template.height;
  const src = template.data; // [th, tw, 4]
  const alpha = new Float64Array(width * height); // [height, width], 0..255
  const red = new Float64Array(width * height); // [height, width], premultiplied, 0..255²
  const green = new Float64Array(width * height);
  const blue = new Float64Array(width * height);

  const m = invertHomography(h); // image → template
  // Keep only the side of the vanishing line the template's centre is on: scale H⁻¹ so w > 0 there.
  const tc = [(tw - 1) / 2, (th - 1) / 2] as const;
  const hSign = h[6]! * tc[0] + h[7]! * tc[1] + h[8]! >= 0 ? 1 : -1;
  const centre = applyHomography(h, tc);
  const mSign = m[6]! * centre[0] + m[7]! * centre[1] + m[8]! >= 0 ? 1 : -1;
  for (let i = 0; i < 9; i++) m[i] = m[i]! * mSign;
  const box = boundProjectedTemplate(h, hSign, tw, th, width, height);
  const layer: MaskLayer = { width, height, alpha, red, green, blue, box };
  if (box === null) return layer;

  const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = Array.from(m) as [number, number, number, number, number, number, number, number, number];
  for (let y = box.y0; y <= box.y1; y++) {
    for (let x = box.x0; x <= box.x1; x++) {
      const w = m6 * x + m7 * y + m8;
      if (!(w > 0)) continue;
      const u = (m0 * x + m1 * y + m2) / w;
      const v = (m3 * x + m4 * y + m5) / w;
      if (!(u > -1 && u < tw && v > -1 && v < th)) continue;
      // Bilinear over the 4 texels around (u, v); texels outside the template have alpha 0.
      const u0 = Math.floor(u);
      const v0 = Math.floor(v);
      const fu = u - u0;
      const fv = v - v0;
      let a = 0; // Σ weight·alpha, 0..255
      let r = 0; // Σ weight·alpha·red, premultiplied, 0..255²
      let g = 0;
      let b = 0;
      for (let k = 0; k < 4; k++) {
        const tu = u0 + (k & 1);
        const tv = v0 + (k >> 1);
        if (tu < 0 || tu >= tw || tv < 0 || tv >= th) continue;
        const weight = ((k & 1) === 1 ? fu : 1 - fu) * ((k >> 1) === 1 ? fv : 1 - fv);
        const o = (tv * tw + tu) * 4;
        const wa = weight * src[o + 3]!;
        a += wa;
        r += wa * src[o]!;
        g += wa * src[o + 1]!;
        b += wa * src[o + 2]!;
      }
      const p = y * width + x;
      alpha[p] = a;
      red[p] = r;
      green[p] = g;
      blue[p] = b;
    }
  }
  return layer;
}

/** `layer` blended onto `image`: coverage rounded to 0..255, the region at `threshold`, zero-coverage pixels untouched. */
function compositeLayer(image: RawImage, layer: MaskLayer, threshold: number): WarpResult {
  const { width, height } = image;
  const composite = new Uint8Array(image.data); // [height, width, 3], starts as a copy
  const region = new Uint8Array(width * height); // [height, width]
  const coverage = new Uint8Array(width * height); // [height, width]
  const result: WarpResult = {
    composite: { width, height, channels: 3, data: composite },
    region: { width, height, channels: 1, data: region },
    coverage: { width, height, channels: 1, data: coverage },
  };
  const box = layer.box;
  if (box === null) return result;
  for (let y = box.y0; y <= box.y1; y++) {
    for (let x = box.x0; x <= box.x1; x++) {
      const p = y * width + x;
      const a = layer.alpha[p]!;
      const cov = roundByte(a);
      if (cov === 0) continue; // the image stays byte-for-byte as it was
      coverage[p] = cov;
      if (cov >= threshold) region[p] = 255;
      // Straight colour = premultiplied / alpha; blend with the quantised coverage so cov 255 is pure template.
      const q = cov / 255;
      const o = p * 3;
      composite[o] = blendByte(composite[o]!, layer.red[p]! / a, q);
      composite[o + 1] = blendByte(composite[o + 1]!, layer.green[p]! / a, q);
      composite[o + 2] = blendByte(composite[o + 2]!, layer.blue[p]! / a, q);
    }
  }
  return result;
}

// --- helpers ----------------------------------------------------------------------------------------

function checkImage(img: RawImage, channels: 3 | 4, name: string): void {
  if (img.channels !== channels) {
    throw new Error(`warpOntoImage: expected ${name} with ${channels} channels (${channels === 3 ? 'RGB' : 'RGBA'}), received ${img.channels}`);
  }
  if (!(Number.isInteger(img.width) && Number.isInteger(img.height) && img.width > 0 && img.height > 0)) {
    throw new Error(`warpOntoImage: expected ${name} with positive integer size, received ${img.width}×${img.height}`);
  }
  if (img.data.length !== img.width * img.height * channels) {
    throw new Error(
      `warpOntoImage: expected ${name} data of ${img.width}×${img.height}×${channels} = ${img.width * img.height * channels} bytes, received ${img.data.length}`,
    );
  }
}

function blendByte(under: number, over: number, alpha: number): number {
  return roundByte(under + alpha * (over - under));
}

/**
 * Inclusive pixel box of the template's support (−1..tw × −1..th, where bilinear weights are non-zero)
 * projected into the image and clamped; the whole image when a corner crosses the vanishing line; null
 * when the box misses the image.
 */
function boundProjectedTemplate(
  h: HomographyLike,
  sign: number, // sign of h's w at the template's centre
  tw: number,
  th: number,
  width: number,
  height: number,
): { x0: number; y0: number; x1: number; y1: number } | null {
  const corners = [[-1, -1], [tw, -1], [tw, th], [-1, th]] as const;
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [cx, cy] of corners) {
    // A corner on the other side of the vanishing line than the template's centre: no finite box.
    const w = (h[6]! * cx + h[7]! * cy + h[8]!) * sign;
    if (!(w > 0)) return { x0: 0, y0: 0, x1: width - 1, y1: height - 1 };
    const [x, y] = applyHomography(h, [cx, cy]);
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  const box = {
    x0: Math.max(0, Math.floor(minX)),
    y0: Math.max(0, Math.floor(minY)),
    x1: Math.min(width - 1, Math.ceil(maxX)),
    y1: Math.min(height - 1, Math.ceil(maxY)),
  };
  return box.x0 > box.x1 || box.y0 > box.y1 ? null : box;
}
