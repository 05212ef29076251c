/**
 * Makes a warped mask as soft and as grainy as the photo it goes on. A rendered mask is crisp and clean;
 * a real one is as blurred (defocus, motion, upscaling of a small face) and as noisy (sensor grain) as
 * the face wearing it. So: measure the face region's blur σ and noise σ on its luminance (blur-noise.ts),
 * and the mask's own (the blur of its silhouette, on the warped coverage; its grain on its luminance as
 * it would be composited), blur the mask layer — premultiplied colour and
 * coverage together, so its edge softens into the face as a defocused object's does — by the Gaussian
 * that makes up the difference (σ² adds under blurring), and add grey Gaussian noise of the σ that makes
 * up the noise difference (variances add), drawn from the face's seeded rng in raster order. The σs
 * applied are rounded to 0.01 before use, so what the metadata records is exactly what was done; a blur
 * under 0.5 px or a noise under 1 level is not applied (0 is recorded).
 */
import type { Rng } from '../kit/prng.js';
import { blurPlane, estimateBlurSigma, estimateNoiseSigma, type Plane } from './blur-noise.js';
import type { Box, RawImage } from './types.js';

/** Largest blur σ (px) put on a mask, whatever the measurements say. */
export const MAX_MATCH_BLUR = 5;
/** Largest noise σ (levels, 0..255) put on a mask. */
export const MAX_MATCH_NOISE = 16;
/**
 * Smallest blur σ (px) and noise σ (levels) worth applying: below these the difference is within the
 * measures' scatter on a sharp, clean photo (blur) or under 8-bit rounding (noise), and the mask is left as is.
 */
export const MIN_MATCH = { blur: 0.5, noise: 1 } as const;

/** A warped mask before compositing, image-sized; colour is premultiplied, so `red[i] / alpha[i]` is straight. */
export interface MaskLayer {
  readonly width: number;
  readonly height: number;
  /** coverage 0..255 */
  readonly alpha: Float64Array;
  /** Σ weight·alpha·red over the sampled texels (0..255²); likewise green and blue */
  readonly red: Float64Array;
  readonly green: Float64Array;
  readonly blue: Float64Array;
  /** inclusive pixel box holding every non-zero coverage; null for an empty layer */
  readonly box: PixelBox | null;
}

/** An inclusive pixel box. */
export interface PixelBox {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** How to match: measure the face in `faceBox`, or apply given σs; `rng` draws the noise. */
export type PhotoMatchRequest =
  | { readonly mode: 'measure'; readonly faceBox: Box; readonly rng: Rng }
  | { readonly mode: 'fixed'; readonly blurSigma: number; readonly noiseSigma: number; readonly rng: Rng };

/** One side's measurements; null where there was too little to measure (e.g. too few edges). */
export interface BlurNoise {
  /** blur σ, px */
  readonly blur: number | null;
  /** noise σ, levels 0..255 */
  readonly noise: number | null;
}

/** What was applied to the mask layer, and the measurements it came from ('measure' mode only). */
export interface PhotoMatch {
  /** σ (px) of the Gaussian blur applied to the mask layer */
  readonly blurSigma: number;
  /** σ (levels, 0..255) of the grey noise added to the mask's colour */
  readonly noiseSigma: number;
  /** the face region's blur and noise */
  readonly face?: BlurNoise;
  /** the mask's own as rendered and warped (its noise after the blur) */
  readonly mask?: BlurNoise;
}

/** The layer blurred and grained to match `image` as `request` says; the input layer is not changed. */
export function matchLayerToPhoto(image: RawImage, layer: MaskLayer, request: PhotoMatchRequest): { layer: MaskLayer; match: PhotoMatch } {
  if (request.mode === 'fixed') {
    for (const [name, v] of [['blurSigma', request.blurSigma], ['noiseSigma', request.noiseSigma]] as const) {
      if (!(v >= 0) || !Number.isFinite(v)) throw new Error(`matchLayerToPhoto: ${name} expected a finite number ≥ 0, received ${v}`);
    }
    const blurred = blurLayer(layer, request.blurSigma);
    return { layer: addLayerNoise(blurred, request.noiseSigma, request.rng), match: { blurSigma: request.blurSigma, noiseSigma: request.noiseSigma } };
  }
  if (layer.box === null) return { layer, match: { blurSigma: 0, noiseSigma: 0 } };
  const facePlane = cropLuma(image, null, clampBox(request.faceBox, image));
  const faceNoise = estimateNoiseSigma(facePlane);
  const face: BlurNoise = { blur: estimateBlurSigma(facePlane, undefined, faceNoise ?? 0)?.sigma ?? null, noise: faceNoise };

  // NOTE: the mask's blur is its silhouette's, measured on coverage: a clean step edge all round, where
  // the luminance also holds thin painted lines (seams, welds) that read as sharper than any step.
  const maskBlur = estimateBlurSigma(cropPlane(layer.alpha, layer.width, padBox(layer.box, 3, layer)))?.sigma ?? null;
  const blurSigma = face.blur === null || maskBlur === null ? 0 : topUp(face.blur, maskBlur, MIN_MATCH.blur, MAX_MATCH_BLUR);
  const blurred = blurLayer(layer, blurSigma);

  const afterBox = padBox(blurred.box ?? layer.box, 0, blurred);
  const maskNoise = estimateNoiseSigma(cropLuma(image, blurred, afterBox), coverageMask(blurred, afterBox, 254.5));
  const noiseSigma = face.noise === null ? 0 : topUp(face.noise, maskNoise ?? 0, MIN_MATCH.noise, MAX_MATCH_NOISE);
  const mask: BlurNoise = { blur: maskBlur === null ? null : round2(maskBlur), noise: maskNoise === null ? null : round2(maskNoise) };
  return {
    layer: addLayerNoise(blurred, noiseSigma, request.rng),
    match: { blurSigma, noiseSigma, face: { blur: face.blur === null ? null : round2(face.blur), noise: face.noise === null ? null : round2(face.noise) }, mask },
  };
}

/** The layer with every plane blurred by `sigma` (zero beyond the image), its box grown to match. */
export function blurLayer(layer: MaskLayer, sigma: number): MaskLayer {
  if (sigma === 0 || layer.box === null) return layer;
  const box = padBox(layer.box, Math.ceil(3 * sigma) + 1, layer);
  const planes = [layer.alpha, layer.red, layer.green, layer.blue].map((full) => {
    const out = new Float64Array(full);
    const blurred = blurPlane(cropPlane(full, layer.width, box), sigma, 'zero');
    pastePlane(out, layer.width, box, blurred.data);
    return out;
  }) as [Float64Array, Float64Array, Float64Array, Float64Array];
  const [alpha, red, green, blue] = planes;
  return { width: layer.width, height: layer.height, alpha, red, green, blue, box: shrinkToSupport(alpha, layer.width, box) };
}

// --- helpers ----------------------------------------------------------------------------------------

/** Grey noise of σ `sigma` added to the straight colour of every pixel with coverage ≥ 0.5, in raster order. */
function addLayerNoise(layer: MaskLayer, sigma: number, rng: Rng): MaskLayer {
  if (sigma === 0 || layer.box === null) return layer;
  const red = new Float64Array(layer.red);
  const green = new Float64Array(layer.green);
  const blue = new Float64Array(layer.blue);
  const { x0, y0, x1, y1 } = layer.box;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const i = y * layer.width + x;
      const a = layer.alpha[i]!;
      if (a < 0.5) continue; // the pixel rounds to coverage 0 and is left untouched
      const n = sigma * rng.normal() * a; // premultiplied: straight colour + n
      red[i] = red[i]! + n;
      green[i] = green[i]! + n;
      blue[i] = blue[i]! + n;
    }
  }
  return { ...layer, red, green, blue };
}

