/**
 * Face detection on the face-api package's sample photos with its shipped models, on the project's native
 * TensorFlow backend: faces come back best first with plausible landmarks in image pixels, the same pixels
 * give the same answer (RGB, RGBA, padded), models load once, and no call leaks tensors.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { detectFaces, loadFaceModels, type DetectedFace, type FaceTimings } from '../../src/vision/faces.js';
import type { RawImage } from '../../src/vision/types.js';

const require = createRequire(import.meta.url);
const SAMPLES = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');

/** sample`n`.jpg as RGB (or RGBA), `width` px wide. */
async function readSample(n: number, width: number, channels: 3 | 4 = 3): Promise<RawImage> {
  const pipeline = sharp(join(SAMPLES, `sample${n}.jpg`)).resize({ width });
  const { data, info } = await (channels === 4 ? pipeline.ensureAlpha() : pipeline.removeAlpha()).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

const mean = (points: readonly (readonly [number, number])[]): [number, number] => [
  points.reduce((s, p) => s + p[0], 0) / points.length,
  points.reduce((s, p) => s + p[1], 0) / points.length,
];

function maxLandmarkShift(a: readonly DetectedFace[], b: readonly DetectedFace[]): number {
  let worst = 0;
  a.forEach((face, i) => face.landmarks.forEach((p, k) => (worst = Math.max(worst, Math.hypot(p[0] - b[i]!.landmarks[k]![0], p[1] - b[i]!.landmarks[k]![1])))));
  return worst;
}

// ---

const load = suite('loadFaceModels');

load('loads SSD and the 68-point net from disk, on the active backend, once per process', async () => {
  const first = await loadFaceModels();
  assert.is(first.detector, 'ssd', '~> default detector');
  assert.is(first.tf.getBackend(), 'tensorflow', '~> native TensorFlow here');
  assert.ok(first.faceapi.nets.ssdMobilenetv1.isLoaded && first.faceapi.nets.faceLandmark68Net.isLoaded, '~> nets loaded');
  const tensors = first.tf.memory().numTensors;
  await loadFaceModels();
  assert.is(first.tf.memory().numTensors, tensors, '~> a second call reads no weights again');
});

load.run();

// ---

const detect = suite('detectFaces');

detect('finds the three faces of sample1, best first, landmarks in face order inside their boxes', async () => {
  const models = await loadFaceModels();
  const image = await readSample(1, 960);
  let timings: FaceTimings | undefined;
  const faces = await detectFaces(models, image, { minScore: 0.5, onTimings: (t) => (timings = t) });
  assert.is(faces.length, 3, '~> three faces');
  for (let i = 1; i < faces.length; i += 1) assert.ok(faces[i - 1]!.score >= faces[i]!.score, '~> sorted by score');
  for (const face of faces) {
    assert.is(face.landmarks.length, 68, '~> 68 points');
    const { x, y, width, height } = face.box;
    const inside = face.landmarks.filter(([px, py]) => px >= x - 0.1 * width && px <= x + 1.1 * width && py >= y - 0.1 * height && py <= y + 1.1 * height);
    assert.is(inside.length, 68, '~> landmarks inside the (slightly grown) box');
    const leftEye = mean(face.landmarks.slice(36, 42));
    const rightEye = mean(face.landmarks.slice(42, 48));
    const mouth = mean(face.landmarks.slice(48, 68));
    assert.ok(leftEye[0] < rightEye[0], '~> eye 36–41 is image-left');
    assert.ok(mouth[1] > leftEye[1] && mouth[1] > rightEye[1], '~> mouth below the eyes');
  }
  assert.ok(timings !== undefined && timings.detectMs > 0 && timings.landmarksMs > 0, '~> timings reported');
});

detect('same pixels give the same faces; RGBA and edge padding agree with RGB', async () => {
  const models = await loadFaceModels();
  const rgb = await readSample(4, 640);
  const once = await detectFaces(models, rgb, { minScore: 0.5 });
  const again = await detectFaces(models, rgb, { minScore: 0.5 });
  assert.equal(again, once, '~> deterministic');
  const rgba = await detectFaces(models, await readSample(4, 640, 4), { minScore: 0.5 });
  assert.equal(rgba, once, '~> alpha ignored');
  const padded = await detectFaces(models, rgb, { minScore: 0.5, pad: 0.25 });
  assert.is(padded.length, once.length, '~> padding finds the same faces');
  const byX = (faces: DetectedFace[]) => [...faces].sort((a, b) => a.box.x - b.box.x);
  assert.ok(maxLandmarkShift(byX(padded), byX(once)) < 0.05 * rgb.width, '~> padded landmarks in image coordinates');
});

detect('maxFaces keeps the best; a blank image has none', async () => {
  const models = await loadFaceModels();
  const image = await readSample(5, 640);
  const all = await detectFaces(models, image, { minScore: 0.5 });
  const best = await detectFaces(models, image, { minScore: 0.5, maxFaces: 2 });
  assert.ok(all.length > 2, '~> more than two faces in sample5');
  assert.equal(best, all.slice(0, 2), '~> the two best');
  const blank: RawImage = { width: 64, height: 48, channels: 3, data: new Uint8Array(64 * 48 * 3).fill(128) };
  assert.equal(await detectFaces(models, blank, { minScore: 0.5 }), [], '~> none');
});

detect('retryPad detects once more, padded, only when the first pass found nothing', async () => {
  const models = await loadFaceModels();
  const passes = { blank: 0, photo: 0 };
  const blank: RawImage = { width: 64, height: 48, channels: 3, data: new Uint8Array(64 * 48 * 3).fill(128) };
  assert.equal(await detectFaces(models, blank, { minScore: 0.5, retryPad: 0.5, onTimings: () => (passes.blank += 1) }), [], '~> still none');
  const faces = await detectFaces(models, await readSample(1, 640), { minScore: 0.5, retryPad: 0.5, onTimings: () => (passes.photo += 1) });
  assert.ok(faces.length > 0, '~> faces');
  assert.equal(passes, { blank: 2, photo: 1 }, '~> passes');
});

detect('leaks no tensors (faces, no faces, padding, gray input)', async () => {
  const models = await loadFaceModels();
  const image = await readSample(2, 640);
  await detectFaces(models, image, { minScore: 0.5 }); // warm-up: kernels and caches settle
  const before = models.tf.memory().numTensors;
  await detectFaces(models, image, { minScore: 0.5 });
  await detectFaces(models, image, { minScore: 0.5, pad: 0.25 });
  await detectFaces(models, { width: 32, height: 32, channels: 3, data: new Uint8Array(32 * 32 * 3) }, { minScore: 0.5, retryPad: 1 });
  await detectFaces(models, { width: 32, height: 32, channels: 1, data: new Uint8Array(32 * 32) }, { minScore: 0.5 });
  assert.is(models.tf.memory().numTensors, before, '~> numTensors unchanged');
});

detect('the tiny detector finds the faces too', async () => {
  const models = await loadFaceModels({ detector: 'tiny' });
  assert.is(models.detector, 'tiny', '~> detector');
  const faces = await detectFaces(models, await readSample(1, 960), { minScore: 0.5 });
  assert.ok(faces.length >= 2, `~> ${faces.length} faces`);
});

detect('rejects a pixel buffer of the wrong length', async () => {
  const models = await loadFaceModels();
  try {
    await detectFaces(models, { width: 10, height: 10, channels: 3, data: new Uint8Array(10) }, { minScore: 0.5 });
    assert.unreachable();
  } catch (error) {
    assert.match((error as Error).message, /expected 10×10×3 = 300 bytes of pixels, received 10/);
  }
});

detect.run();
