/**
 * face-api's SSD MobileNet v1 face detector, run by repro on batches and at any input size. face-api runs it
 * one photo at a time at 512², where a 150 px tight crop is upscaled 3.4× and every depthwise layer costs a
 * batch norm plus a clip (two more native ops each on tfjs-node). Here the same weights are folded once —
 * each depthwise layer's batch norm into its filter and a bias — and the network runs as conv → add bias →
 * ReLU6, on a batch of photos, each letterboxed (top-left, zero padded, as face-api does) and resized to the
 * chosen input side. The net is fully convolutional; its output grids shrink with the input (32,16,8,4,2,1
 * cells at 512²; 16,8,4,2,1,1 at 256²), so the anchors are generated for the grids actually produced, by the
 * TensorFlow Object Detection API's SSD anchor generator the model was trained with (scales 0.2…0.95 over
 * six layers, aspect ratios 1, 2, ½, 3, ⅓ and the in-between scale; three boxes on the first layer). At
 * 512² these equal the anchors shipped in the model (`output_layer.extra_dim`, checked in the tests), and
 * the boxes equal face-api's. Boxes are decoded with the usual (10, 10, 5, 5) variances, then greedy
 * non-maximum suppression at IoU 0.5 per photo, in JS.
 */
import type { Tensor, Tensor1D, Tensor4D } from '@tensorflow/tfjs';
import type { Tf } from '../kit/tf-backend.js';
import { letterboxBatch } from './letterbox.js';
import type { ScoredBox } from './types.js';

/** face-api's SSD MobileNet v1 weights, as its `nets.ssdMobilenetv1.params` holds them. */
export interface SsdParams {
  mobilenetv1: Record<string, PointwiseParams | { depthwise_conv: DepthwiseParams; pointwise_conv: PointwiseParams }>;
  prediction_layer: Record<string, PointwiseParams | { box_encoding_predictor: BiasedConv; class_predictor: BiasedConv }>;
  output_layer: { extra_dim: Tensor };
}
interface PointwiseParams {
  filters: Tensor4D;
  batch_norm_offset: Tensor1D;
}
interface DepthwiseParams {
  filters: Tensor4D;
  batch_norm_scale: Tensor1D;
  batch_norm_offset: Tensor1D;
  batch_norm_mean: Tensor1D;
  batch_norm_variance: Tensor1D;
}
interface BiasedConv {
  filters: Tensor4D;
  bias: Tensor1D;
}

/** One convolution with its bias, ready to run: `relu6` says whether ReLU6 follows. */
interface ConvUnit {
  filter: Tensor4D;
  bias: Tensor1D;
  stride: 1 | 2;
  depthwise: boolean;
}

/** The folded network: backbone units, the extra feature layers and the six box predictors. */
export interface SsdNet {
  readonly backbone: readonly ConvUnit[];
  readonly extras: readonly ConvUnit[];
  readonly predictors: readonly { box: BiasedConv; cls: BiasedConv }[];
}

/** One detection in the input image's pixels. */
export type SsdDetection = ScoredBox;

/** The input side face-api trains and runs the model at. */
export const DEFAULT_DETECT_SIZE = 512;
/** The batch-norm ε the model was trained with (TensorFlow's float32 0.001). */
const BATCH_NORM_EPSILON = 0.0010000000474974513;
/** SSD anchor generator settings of the model (TF Object Detection API, `ssd_anchor_generator`). */
const MIN_SCALE = 0.2;
const MAX_SCALE = 0.95;
const NUM_LAYERS = 6;
/** Box-coder variances (y, x, h, w). */
const SCALE_YX = 10;
const SCALE_HW = 5;
const NMS_IOU = 0.5;

/** Folds face-api's loaded weights into `SsdNet` (new tensors; the caller keeps them for the process). */
export function foldSsd(tf: Tf, params: SsdParams): SsdNet {
  return tf.tidy(() => {
    const m = params.mobilenetv1;
    const pointwise = (p: PointwiseParams, stride: 1 | 2): ConvUnit => ({ filter: tf.keep(p.filters.clone()), bias: tf.keep(p.batch_norm_offset.clone()), stride, depthwise: false });
    const depthwise = (p: DepthwiseParams, stride: 1 | 2): ConvUnit => {
      // y = (dw(x) − mean)·k + offset with k = scale / √(variance + ε) → dw with filter·k, bias offset − mean·k
      const k = tf.div(p.batch_norm_scale, tf.sqrt(tf.add(p.batch_norm_variance, BATCH_NORM_EPSILON))); // [C]
      const filter = tf.mul(p.filters, tf.reshape(k, [1, 1, -1, 1])) as Tensor4D; // [3, 3, C, 1]
      const bias = tf.sub(p.batch_norm_offset, tf.mul(p.batch_norm_mean, k)) as Tensor1D; // [C]
      return { filter: tf.keep(filter), bias: tf.keep(bias), stride, depthwise: true };
    };
    const backbone: ConvUnit[] = [pointwise(m.conv_0 as PointwiseParams, 2)];
    for (let layer = 1; layer <= 13; layer += 1) {
      const pair = m[`conv_${layer}`] as { depthwise_conv: DepthwiseParams; pointwise_conv: PointwiseParams };
      backbone.push(depthwise(pair.depthwise_conv, [2, 4, 6, 12].includes(layer) ? 2 : 1), pointwise(pair.pointwise_conv, 1));
    }
    const p = params.prediction_layer;
    const extras = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => pointwise(p[`conv_${i}`] as PointwiseParams, i % 2 === 1 ? 2 : 1));
    const predictors = [0, 1, 2, 3, 4, 5].map((i) => {
      const q = p[`box_predictor_${i}`] as { box_encoding_predictor: BiasedConv; class_predictor: BiasedConv };
      const keep = (c: BiasedConv): BiasedConv => ({ filters: tf.keep(c.filters.clone()), bias: tf.keep(c.bias.clone()) });
      return { box: keep(q.box_encoding_predictor), cls: keep(q.class_predictor) };
    });
    return { backbone, extras, predictors } as unknown as never;
  }) as SsdNet;
}

