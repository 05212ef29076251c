/**
 * Image quality measures: blur lowers the Laplacian variance, exposure counts clipped pixels, the
 * perceptual hash survives resizing and JPEG re-encoding but separates different photos, gray conversion
 * uses BT.601 weights, and the mask-present rule calls the bare sample faces uncovered and the same faces
 * with a flat painted "mask" over nose and mouth covered. Photos are the face-api package's samples.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { alignFace } from '../../src/vision/align.js';
import { detectFaces, loadFaceModels } from '../../src/vision/faces.js';
import { createRng } from '../../src/kit/prng.js';
import { estimateLowerFaceCovered, MASK_RULE_DEFAULTS } from '../../src/vision/mask-rule.js';
import { exposureStats, hammingDistance, laplacianVariance, perceptualHash, toGray } from '../../src/vision/quality.js';
import type { Landmarks68, Point, RawImage } from '../../src/vision/types.js';

const require = createRequire(import.meta.url);
const SAMPLES = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');

/** Decodes an encoded image (or a sharp pipeline's output) to RGB pixels. */
async function toRaw(pipeline: sharp.Sharp): Promise<RawImage> {
  const { data, info } = await pipeline.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

const sample = (n: number, width = 480): Promise<RawImage> => toRaw(sharp(join(SAMPLES, `sample${n}.jpg`)).resize({ width }));

const solid = (value: number, width = 8, height = 8): RawImage => ({ width, height, channels: 3, data: new Uint8Array(width * height * 3).fill(value) });

// ---

const gray = suite('toGray');

gray('weights R, G, B by BT.601 and keeps gray images', () => {
  const image: RawImage = { width: 3, height: 1, channels: 3, data: Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255]) };
  assert.equal(Array.from(toGray(image).data), [76, 150, 29], '~> luma');
  const one = toGray(image);
  assert.is(toGray(one), one, '~> gray passes through');
  const rgba: RawImage = { width: 1, height: 1, channels: 4, data: Uint8Array.from([10, 20, 30, 0]) };
  assert.equal(Array.from(toGray(rgba).data), [18], '~> alpha ignored');
});

gray.run();

// ---

const laplacian = suite('laplacianVariance');

laplacian('a blurred copy scores lower than the sharp original', async () => {
  const sharpImage = await sample(1);
  const blurred = await toRaw(sharp(Buffer.from(sharpImage.data), { raw: { width: sharpImage.width, height: sharpImage.height, channels: 3 } }).blur(2));
  const original = laplacianVariance(toGray(sharpImage));
  const soft = laplacianVariance(toGray(blurred));
  assert.ok(soft < original / 4, `~> blurred ${soft.toFixed(1)} vs sharp ${original.toFixed(1)}`);
});

laplacian('a flat image has zero variance; tiny images give 0', () => {
  assert.is(laplacianVariance(toGray(solid(120))), 0, '~> flat');
  assert.is(laplacianVariance({ width: 2, height: 2, channels: 1, data: new Uint8Array(4) }), 0, '~> 2×2');
});

laplacian.run();

// ---

const exposure = suite('exposureStats');

exposure('counts crushed and blown pixels and the mean luma', () => {
  assert.equal(exposureStats(solid(0)), { mean: 0, clippedDark: 1, clippedBright: 0 }, '~> black');
  assert.equal(exposureStats(solid(128)), { mean: 128, clippedDark: 0, clippedBright: 0 }, '~> mid gray');
  const half = solid(255, 4, 2);
  half.data.fill(3, 0, 12); // top row dark
  const stats = exposureStats(half);
  assert.is(stats.clippedDark, 0.5, '~> dark half');
  assert.is(stats.clippedBright, 0.5, '~> bright half');
  assert.is(stats.mean, 129, '~> mean of 3 and 255');
});

exposure.run();

// ---

const phash = suite('perceptualHash');

