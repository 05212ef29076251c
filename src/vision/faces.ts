/**
 * Face boxes and 68-point landmarks on raw RGB pixels, with `@vladmandic/face-api` on the project's own
 * TensorFlow backend (its models are loaded by face-models.ts, re-exported here). Detection takes a tensor
 * made from the pixels (no canvas), optionally padded with edge pixels for tight crops, or retried padded
 * when the unpadded pass found nothing. Both detectors run batched, many photos per pass: SSD through
 * repro's port of it (ssd-detector.ts), the Tiny Face Detector through face-api's network function with
 * repro's batch input and decoding (tiny-detector.ts).
 * Landmarks are computed on every detected box of a batch in one pass and returned in image pixels.
 * Results are sorted by score (descending), then x, so the same pixels always give the same face order.
 */
import { performance } from 'node:perf_hooks';
import { ReproError } from '../errors.js';
import type { BackendKind, Tf } from '../kit/tf-backend.js';
import type { FaceApi, FaceModels } from './face-models.js';
import { DEFAULT_DETECT_SIZE, detectSsdBatch, foldSsd, type SsdNet, type SsdParams } from './ssd-detector.js';
import { DEFAULT_TINY_SIZE, detectTinyBatch, tinyInputSide, type TinyNet } from './tiny-detector.js';
import type { Box, Landmarks68, Point, RawImage, ScoredBox } from './types.js';
import type { Tensor3D } from '@tensorflow/tfjs';

export { loadFaceModels, type FaceDetectorKind, type FaceModels, type LoadFaceModelsOptions } from './face-models.js';

/** One face: detector box and score, and the 68 landmarks (iBUG layout) in image pixels. */
export interface DetectedFace {
  /** detector box clipped to the image, whole pixels */
  box: Box;
  /** detector confidence in [0, 1] */
  score: number;
  /** 68 points in image pixels */
  landmarks: Landmarks68;
  /** landmark confidence, when the landmark net gives one (face-api's 68-point net does not) */
  landmarkScore?: number;
}

/** Milliseconds spent in each step of one `detectFaces` call. */
export interface FaceTimings {
  /** pixels → input tensor (and padding) */
  prepareMs: number;
  /** detector forward pass and NMS */
  detectMs: number;
  /** face crops and the landmark net, all faces together */
  landmarksMs: number;
}

export interface DetectFacesOptions {
  /** lowest detector score kept */
  minScore: number;
  /** keep at most this many faces (the best by score); @default all */
  maxFaces?: number;
  /**
   * Pad each side by this fraction of the image's width/height with edge pixels before detecting, so faces
   * filling the frame (tight crops) still fit the detector's anchors. Coordinates stay in the input image.
   * @default 0
   */
  pad?: number;
  /**
   * When nothing is found, detect once more with this `pad` (so one setting serves both scenes, where
   * padding shrinks small faces further, and tight crops, which need it). @default no retry
   */
  retryPad?: number;
  /** SSD input side, px (a multiple of 32): each photo is letterboxed and resized to it; @default 512 */
  inputSize?: number;
  /**
   * Tiny Face Detector: the largest input side (a multiple of 32); each photo runs at its own longer side
   * (padding included) rounded up to a multiple of 32, at least 160, at most this (`tinyInputSide`). @default 416
   */
  tinyInputSize?: number;
  /** receives the time each step took, once per detection pass (twice when `retryPad` was used) */
  onTimings?: (timings: FaceTimings) => void;
}

/** The SSD weights folded for `detectSsdBatch`, per backend kind (built once, kept for the process). */
const folded = new Map<BackendKind, SsdNet>();

/** Detects faces in an RGB (or gray/RGBA) image, then 68 landmarks per face; best score first. */
export async function detectFaces(models: FaceModels, image: RawImage, options: DetectFacesOptions): Promise<DetectedFace[]> {
  return (await detectFacesBatch(models, [image], options))[0]!;
}

/**
 * `detectFaces` for several images at once: one detector pass over the whole batch (and one more
 * over the images where it found nothing, when `retryPad` asks), and one landmark pass over every face
 * found; the answer per image is the same as `detectFaces` gives it alone. `onTimings` is told once per
 * detector pass, for the whole batch.
 */
