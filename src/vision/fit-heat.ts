/**
 * The fit heat cell of one warped face, for the `warp` stage's fit sheet: the masked face with every mask
 * pixel outside the face outline painted red (mask pixels as the fit counts them, mask-fit.ts), the outline
 * itself traced in yellow, and a strip along the bottom whose filled length is the outside share on a scale
 * that ends at twice the threshold (a white tick marks the threshold), green when the fit passes and red
 * when it does not. Plain pixel work, no SVG, so a sheet of many faces costs milliseconds.
 */
import { fillFaceOutline, mapOutsidePixels } from './mask-fit.js';
import type { Landmarks68, RawImage } from './types.js';

const RED = [230, 30, 30] as const;
const YELLOW = [255, 214, 0] as const;
const GREEN = [40, 190, 70] as const;
const WHITE = [255, 255, 255] as const;
const STRIP_BACK = [32, 32, 32] as const;

/** What {@link paintFitHeat} draws besides the pixels. */
export interface FitHeatOptions {
  /** the face's outside share (0..1), as measured */
  readonly outsideShare: number;
  /** the share at and below which a fit passes; the strip's scale ends at twice this */
  readonly maxOutsideShare: number;
  /** value of `map` from which a pixel is the mask's (FIT_COVERAGE for a coverage map). @default 1 */
  readonly threshold?: number;
}

/**
 * RGB, the size of `composite` (RGB): the heat cell of a face whose mask is `map` (1 channel: a region map,
 * or a coverage map with `threshold`), both in the crop of `landmarks`.
 */
export function paintFitHeat(composite: RawImage, map: RawImage, landmarks: Landmarks68, options: FitHeatOptions): RawImage {
  const { width, height } = composite;
  if (composite.channels !== 3 || map.channels !== 1 || map.width !== width || map.height !== height) {
    throw new Error(`paintFitHeat: expected an RGB composite and a 1-channel map of one size, received ${composite.channels} channels ${width}×${height} and ${map.channels} channels ${map.width}×${map.height}`);
  }
  const face = fillFaceOutline(landmarks, width, height); // [height, width], 1 inside
  const outside = mapOutsidePixels(map, landmarks, { ...(options.threshold === undefined ? {} : { threshold: options.threshold }), outline: face }).data; // [height, width], 255 outside
  const data = new Uint8Array(composite.data); // [height, width, 3]
  const paint = (p: number, colour: readonly [number, number, number]): void => {
    data[p * 3] = colour[0];
    data[p * 3 + 1] = colour[1];
    data[p * 3 + 2] = colour[2];
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (outside[p] !== 0) paint(p, RED);
      // The outline: inside pixels with a 4-neighbour outside it (not the image border: the face goes on past it).
      else if (face[p] === 1 && ((x > 0 && face[p - 1] === 0) || (x + 1 < width && face[p + 1] === 0) || (y > 0 && face[p - width] === 0) || (y + 1 < height && face[p + width] === 0))) paint(p, YELLOW);
    }
  }
  const stripHeight = Math.max(3, Math.round(height * 0.05));
  const scale = 2 * options.maxOutsideShare;
  const filled = Math.round(Math.min(1, scale > 0 ? options.outsideShare / scale : 1) * width);
  const tick = Math.min(width - 1, Math.round(width / 2));
  const colour = options.outsideShare <= options.maxOutsideShare ? GREEN : RED;
  for (let y = height - stripHeight; y < height; y++) {
    for (let x = 0; x < width; x++) paint(y * width + x, x === tick ? WHITE : x < filled ? colour : STRIP_BACK);
  }
  return { width, height, channels: 3, data };
}