/** BT.601 luma of `image` in `box`, with `layer` (when given) composited over it as floats. */
function cropLuma(image: RawImage, layer: MaskLayer | null, box: PixelBox): Plane {
  const width = box.x1 - box.x0 + 1;
  const height = box.y1 - box.y0 + 1;
  const data = new Float64Array(width * height);
  const luma = (r: number, g: number, b: number): number => 0.299 * r + 0.587 * g + 0.114 * b;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y + box.y0) * image.width + (x + box.x0);
      const under = luma(image.data[i * 3]!, image.data[i * 3 + 1]!, image.data[i * 3 + 2]!);
      const a = layer === null ? 0 : layer.alpha[i]!;
      data[y * width + x] = a <= 0 ? under : under + (Math.min(255, a) / 255) * (luma(layer!.red[i]!, layer!.green[i]!, layer!.blue[i]!) / a - under);
    }
  }
  return { width, height, data };
}

/** 1 where the layer's coverage in `box` is at least `min`, else 0. */
function coverageMask(layer: MaskLayer, box: PixelBox, min: number): Uint8Array {
  const width = box.x1 - box.x0 + 1;
  const out = new Uint8Array(width * (box.y1 - box.y0 + 1));
  for (let y = box.y0; y <= box.y1; y++) {
    for (let x = box.x0; x <= box.x1; x++) if (layer.alpha[y * layer.width + x]! >= min) out[(y - box.y0) * width + (x - box.x0)] = 1;
  }
  return out;
}

function cropPlane(full: Float64Array, fullWidth: number, box: PixelBox): Plane {
  const width = box.x1 - box.x0 + 1;
  const height = box.y1 - box.y0 + 1;
  const data = new Float64Array(width * height);
  for (let y = 0; y < height; y++) data.set(full.subarray((y + box.y0) * fullWidth + box.x0, (y + box.y0) * fullWidth + box.x1 + 1), y * width);
  return { width, height, data };
}

function pastePlane(full: Float64Array, fullWidth: number, box: PixelBox, data: Float64Array): void {
  const width = box.x1 - box.x0 + 1;
  for (let y = box.y0; y <= box.y1; y++) full.set(data.subarray((y - box.y0) * width, (y - box.y0 + 1) * width), y * fullWidth + box.x0);
}

function padBox(box: PixelBox, pad: number, size: { width: number; height: number }): PixelBox {
  return { x0: Math.max(0, box.x0 - pad), y0: Math.max(0, box.y0 - pad), x1: Math.min(size.width - 1, box.x1 + pad), y1: Math.min(size.height - 1, box.y1 + pad) };
}

function clampBox(box: Box, size: { width: number; height: number }): PixelBox {
  return padBox({ x0: Math.floor(box.x), y0: Math.floor(box.y), x1: Math.ceil(box.x + box.width) - 1, y1: Math.ceil(box.y + box.height) - 1 }, 0, size);
}

/** The smallest box inside `box` holding every coverage ≥ 0.5; null when there is none. */
function shrinkToSupport(alpha: Float64Array, width: number, box: PixelBox): PixelBox | null {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -1, -1];
  for (let y = box.y0; y <= box.y1; y++) {
    for (let x = box.x0; x <= box.x1; x++) {
      if (alpha[y * width + x]! < 0.5) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  }
  return x1 < 0 ? null : { x0, y0, x1, y1 };
}

/** √(target² − own²), rounded to 0.01: what σ² adds up to; 0 below `min`, at most `max`. */
function topUp(target: number, own: number, min: number, max: number): number {
  const need = Math.sqrt(Math.max(0, target * target - own * own));
  return need < min ? 0 : round2(Math.min(max, need));
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