export async function detectFacesBatch(models: FaceModels, images: readonly RawImage[], options: DetectFacesOptions): Promise<DetectedFace[][]> {
  const { retryPad, ...once } = options;
  const results = await detectPass(models, images, once);
  if (retryPad === undefined || retryPad === (options.pad ?? 0)) return results;
  const missed = results.flatMap((faces, i) => (faces.length === 0 ? [i] : []));
  if (missed.length === 0) return results;
  const again = await detectPass(models, missed.map((i) => images[i]!), { ...once, pad: retryPad });
  missed.forEach((i, k) => (results[i] = again[k]!));
  return results;
}

/** One detector pass over a batch (SSD or Tiny, each batched), then landmarks on every face found. */
async function detectPass(models: FaceModels, images: readonly RawImage[], options: Omit<DetectFacesOptions, 'retryPad'>): Promise<DetectedFace[][]> {
  const { tf } = models;
  for (const image of images) checkImage(image);
  const started = performance.now();
  const pads = images.map((image) => ({ x: Math.round((options.pad ?? 0) * image.width), y: Math.round((options.pad ?? 0) * image.height) }));
  const inputs = images.map((image, i) => toInputTensor(tf, image, pads[i]!)); // [H', W', 3] each
  try {
    const prepared = performance.now();
    const found =
      models.detector === 'tiny'
        ? await detectTinyBySide(models, inputs, options)
        : await detectSsdBatch(tf, ssdNet(models), inputs, { inputSize: options.inputSize ?? DEFAULT_DETECT_SIZE, minScore: options.minScore, maxResults: 100 });
    const boxes = found.map((detections, i) =>
      detections
        .map((d) => ({ score: d.score, box: clipToWholePixels(d.box, inputs[i]!.shape[1], inputs[i]!.shape[0]) }))
        .filter((d) => d.box.width > 0 && d.box.height > 0)
        .sort((a, b) => b.score - a.score || a.box.x - b.box.x || a.box.y - b.box.y)
        .slice(0, options.maxFaces ?? Infinity),
    );
    const detected = performance.now();
    const marks = await landmarksOf(models, inputs, boxes);
    options.onTimings?.({ prepareMs: prepared - started, detectMs: detected - prepared, landmarksMs: performance.now() - detected });
    return images.map((image, i) => {
      const { x: padX, y: padY } = pads[i]!;
      const faces = boxes[i]!.map(({ score, box }, k): DetectedFace => ({
        box: { x: box.x - padX, y: box.y - padY, width: box.width, height: box.height },
        score,
        landmarks: marks[i]![k]!.map((p) => [p[0] + box.x - padX, p[1] + box.y - padY] as const),
      }));
      // Boxes found in the padding are clipped back to the image; drop those left with no area.
      return faces.map((face) => ({ ...face, box: clipBox(face.box, image.width, image.height) })).filter((face) => face.box.width > 0 && face.box.height > 0);
    });
  } finally {
    tf.dispose(inputs);
  }
}

/**
 * The Tiny Face Detector over a batch, each input at its own side (`tinyInputSide`): one pass per side
 * present, answers in input order.
 */
async function detectTinyBySide(models: FaceModels, inputs: readonly Tensor3D[], options: Omit<DetectFacesOptions, 'retryPad'>): Promise<ScoredBox[][]> {
  const net = models.faceapi.nets.tinyFaceDetector as unknown as TinyNet;
  const sides = inputs.map((input) => tinyInputSide(Math.max(input.shape[0], input.shape[1]), options.tinyInputSize ?? DEFAULT_TINY_SIZE));
  const out: ScoredBox[][] = new Array(inputs.length);
  for (const side of [...new Set(sides)].sort((a, b) => a - b)) {
    const at = sides.flatMap((s, i) => (s === side ? [i] : []));
    const found = await detectTinyBatch(models.tf, net, at.map((i) => inputs[i]!), { inputSize: side, minScore: options.minScore, maxResults: 100 });
    at.forEach((i, k) => (out[i] = found[k]!));
  }
  return out;
}