phash('a resized, re-encoded copy stays within 6 bits; another photo is over 16 away', async () => {
  const original = await sample(1);
  const copy = await toRaw(
    sharp(await sharp(join(SAMPLES, 'sample1.jpg')).resize({ width: 300 }).jpeg({ quality: 50 }).toBuffer()),
  );
  const other = await sample(2);
  const h = perceptualHash(original);
  assert.ok(hammingDistance(h, perceptualHash(copy)) <= 6, `~> copy at ${hammingDistance(h, perceptualHash(copy))}`);
  for (const n of [2, 3, 4, 5, 6]) {
    const d = hammingDistance(h, perceptualHash(n === 2 ? other : await sample(n)));
    assert.ok(d > 16, `~> sample${n} at ${d}`);
  }
});

phash('is deterministic and leaves the DC bit 0', async () => {
  const image = await sample(3, 200);
  assert.is(perceptualHash(image), perceptualHash(image), '~> same pixels, same hash');
  assert.is(perceptualHash(image) >> 63n, 0n, '~> DC bit');
});

phash.run();

// ---

const hamming = suite('hammingDistance');

hamming('counts differing bits over 64', () => {
  assert.is(hammingDistance(0n, 0n), 0, '~> equal');
  assert.is(hammingDistance(0b1011n, 0b0001n), 2, '~> two bits');
  assert.is(hammingDistance(0n, (1n << 64n) - 1n), 64, '~> all bits');
});

hamming.run();

// ---

/** A copy of `image` with a flat, slightly noisy "mask" over jaw 1–15 up to the nose bridge (landmark 29). */
function paintMask(image: RawImage, landmarks: Landmarks68, colour: readonly [number, number, number], seed: number): RawImage {
  const outline: Point[] = [...landmarks.slice(1, 16), landmarks[29]!];
  const data = Uint8Array.from(image.data);
  const rng = createRng(seed);
  for (let y = 0; y < image.height; y += 1) {
    for (let x = 0; x < image.width; x += 1) {
      let inside = false;
      for (let i = 0, j = outline.length - 1; i < outline.length; j = i, i += 1) {
        const [xi, yi] = outline[i]!;
        const [xj, yj] = outline[j]!;
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
      if (!inside) continue;
      const shade = rng.range(-6, 6);
      for (let c = 0; c < 3; c += 1) data[(y * image.width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(colour[c]! + shade)));
    }
  }
  return { ...image, data };
}

const covered = suite('estimateLowerFaceCovered');

covered('bare sample faces are uncovered; painted blue, white and black masks are covered', async () => {
  const models = await loadFaceModels();
  for (const n of [1, 5]) {
    const photo = await sample(n, 960);
    for (const face of await detectFaces(models, photo, { minScore: 0.5 })) {
      const crop = alignFace(photo, face.landmarks, { size: 128 });
      const bare = estimateLowerFaceCovered(crop.image, crop.landmarks);
      assert.not.ok(bare.covered, `~> sample${n} bare face scored ${bare.score.toFixed(2)}`);
      assert.ok(bare.details.lipRedness > 5, `~> lips redder than the skin (Δa* ${bare.details.lipRedness.toFixed(1)})`);
      for (const [name, colour] of [['blue', [150, 190, 225]], ['white', [232, 232, 235]], ['black', [35, 35, 40]]] as const) {
        const masked = estimateLowerFaceCovered(paintMask(crop.image, crop.landmarks, colour, n), crop.landmarks);
        assert.ok(masked.covered, `~> sample${n} ${name} mask scored ${masked.score.toFixed(2)}`);
      }
    }
  }
});

covered('thresholds are params; the score and each cue are reported', async () => {
  const models = await loadFaceModels();
  const photo = await sample(1, 960);
  const [face] = await detectFaces(models, photo, { minScore: 0.5, maxFaces: 1 });
  const result = estimateLowerFaceCovered(photo, face!.landmarks);
  assert.ok(Object.keys(result.details.evidence).length === 3, '~> three cues on a colour photo');
  assert.is(estimateLowerFaceCovered(photo, face!.landmarks, { threshold: result.score - 1 }).covered, true, '~> a lower threshold flips it');
  assert.is(MASK_RULE_DEFAULTS.threshold, 0.1, '~> default threshold');
  assert.throws(() => estimateLowerFaceCovered(photo, face!.landmarks.slice(0, 10)), /expected 68 landmarks, received 10/);
});

covered.run();