/** Frees the folded weights. */
export function disposeSsd(tf: Tf, net: SsdNet): void {
  for (const u of [...net.backbone, ...net.extras]) tf.dispose([u.filter, u.bias]);
  for (const p of net.predictors) tf.dispose([p.box.filters, p.box.bias, p.cls.filters, p.cls.bias]);
}

/**
 * Detects faces in a batch of RGB images (each `[H, W, 3]`, values 0..255, any sizes): letterboxed and
 * resized to `inputSize`² together, one forward pass, then per image the boxes scoring ≥ `minScore` after
 * NMS, best first, at most `maxResults`, in the image's own pixels (not clipped).
 */
export async function detectSsdBatch(
  tf: Tf,
  net: SsdNet,
  images: readonly Tensor[],
  options: { inputSize: number; minScore: number; maxResults?: number },
): Promise<SsdDetection[][]> {
  if (images.length === 0) return [];
  const { inputSize } = options;
  const sides = images.map((image) => Math.max(image.shape[0]!, image.shape[1]!));
  const [boxesT, scoresT] = tf.tidy(() => {
    const batch = letterboxBatch(tf, images, inputSize); // [N, I, I, 3]
    const x = tf.sub(tf.mul(batch, 0.007843137718737125), 1) as Tensor4D; // [-1, 1]
    const run = (input: Tensor4D, u: ConvUnit): Tensor4D =>
      u.depthwise
        ? (tf.relu6(tf.add(tf.depthwiseConv2d(input, u.filter, u.stride, 'same'), u.bias)) as Tensor4D)
        : (tf.relu6(tf.add(tf.conv2d(input, u.filter, u.stride, 'same'), u.bias)) as Tensor4D);
    let out = x;
    let conv11: Tensor4D | undefined;
    net.backbone.forEach((u, i) => {
      out = run(out, u);
      if (i === 22) conv11 = out; // pointwise conv of layer 11 (unit 0 is conv_0, then dw/pw pairs)
    });
    const e = net.extras;
    const c1 = run(run(out, e[0]!), e[1]!);
    const c3 = run(run(c1, e[2]!), e[3]!);
    const c5 = run(run(c3, e[4]!), e[5]!);
    const c7 = run(run(c5, e[6]!), e[7]!);
    const maps = [conv11!, out, c1, c3, c5, c7]; // grids I/16, I/32, I/64, … (rounded up)
    const n = images.length;
    const boxes: Tensor[] = [];
    const scores: Tensor[] = [];
    maps.forEach((map, i) => {
      const p = net.predictors[i]!;
      boxes.push(tf.reshape(tf.add(tf.conv2d(map, p.box.filters, 1, 'same'), p.box.bias), [n, -1, 4])); // [N, cells·anchors, 4]
      const cls = tf.reshape(tf.add(tf.conv2d(map, p.cls.filters, 1, 'same'), p.cls.bias), [n, -1, 3]); // [N, cells·anchors, 3]
      scores.push(tf.sigmoid(tf.slice(cls, [0, 0, 1], [-1, -1, 1])).reshape([n, -1])); // [N, cells·anchors]: class 1 is "face"
    });
    const grids = maps.map((map) => map.shape[1]!);
    const anchors = tf.tensor2d(ssdAnchors(grids), [grids.reduce((s, g, i) => s + g * g * (i === 0 ? 3 : 6), 0), 4]); // [A, 4]
    return [decodeBoxes(tf, tf.concat(boxes, 1), anchors), tf.concat(scores, 1)]; // [N, A, 4], [N, A]
  });
  try {
    const [boxes, scores] = (await Promise.all([boxesT.data(), scoresT.data()])) as [Float32Array, Float32Array];
    const count = scoresT.shape[1]!;
    return images.map((_, i) => {
      const scale = sides[i]!; // normalised coordinates × the letterboxed side → the image's pixels
      const picked = nonMaxSuppression(boxes.subarray(i * count * 4, (i + 1) * count * 4), scores.subarray(i * count, (i + 1) * count), options.minScore, options.maxResults ?? 100);
      return picked.map(({ score, at }) => {
        const y0 = Math.max(0, boxes[(i * count + at) * 4]!) * scale;
        const x0 = Math.max(0, boxes[(i * count + at) * 4 + 1]!) * scale;
        const y1 = Math.min(1, boxes[(i * count + at) * 4 + 2]!) * scale;
        const x1 = Math.min(1, boxes[(i * count + at) * 4 + 3]!) * scale;
        return { score, box: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } };
      });
    });
  } finally {
    tf.dispose([boxesT, scoresT]);
  }
}

