/**
 * face-api's Tiny Face Detector (a Tiny-YOLOv2 with depthwise separable convolutions, 190 KB of weights), run
 * by repro on batches. face-api runs it one photo at a time through its own input pipeline and reads the
 * whole output grid back element by element; here a batch of photos is letterboxed exactly as face-api does
 * (letterbox.ts: zero padded bottom/right to a square, resized to the input side), normalised (minus the mean
 * RGB, /255) and pushed through face-api's own network function (`runMobilenet`, its loaded weights) in one
 * pass. The output grid — `[N, g, g, 5 anchors × (x, y, w, h, objectness)]`, g = side/32 — is decoded in JS
 * the YOLOv2 way (sigmoid centre offsets in cells, anchor sizes × exp, sigmoid objectness), corrected for
 * the letterbox so boxes are relative to the photo, then greedy non-maximum suppression at IoU 0.4 per photo,
 * as face-api does. Boxes and scores equal face-api's own `detectAllFaces` (checked in the tests).
 */
import type { Tensor, Tensor3D, Tensor4D } from '@tensorflow/tfjs';
import type { Tf } from '../kit/tf-backend.js';
import { letterboxBatch } from './letterbox.js';
import type { ScoredBox } from './types.js';

/** The part of face-api's `TinyFaceDetector` this module drives (its loaded params and network function). */
export interface TinyNet {
  readonly params: unknown;
  runMobilenet(x: Tensor4D, params: never): Tensor4D;
}

/** The input side face-api defaults to, here the largest side a photo is detected at. */
export const DEFAULT_TINY_SIZE = 416;
/** The smallest input side: a face photo is not shrunk below it (the grid is then 5×5 cells). */
export const MIN_TINY_SIZE = 160;
/** face-api's TinyFaceDetector constants (`tinyFaceDetector/const.ts`): anchor sizes in cells, mean RGB, NMS IoU. */
const ANCHORS: readonly (readonly [number, number])[] = [
  [1.603231, 2.094468],
  [6.041143, 7.080126],
  [2.882459, 3.518061],
  [4.266906, 5.178857],
  [9.041765, 10.66308],
];
const MEAN_RGB = [117.001, 114.697, 97.404] as const;
const NMS_IOU = 0.4;
/** x, y, w, h, objectness per anchor (one class, so no class scores). */
const ENCODING = 5;

/**
 * The input side for a photo whose longer side is `side` px: its own size rounded up to a multiple of 32
 * (no needless upscaling: a 150 px face crop runs at 160², a sixth of the work of face-api's 416²), at
 * least MIN_TINY_SIZE, at most `largest`.
 */
export function tinyInputSide(side: number, largest: number = DEFAULT_TINY_SIZE): number {
  return Math.max(MIN_TINY_SIZE, Math.min(largest, Math.ceil(side / 32) * 32));
}

/**
 * Detects faces in a batch of RGB images (each `[H, W, 3]`, values 0..255, any sizes): one forward pass at
 * `inputSize`² (a multiple of 32), then per image the boxes scoring > `minScore` after NMS, best first, at
 * most `maxResults`, in the image's own pixels (not clipped).
 */
export async function detectTinyBatch(
  tf: Tf,
  net: TinyNet,
  images: readonly Tensor3D[],
  options: { inputSize: number; minScore: number; maxResults?: number },
): Promise<ScoredBox[][]> {
  if (images.length === 0) return [];
  const { inputSize } = options;
  const output = tf.tidy(() => {
    const batch = letterboxBatch(tf, images, inputSize); // [N, I, I, 3]
    const x = tf.div(tf.sub(batch, tf.tensor1d(MEAN_RGB as unknown as number[])), 255) as Tensor4D; // [N, I, I, 3]
    return net.runMobilenet(x, net.params as never); // [N, g, g, 25]
  });
  let grid: Float32Array;
  try {
    grid = (await (output as Tensor).data()) as Float32Array;
  } finally {
    output.dispose();
  }
  const cells = output.shape[1]!;
  const perImage = cells * cells * ANCHORS.length * ENCODING;
  return images.map((image, i) => {
    const [h, w] = image.shape;
    const side = Math.max(h, w);
    // face-api's computeReshapedDimensions: the photo's size inside the letterboxed input, whole pixels
    const shownW = Math.round((w * inputSize) / side);
    const shownH = Math.round((h * inputSize) / side);
    const found = decodeGrid(grid.subarray(i * perImage, (i + 1) * perImage), cells, options.minScore, inputSize / shownW, inputSize / shownH);
    return nonMaxSuppression(found, inputSize, options.maxResults ?? 100).map(({ score, box }) => ({
      score,
      box: { x: box.x * w, y: box.y * h, width: box.width * w, height: box.height * h },
    }));
  });
}

/** One image's grid → candidate boxes relative to the photo (x, y, width, height in 0..1 of its sides). */
function decodeGrid(grid: Float32Array, cells: number, minScore: number, correctX: number, correctY: number): ScoredBox[] {
  const out: ScoredBox[] = [];
  for (let row = 0; row < cells; row += 1) {
    for (let col = 0; col < cells; col += 1) {
      for (let anchor = 0; anchor < ANCHORS.length; anchor += 1) {
        const at = ((row * cells + col) * ANCHORS.length + anchor) * ENCODING;
        const score = sigmoid(grid[at + 4]!);
        if (!(score > minScore)) continue;
        const cx = ((col + sigmoid(grid[at]!)) / cells) * correctX;
        const cy = ((row + sigmoid(grid[at + 1]!)) / cells) * correctY;
        const width = ((Math.exp(grid[at + 2]!) * ANCHORS[anchor]![0]) / cells) * correctX;
        const height = ((Math.exp(grid[at + 3]!) * ANCHORS[anchor]![1]) / cells) * correctY;
        out.push({ score, box: { x: cx - width / 2, y: cy - height / 2, width, height } });
      }
    }
  }
  return out;
}

/**
 * Greedy NMS as face-api's: best score first (of equal scores the later candidate), a box overlapping a kept
 * one by IoU > 0.4 — measured on the boxes scaled to the input side, as face-api does — is dropped.
 */
function nonMaxSuppression(candidates: readonly ScoredBox[], inputSize: number, maxResults: number): ScoredBox[] {
  const order = candidates.map((_, i) => i).sort((a, b) => candidates[b]!.score - candidates[a]!.score || b - a);
  const kept: ScoredBox[] = [];
  for (const i of order) {
    if (kept.length >= maxResults) break;
    const box = candidates[i]!;
    if (kept.every((k) => iou(k, box, inputSize) <= NMS_IOU)) kept.push(box);
  }
  return kept;
}

function iou(a: ScoredBox, b: ScoredBox, scale: number): number {
  const [ax, ay, aw, ah] = [a.box.x * scale, a.box.y * scale, a.box.width * scale, a.box.height * scale];
  const [bx, by, bw, bh] = [b.box.x * scale, b.box.y * scale, b.box.width * scale, b.box.height * scale];
  const w = Math.max(0, Math.min(ax + aw, bx + bw) - Math.max(ax, bx));
  const h = Math.max(0, Math.min(ay + ah, by + bh) - Math.max(ay, by));
  const inter = w * h;
  const union = aw * ah + bw * bh - inter;
  return union <= 0 ? 0 : inter / union;
}

function sigmoid(v: number): number {
  return 1 / (1 + Math.exp(-v));
}
