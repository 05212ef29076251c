/**
 * The per-epoch sample grid (MODEL.md §7.1), the paper's way of choosing checkpoints: one row per probe
 * image, columns input | background attention A10 (grey, white = copies the input) | output | each noise
 * sample, at the images' own resolution with white gaps. It takes the tensors of a probe run (`runProbe` in
 * evaluate.ts), so the grid and the scores come from the same generator passes. Pixels are composited here
 * and encoded by `encodePng` (no metadata), so the same tensors always give the same PNG bytes.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { encodePng } from '../kit/image-io.js';

/** What one grid shows; a `ProbeRun` plus its input fits. */
export interface SampleGridInput {
  /** Probe inputs, [N, H, W, 3] in [−1, 1]. */
  readonly images: tfjs.Tensor4D;
  /** Attention maps, [N, H, W, M]; the last is the background A10. */
  readonly attention: tfjs.Tensor4D;
  /** Output, [N, H, W, 3] in [−1, 1]. */
  readonly output: tfjs.Tensor4D;
  /** Noise samples, k × [N, H, W, 3] in [−1, 1]. */
  readonly samples: readonly tfjs.Tensor4D[];
}

/** Layout of the grid. */
export interface SampleGridOptions {
  /** White gap between cells and around the grid, px. @default 2 */
  readonly gap?: number;
}

/** Column titles, left to right, for k noise samples (for captions; the PNG itself has no text). */
export function sampleGridColumns(samples: number): string[] {
  return ['input', 'A10 (background attention)', 'output', ...Array.from({ length: samples }, (_, i) => `noise sample ${i + 1}`)];
}

/** PNG of the grid: width (3 + k)·(W + gap) + gap, height N·(H + gap) + gap. */
export async function renderSampleGrid(input: SampleGridInput, options: SampleGridOptions = {}): Promise<Buffer> {
  const gap = options.gap ?? 2;
  if (!Number.isInteger(gap) || gap < 0) throw new RangeError(`renderSampleGrid: gap expected a non-negative integer, received ${gap}`);
  const [n, h, w, c] = input.images.shape;
  if (c !== 3) throw new RangeError(`renderSampleGrid: images expected [N, H, W, 3], received [${input.images.shape.join(', ')}]`);
  const rgb = [input.output, ...input.samples];
  rgb.forEach((t, i) => {
    if (t.shape.some((d, j) => d !== input.images.shape[j])) {
      throw new RangeError(`renderSampleGrid: ${i === 0 ? 'output' : `samples[${i - 1}]`} expected [${input.images.shape.join(', ')}], received [${t.shape.join(', ')}]`);
    }
  });
  const m = input.attention.shape[3];
  if (input.attention.shape[0] !== n || input.attention.shape[1] !== h || input.attention.shape[2] !== w) {
    throw new RangeError(`renderSampleGrid: attention expected [${n}, ${h}, ${w}, M], received [${input.attention.shape.join(', ')}]`);
  }
  // columns: input | A10 | output | samples…, each [N, H, W, 3] as uint8
  const columns = [toBytes(await input.images.data()), backgroundBytes(await input.attention.data(), m)];
  for (const t of rgb) columns.push(toBytes(await t.data()));
  const width = columns.length * (w + gap) + gap;
  const height = n * (h + gap) + gap;
  const sheet = new Uint8Array(width * height * 3).fill(255);
  columns.forEach((pixels, col) => {
    for (let row = 0; row < n; row += 1) {
      for (let y = 0; y < h; y += 1) {
        const from = ((row * h + y) * w) * 3;
        const to = ((gap + row * (h + gap) + y) * width + gap + col * (w + gap)) * 3;
        sheet.set(pixels.subarray(from, from + w * 3), to);
      }
    }
  });
  return encodePng({ width, height, channels: 3, data: sheet });
}

/** [−1, 1] floats to bytes, rounded and clamped. */
function toBytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < out.length; i += 1) out[i] = clampByte((values[i]! + 1) * 127.5);
  return out;
}

/** The last of `m` attention maps as grey RGB bytes (A10 = 1 → white). */
function backgroundBytes(values: ArrayLike<number>, m: number): Uint8Array {
  const pixels = values.length / m;
  const out = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p += 1) out.fill(clampByte(values[p * m + m - 1]! * 255), 3 * p, 3 * p + 3);
  return out;
}

function clampByte(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}
