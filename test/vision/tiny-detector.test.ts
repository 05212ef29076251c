/**
 * repro's batched run of face-api's Tiny Face Detector (tiny-detector.ts), against face-api's own pipeline on
 * the package's sample photos and shipped weights: the same boxes and scores at several input sides, a batch
 * answers each photo as it is answered alone (with landmarks), the retry pad works, nothing leaks, and
 * each photo's input side follows its size.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Tensor3D } from '@tensorflow/tfjs';
import { detectFaces, detectFacesBatch, loadFaceModels, type DetectedFace, type FaceModels } from '../../src/vision/faces.js';
import { detectTinyBatch, tinyInputSide, type TinyNet } from '../../src/vision/tiny-detector.js';
import type { RawImage } from '../../src/vision/types.js';

const require = createRequire(import.meta.url);
const SAMPLES = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');

async function readSample(n: number, width: number): Promise<RawImage> {
  const { data, info } = await sharp(join(SAMPLES, `sample${n}.jpg`)).resize({ width }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

const toTensor = (models: FaceModels, image: RawImage) => models.tf.tensor3d(image.data, [image.height, image.width, 3], 'int32') as Tensor3D;
const netOf = (models: FaceModels) => models.faceapi.nets.tinyFaceDetector as unknown as TinyNet;

const test = suite('tiny-detector');

test("finds what face-api's own Tiny Face Detector finds: same count, boxes within 0.01 px, scores within 1e-5", async () => {
  const models = await loadFaceModels({ detector: 'tiny' });
  const cases = [[1, 640, 416], [2, 480, 224], [5, 640, 320], [3, 500, 416]] as const;
  let faces = 0;
  for (const [n, width, inputSize] of cases) {
    const image = await readSample(n, width);
    const pixels = toTensor(models, image);
    const batch = models.tf.expandDims(pixels, 0);
    const theirs = (await models.faceapi.detectAllFaces(batch as never, new models.faceapi.TinyFaceDetectorOptions({ scoreThreshold: 0.5, inputSize }))).sort((a, b) => b.score - a.score);
    const [ours] = await detectTinyBatch(models.tf, netOf(models), [pixels], { inputSize, minScore: 0.5 });
    models.tf.dispose([pixels, batch]);
    assert.is(ours!.length, theirs.length, `~> sample${n} at ${inputSize}: same number of faces`);
    theirs.forEach((t, i) => {
      const o = ours![i]!;
      assert.ok(Math.abs(o.score - t.score) < 1e-5, `~> sample${n} face ${i}: score ${o.score} vs ${t.score}`);
      for (const k of ['x', 'y', 'width', 'height'] as const) assert.ok(Math.abs(o.box[k] - t.box[k]) < 0.01, `~> sample${n} face ${i}: ${k} ${o.box[k]} vs ${t.box[k]}`);
    });
    faces += theirs.length;
  }
  assert.ok(faces >= 4, `~> the samples hold faces to compare (${faces})`);
});

test('a batch answers each photo as it is answered alone, landmarks included', async () => {
  const models = await loadFaceModels({ detector: 'tiny' });
  const images = [await readSample(1, 640), await readSample(3, 500), await readSample(4, 320)];
  const alone: DetectedFace[][] = [];
  for (const image of images) alone.push(await detectFaces(models, image, { minScore: 0.5, tinyInputSize: 320 }));
  const together = await detectFacesBatch(models, images, { minScore: 0.5, tinyInputSize: 320 });
  assert.is(together.length, 3, '~> one answer per photo');
  assert.ok(alone.flat().length >= 2, '~> faces found');
  together.forEach((faces, i) => {
    assert.is(faces.length, alone[i]!.length, `~> photo ${i}: same faces`);
    faces.forEach((face, k) => {
      assert.equal(face.box, alone[i]![k]!.box, `~> photo ${i} face ${k} box`);
      const shift = Math.max(...face.landmarks.map((p, j) => Math.hypot(p[0] - alone[i]![k]!.landmarks[j]![0], p[1] - alone[i]![k]!.landmarks[j]![1])));
      assert.ok(shift < 0.05, `~> photo ${i} face ${k}: landmarks within 0.05 px (${shift})`);
    });
  });
});

test('a tight crop the plain pass misses is found with the retry pad; leaks no tensors', async () => {
  const models = await loadFaceModels({ detector: 'tiny' });
  const sample = await readSample(2, 480);
  const [face] = await detectFaces(models, sample, { minScore: 0.5, tinyInputSize: 416 });
  assert.ok(face, '~> a face in sample2');
  // the inner 70 % of that face's box: the face overfills the frame
  const { x, y, width, height } = face!.box;
  const { data, info } = await sharp(sample.data, { raw: { width: sample.width, height: sample.height, channels: 3 } })
    .extract({ left: Math.round(x + 0.15 * width), top: Math.round(y + 0.15 * height), width: Math.round(0.7 * width), height: Math.round(0.7 * height) })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const crop: RawImage = { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  const plain = await detectFaces(models, crop, { minScore: 0.5, tinyInputSize: 224 });
  const retried = await detectFaces(models, crop, { minScore: 0.5, tinyInputSize: 224, retryPad: 1 });
  assert.is(plain.length, 0, '~> the plain pass misses the overfilled crop');
  assert.is(retried.length, 1, '~> one face in the crop with the retry pad');
  const images = [sample, crop, { width: 40, height: 30, channels: 3, data: new Uint8Array(40 * 30 * 3) } satisfies RawImage];
  await detectFacesBatch(models, images, { minScore: 0.5, tinyInputSize: 224, retryPad: 1 }); // warm-up
  const before = models.tf.memory().numTensors;
  await detectFacesBatch(models, images, { minScore: 0.5, tinyInputSize: 224, retryPad: 1 });
  assert.is(models.tf.memory().numTensors, before, '~> numTensors unchanged');
});

test('a photo runs at its own side rounded up to 32, between 160 and the largest side', () => {
  assert.is(tinyInputSide(150), 160, '~> a tight crop is not upscaled past 160');
  assert.is(tinyInputSide(200), 224);
  assert.is(tinyInputSide(224), 224);
  assert.is(tinyInputSide(420), 416, '~> at most 416 by default');
  assert.is(tinyInputSide(1920, 640), 640);
  assert.is(tinyInputSide(40), 160);
});

test.run();
