/**
 * Compares two encoded images (PNG bytes, e.g. a sample grid of run a and of run b): decodes both to RGB
 * with sharp (alpha flattened on white), brings b to a's size when they differ (bilinear fill, flagged),
 * and returns SSIM on luma (11×11 Gaussian windows), the changed-pixel fraction, and a side-by-side PNG
 * `a | b | heat map of the difference` for a person to look at.
 */
import sharp from 'sharp';
import { encodePng, PNG_OPTIONS } from '../kit/image-io.js';
import { CHANGE_THRESHOLD, heatMap, pixelDifference } from './pixel-diff.js';
import { lumaPlane, ssim } from './ssim.js';
import type { RawImage } from './types.js';

export interface ImageComparison {
  /** a's size; b was compared at this size */
  readonly width: number;
  readonly height: number;
  /** b's own size when it differed from a's (b was resized to compare), else null */
  readonly resizedFrom: { readonly width: number; readonly height: number } | null;
  /** mean SSIM on luma, 1 = identical */
  readonly ssim: number;
  /** fraction of pixels whose largest channel difference exceeds `threshold` */
  readonly changedFraction: number;
  /** the changed-pixel threshold, 0–255 */
  readonly threshold: number;
  /** largest and mean per-pixel difference, 0–255 */
  readonly maxDelta: number;
  readonly meanDelta: number;
  /** PNG: a | b | heat map, separated by `SIDE_BY_SIDE_GAP` white pixels */
  readonly sideBySide: Buffer;
}

/** White pixels between the three panels of the side-by-side image. */
export const SIDE_BY_SIDE_GAP = 4;

/** Compares `a` with `b` (both encoded images sharp can read). */
export async function compareImages(a: Uint8Array, b: Uint8Array): Promise<ImageComparison> {
  const left = await decodeRgb(a);
  let right = await decodeRgb(b);
  const resizedFrom = right.width !== left.width || right.height !== left.height ? { width: right.width, height: right.height } : null;
  if (resizedFrom) right = await decodeRgb(b, { width: left.width, height: left.height });
  const difference = pixelDifference(left, right, CHANGE_THRESHOLD);
  const score = ssim(lumaPlane(left), lumaPlane(right)).mssim;
  const heat = heatMap(difference.delta, left.width, left.height);
  return {
    width: left.width,
    height: left.height,
    resizedFrom,
    ssim: score,
    changedFraction: difference.changedFraction,
    threshold: difference.threshold,
    maxDelta: difference.maxDelta,
    meanDelta: difference.meanDelta,
    sideBySide: await composeSideBySide([left, right, heat]),
  };
}

async function decodeRgb(bytes: Uint8Array, size?: { width: number; height: number }): Promise<RawImage> {
  let pipeline = sharp(bytes, { failOn: 'error' }).toColourspace('srgb').flatten({ background: '#ffffff' });
  if (size) pipeline = pipeline.resize(size.width, size.height, { fit: 'fill', kernel: 'linear' });
  const { data, info } = await pipeline.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** Panels of one size side by side on white. */
async function composeSideBySide(panels: readonly RawImage[]): Promise<Buffer> {
  const { width, height } = panels[0]!;
  const encoded = await Promise.all(panels.map((p) => encodePng(p)));
  return sharp({ create: { width: panels.length * width + (panels.length - 1) * SIDE_BY_SIDE_GAP, height, channels: 3, background: '#ffffff' } })
    .composite(encoded.map((input, i) => ({ input, left: i * (width + SIDE_BY_SIDE_GAP), top: 0 })))
    .png(PNG_OPTIONS)
    .toBuffer();
}