/** The 68 landmarks of every box, in box pixels: one landmark-net pass over all boxes of all images. */
async function landmarksOf(models: FaceModels, inputs: readonly Tensor3D[], boxes: readonly { box: Box }[][]): Promise<Point[][][]> {
  const { tf, faceapi } = models;
  const all = boxes.flatMap((list, i) => list.map(({ box }) => ({ i, box })));
  if (all.length === 0) return boxes.map(() => []);
  const crops = tf.tidy(() => all.map(({ i, box }) => tf.slice(inputs[i]!, [box.y, box.x, 0], [box.height, box.width, 3]))); // [h, w, 3] each
  try {
    const marks = (await faceapi.nets.faceLandmark68Net.detectLandmarks(crops as never)) as unknown as InstanceType<FaceApi['FaceLandmarks68']> | InstanceType<FaceApi['FaceLandmarks68']>[];
    const list = Array.isArray(marks) ? marks : [marks]; // face-api answers one crop with one object, not a list
    let next = 0;
    return boxes.map((faces) => faces.map(() => (list[next++]?.positions ?? []).map((p) => [p.x, p.y] as const)));
  } finally {
    tf.dispose(crops);
  }
}

/** The folded SSD of this process (built from face-api's loaded weights on first use). */
function ssdNet(models: FaceModels): SsdNet {
  let net = folded.get(models.backend);
  if (net === undefined) {
    net = foldSsd(models.tf, (models.faceapi.nets.ssdMobilenetv1 as unknown as { params: SsdParams }).params);
    folded.set(models.backend, net);
  }
  return net;
}

/** Pixels → `[H + 2·padY, W + 2·padX, 3]` int32, gray and alpha handled, edges repeated into the pad. */
function toInputTensor(tf: Tf, image: RawImage, pad: { x: number; y: number }): Tensor3D {
  return tf.tidy(() => {
    const pixels = tf.tensor3d(image.data, [image.height, image.width, image.channels], 'int32'); // [H, W, C]
    const rgb = image.channels === 3 ? pixels : image.channels === 4 ? tf.slice(pixels, [0, 0, 0], [-1, -1, 3]) : tf.tile(pixels, [1, 1, 3]); // [H, W, 3]
    return pad.x > 0 || pad.y > 0 ? padWithEdges(tf, rgb as Tensor3D, pad.y, pad.x) : (rgb as Tensor3D);
  });
}

/** A box clipped to the input and floored to whole pixels, as face-api's `clipAtImageBorders` does. */
function clipToWholePixels(box: Box, width: number, height: number): Box {
  const x = Math.max(box.x, 0);
  const y = Math.max(box.y, 0);
  const w = Math.min(box.x + box.width - x, width - x);
  const h = Math.min(box.y + box.height - y, height - y);
  return { x: Math.floor(x), y: Math.floor(y), width: Math.floor(w), height: Math.floor(h) };
}

/** Pads an [H, W, C] tensor by repeating its edge rows and columns (like OpenCV's BORDER_REPLICATE). */
function padWithEdges(tf: Tf, pixels: Tensor3D, padY: number, padX: number): Tensor3D {
  const [h, w] = pixels.shape;
  const top = tf.tile(tf.slice(pixels, [0, 0, 0], [1, w, -1]), [padY, 1, 1]); // [padY, W, C]
  const bottom = tf.tile(tf.slice(pixels, [h - 1, 0, 0], [1, w, -1]), [padY, 1, 1]); // [padY, W, C]
  const tall = padY > 0 ? tf.concat([top, pixels, bottom], 0) : pixels; // [H + 2·padY, W, C]
  const left = tf.tile(tf.slice(tall, [0, 0, 0], [-1, 1, -1]), [1, padX, 1]); // [H', padX, C]
  const right = tf.tile(tf.slice(tall, [0, w - 1, 0], [-1, 1, -1]), [1, padX, 1]); // [H', padX, C]
  return padX > 0 ? tf.concat([left, tall, right], 1) : tall; // [H', W + 2·padX, C]
}

function clipBox(box: Box, width: number, height: number): Box {
  const x = Math.max(0, box.x);
  const y = Math.max(0, box.y);
  return { x, y, width: Math.max(0, Math.min(box.x + box.width, width) - x), height: Math.max(0, Math.min(box.y + box.height, height) - y) };
}

function checkImage(image: RawImage): void {
  const expected = image.width * image.height * image.channels;
  if (!(image.width > 0 && image.height > 0) || image.data.length !== expected) {
    throw new Error(`detectFaces expected ${image.width}×${image.height}×${image.channels} = ${expected} bytes of pixels, received ${image.data.length}`);
  }
}
