/**
 * repro's batched run of face-api's SSD MobileNet v1 (ssd-detector.ts), against face-api itself on the
 * package's sample photos and shipped weights: the generated anchors equal the model's shipped ones at 512²,
 * the folded network finds the same boxes and scores as face-api's own pipeline, a batch answers each photo
 * as it is answered alone, smaller input sides run with anchors for their own grids, and nothing leaks.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Tensor3D } from '@tensorflow/tfjs';
import { detectFacesBatch, detectFaces, loadFaceModels, type DetectedFace, type FaceModels } from '../../src/vision/faces.js';
import { detectSsdBatch, foldSsd, ssdAnchors, disposeSsd, type SsdParams } from '../../src/vision/ssd-detector.js';
import type { RawImage } from '../../src/vision/types.js';

const require = createRequire(import.meta.url);
const SAMPLES = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');

async function readSample(n: number, width: number): Promise<RawImage> {
  const { data, info } = await sharp(join(SAMPLES, `sample${n}.jpg`)).resize({ width }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

const paramsOf = (models: FaceModels) => (models.faceapi.nets.ssdMobilenetv1 as unknown as { params: SsdParams }).params;
const toTensor = (models: FaceModels, image: RawImage) => models.tf.tensor3d(image.data, [image.height, image.width, 3], 'int32') as Tensor3D;

const test = suite('ssd-detector');

test('the anchors generated for the 512² grids are the ones shipped with the model', async () => {
  const models = await loadFaceModels();
  const shipped = (await paramsOf(models).output_layer.extra_dim.data()) as Float32Array;
  const generated = ssdAnchors([32, 16, 8, 4, 2, 1]);
  assert.is(generated.length, shipped.length, '~> 5118 anchors × 4');
  let worst = 0;
  for (let i = 0; i < shipped.length; i += 1) worst = Math.max(worst, Math.abs(shipped[i]! - generated[i]!));
  assert.ok(worst < 1e-4, `~> anchors within float32 rounding (worst ${worst})`);
});

test('at 512² the folded network finds what face-api finds: same count, boxes within a pixel, scores within 1e-3', async () => {
  const models = await loadFaceModels();
  const net = foldSsd(models.tf, paramsOf(models));
  try {
    for (const [n, width] of [[1, 640], [2, 480], [5, 640]] as const) {
      const image = await readSample(n, width);
      const pixels = toTensor(models, image);
      const batch = models.tf.expandDims(pixels, 0);
      const theirs = (await models.faceapi.detectAllFaces(batch as never, new models.faceapi.SsdMobilenetv1Options({ minConfidence: 0.5, maxResults: 100 }))).sort((a, b) => b.score - a.score);
      const [ours] = await detectSsdBatch(models.tf, net, [pixels], { inputSize: 512, minScore: 0.5 });
      models.tf.dispose([pixels, batch]);
      assert.is(ours!.length, theirs.length, `~> sample${n}: same number of faces`);
      theirs.forEach((t, i) => {
        const o = ours![i]!;
        assert.ok(Math.abs(o.score - t.score) < 1e-3, `~> sample${n} face ${i}: score ${o.score} vs ${t.score}`);
        for (const k of ['x', 'y', 'width', 'height'] as const) assert.ok(Math.abs(o.box[k] - t.box[k]) < 1, `~> sample${n} face ${i}: ${k} ${o.box[k]} vs ${t.box[k]}`);
      });
    }
  } finally {
    disposeSsd(models.tf, net);
  }
});

test('a batch answers each photo as it is answered alone; other input sides run on their own grids', async () => {
  const models = await loadFaceModels();
  const images = [await readSample(1, 640), await readSample(3, 500), await readSample(4, 320)];
  const alone: DetectedFace[][] = [];
  for (const image of images) alone.push(await detectFaces(models, image, { minScore: 0.5 }));
  const together = await detectFacesBatch(models, images, { minScore: 0.5 });
  assert.is(together.length, 3, '~> one answer per photo');
  together.forEach((faces, i) => {
    assert.is(faces.length, alone[i]!.length, `~> photo ${i}: same faces`);
    faces.forEach((face, k) => {
      for (const key of ['x', 'y', 'width', 'height'] as const) assert.ok(Math.abs(face.box[key] - alone[i]![k]!.box[key]) <= 1, `~> photo ${i} face ${k} box`);
    });
  });
  const small = await detectFacesBatch(models, images, { minScore: 0.5, inputSize: 320 });
  assert.ok(small[0]!.length >= 1, '~> 320² still finds faces in sample1');
});

test('leaks no tensors', async () => {
  const models = await loadFaceModels();
  const images = [await readSample(2, 480), { width: 40, height: 30, channels: 3, data: new Uint8Array(40 * 30 * 3) } satisfies RawImage];
  await detectFacesBatch(models, images, { minScore: 0.5, retryPad: 1 }); // warm-up: folding and caches settle
  const before = models.tf.memory().numTensors;
  await detectFacesBatch(models, images, { minScore: 0.5, retryPad: 1 });
  await detectFacesBatch(models, images, { minScore: 0.5, inputSize: 256 });
  assert.is(models.tf.memory().numTensors, before, '~> numTensors unchanged');
});

test.run();
