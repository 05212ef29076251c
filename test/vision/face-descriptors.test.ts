/**
 * Face descriptors (face-descriptors.ts) from the recognition net shipped in @vladmandic/face-api, on the
 * package's sample photos: 128 values per face, the same face gives the same descriptor (as pixels and as a
 * [−1, 1] tensor), different people are farther apart than a face and its slightly shifted crop, and no
 * tensor leaks.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { describeFaces, describeFaceTensor, DESCRIPTOR_LENGTH } from '../../src/vision/face-descriptors.js';
import { detectFaces, loadFaceModels } from '../../src/vision/faces.js';
import { alignFace } from '../../src/vision/align.js';
import type { RawImage } from '../../src/vision/types.js';

const require = createRequire(import.meta.url);
const SAMPLES = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');

async function readSample(n: number, width: number): Promise<RawImage> {
  const { data, info } = await sharp(join(SAMPLES, `sample${n}.jpg`)).resize({ width }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

const distance = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0));

const test = suite('face-descriptors');

test('128 values per face; same face close, other people far; pixels and [−1, 1] tensors agree', async () => {
  const models = await loadFaceModels();
  const photo = await readSample(1, 960);
  const faces = await detectFaces(models, photo, { minScore: 0.5 });
  assert.ok(faces.length >= 2, '~> at least two people');
  const crops = faces.slice(0, 2).map((f) => alignFace(photo, f.landmarks, { size: 128, border: 'edge' }).image);
  const shifted = alignFace(photo, faces[0]!.landmarks.map(([x, y]) => [x + 2, y + 1] as const), { size: 128, border: 'edge' }).image;
  const [a, b, a2] = await describeFaces(models, [crops[0]!, crops[1]!, shifted]);
  assert.is(a!.length, DESCRIPTOR_LENGTH);
  assert.ok(distance(a!, a2!) < distance(a!, b!), `~> shifted crop ${distance(a!, a2!).toFixed(3)} < other person ${distance(a!, b!).toFixed(3)}`);
  const again = await describeFaces(models, [crops[0]!]);
  assert.equal(Array.from(again[0]!), Array.from(a!), '~> deterministic');
  const tensor = models.tf.tidy(() => models.tf.sub(models.tf.div(models.tf.tensor4d(crops[0]!.data, [1, 128, 128, 3], 'float32'), 127.5), 1) as never);
  const [fromTensor] = await describeFaceTensor(models, tensor);
  models.tf.dispose(tensor);
  assert.ok(distance(fromTensor!, a!) < 1e-3, `~> tensor path ${distance(fromTensor!, a!)}`);
});

test('leaks no tensors', async () => {
  const models = await loadFaceModels();
  const face: RawImage = { width: 64, height: 64, channels: 3, data: new Uint8Array(64 * 64 * 3).fill(120) };
  await describeFaces(models, [face]); // warm-up
  const before = models.tf.memory().numTensors;
  await describeFaces(models, Array.from({ length: 20 }, () => face));
  assert.is(models.tf.memory().numTensors, before);
});

test.run();