/**
 * The model's anchors, `[ymin, xmin, ymax, xmax]` normalised, for feature grids of the given sides, in the
 * predictors' output order (layer, then row, column, box).
 */
export function ssdAnchors(grids: readonly number[]): Float32Array {
  const scales = Array.from({ length: NUM_LAYERS }, (_, i) => MIN_SCALE + ((MAX_SCALE - MIN_SCALE) * i) / (NUM_LAYERS - 1));
  const out: number[] = [];
  grids.forEach((grid, layer) => {
    const s = scales[layer]!;
    const next = layer + 1 < NUM_LAYERS ? scales[layer + 1]! : 1;
    const shapes: [number, number][] =
      layer === 0
        ? [[0.1, 1], [s, 2], [s, 0.5]]
        : [[s, 1], [Math.sqrt(s * next), 1], [s, 2], [s, 0.5], [s, 3], [s, 1 / 3]];
    for (let row = 0; row < grid; row += 1) {
      for (let col = 0; col < grid; col += 1) {
        const cy = (row + 0.5) / grid;
        const cx = (col + 0.5) / grid;
        for (const [scale, ratio] of shapes) {
          const h = scale / Math.sqrt(ratio);
          const w = scale * Math.sqrt(ratio);
          out.push(cy - h / 2, cx - w / 2, cy + h / 2, cx + w / 2);
        }
      }
    }
  });
  return Float32Array.from(out);
}

/** Box-coder decode: encodings `[N, A, 4]` (ty, tx, th, tw) against anchors `[A, 4]` → `[N, A, 4]` corners. */
function decodeBoxes(tf: Tf, encodings: Tensor, anchors: Tensor): Tensor {
  const [ay0, ax0, ay1, ax1] = tf.unstack(anchors, 1); // [A] each
  const ah = tf.sub(ay1!, ay0!);
  const aw = tf.sub(ax1!, ax0!);
  const acy = tf.add(ay0!, tf.div(ah, 2));
  const acx = tf.add(ax0!, tf.div(aw, 2));
  const [ty, tx, th, tw] = tf.unstack(encodings, 2); // [N, A] each
  const cy = tf.add(tf.mul(tf.div(ty!, SCALE_YX), ah), acy);
  const cx = tf.add(tf.mul(tf.div(tx!, SCALE_YX), aw), acx);
  const hh = tf.div(tf.mul(tf.exp(tf.div(th!, SCALE_HW)), ah), 2);
  const hw = tf.div(tf.mul(tf.exp(tf.div(tw!, SCALE_HW)), aw), 2);
  return tf.stack([tf.sub(cy, hh), tf.sub(cx, hw), tf.add(cy, hh), tf.add(cx, hw)], 2); // [N, A, 4]
}

/** Greedy NMS over one image's anchors: score ≥ minScore, IoU > 0.5 with a kept box suppresses. */
function nonMaxSuppression(boxes: Float32Array, scores: Float32Array, minScore: number, maxResults: number): { score: number; at: number }[] {
  const candidates: number[] = [];
  for (let i = 0; i < scores.length; i += 1) if (scores[i]! >= minScore) candidates.push(i);
  candidates.sort((a, b) => scores[b]! - scores[a]! || a - b);
  const kept: number[] = [];
  for (const i of candidates) {
    if (kept.length >= maxResults) break;
    if (kept.every((j) => iou(boxes, i, j) <= NMS_IOU)) kept.push(i);
  }
  return kept.map((at) => ({ score: scores[at]!, at }));
}

function iou(b: Float32Array, i: number, j: number): number {
  const area = (k: number) => Math.max(0, b[k * 4 + 2]! - b[k * 4]!) * Math.max(0, b[k * 4 + 3]! - b[k * 4 + 1]!);
  const h = Math.max(0, Math.min(b[i * 4 + 2]!, b[j * 4 + 2]!) - Math.max(b[i * 4]!, b[j * 4]!));
  const w = Math.max(0, Math.min(b[i * 4 + 3]!, b[j * 4 + 3]!) - Math.max(b[i * 4 + 1]!, b[j * 4 + 1]!));
  const inter = h * w;
  const union = area(i) + area(j) - inter;
  return union <= 0 ? 0 : inter / union;
}
