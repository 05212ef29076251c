/**
 * What moves KID on face descriptors (issue 13): the rule-based warp's held-out faces scored against the real
 * masked faces as drawn, with their masks blurred by a Gaussian of σ px (only inside the mask grown by 2 px,
 * the rest of each face untouched), with the whole face blurred, and with the mask painted one flat colour —
 * on the same descriptors, subsets and seed as `evaluate`. A translator whose repainted masks are softer than
 * the warp's scores above the warp for that alone, whatever their colour and shading. Used by
 * bench/learning.ts on its project (with each variant's generators); on its own:
 * `npx tsx bench/kid-sensitivity.ts <out/learning folder> [size] [generators folders…]` (the folder holding
 * split/heldOutImages, split/heldOutRegions and filter-real/aligned). Prints; asserts nothing.
 */
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tfjs from '@tensorflow/tfjs';
import { readEpochsFile } from '../src/gan/epochs-file.js';
import { createGeneratorWeights, decoderSettings, disposeWeights, runGenerator } from '../src/gan/generator.js';
import { loadGeneratorWeights } from '../src/gan/generator-weights.js';
import { pixelsToTensor } from '../src/gan/image-tensors.js';
import { kernelInceptionDistance } from '../src/gan/kid.js';
import { pasteInside, pasteMaps } from '../src/gan/paste-inside.js';
import { loadDomain } from '../src/gan/training-data.js';
import { checkpointName } from '../src/gan/training-state.js';
import { deriveSeed } from '../src/kit/prng.js';
import { detectBackendKind, loadTensorflow, type Tf } from '../src/kit/tf-backend.js';
import { describeFaceTensor } from '../src/vision/face-descriptors.js';
import { loadFaceModels } from '../src/vision/faces.js';

/** The blurs tried, σ in pixels at the evaluated size. */
const SIGMAS = [0.7, 1, 1.5, 2.5] as const;

/**
 * Prints the table for the held-out faces and real masked faces under `outDir`, at `size`²; with
 * `generators` (progressive-train outputs), also each one's last kept G_A's faces: raw, pasted inside the grown
 * mask, and its change low-passed onto the warp (x + blur_σ(G(x) − x), pasted): the translator's colour and
 * shading with the warp's own edges and texture.
 */
export async function printKidSensitivity(outDir: string, size: number, generators: readonly string[] = []): Promise<void> {
  const tf = await loadTensorflow(detectBackendKind());
  const [held, regions, real] = await Promise.all(
    ['split/heldOutImages', 'split/heldOutRegions', 'filter-real/aligned'].map((folder) => loadDomain(join(outDir, folder), { size })),
  );
  const models = await loadFaceModels({ tf });
  const faces = pixelsToTensor(tf, held!.pixels, size); // [N, S, S, 3]
  const inside = pasteMaps(tf, regions!.pixels, size, 2); // [N, S, S, 1]
  const realImages = pixelsToTensor(tf, real!.pixels, size); // [M, S, S, 3]
  const realFeatures = await describeFaceTensor(models, realImages);
  // evaluate's settings: 50 subsets of up to 100 faces, seeded as evaluate seeds them (seed 1)
  const kidOf = async (images: tfjs.Tensor4D) => {
    const made = await describeFaceTensor(models, images);
    return kernelInceptionDistance(made, realFeatures, { subsets: 50, subsetSize: Math.min(100, made.length, realFeatures.length), seed: deriveSeed(1, 'kid') });
  };
  const rows: [string, tfjs.Tensor4D][] = [['the warp as drawn', faces]];
  for (const sigma of SIGMAS) {
    const blurred = gaussianBlur(tf, faces, sigma);
    rows.push([`mask blurred, σ ${sigma} px`, pasteInside(tf, blurred, faces, inside)], [`whole face blurred, σ ${sigma} px`, blurred]);
  }
  const flat = tf.tidy(() => tf.mul(tf.onesLike(faces), tf.mean(faces, [1, 2], true)) as tfjs.Tensor4D); // each face's mean colour
  rows.push(['mask one flat colour (the face mean)', pasteInside(tf, flat, faces, inside)]);
  for (const folder of generators) rows.push(...(await translatorRows(tf, folder, faces, inside, regions!.pixels, size)));
  console.log(`KID sensitivity: ${held!.names.length} held-out warped faces vs ${real!.names.length} real masked faces at ${size}² (KID×10³ ± std)`);
  for (const [label, images] of rows) {
    const kid = await kidOf(images);
    console.log(`  ${label.padEnd(54)} ${(kid.mean * 1e3).toFixed(3)} ± ${(kid.std * 1e3).toFixed(3)}`);
  }
  tf.dispose([...rows.map(([, t]) => t), inside, realImages, flat]);
}

/** The last kept G_A of `generators` on `faces` (noise off): raw, pasted inside the mask grown 2, 0 and 5 px, and its change low-passed onto the warp. */
async function translatorRows(tf: Tf, generators: string, faces: tfjs.Tensor4D, inside: tfjs.Tensor4D, regions: readonly Uint8Array[], size: number): Promise<[string, tfjs.Tensor4D][]> {
  const { network, epochs } = await readEpochsFile(generators);
  const last = epochs.filter((e) => e.kept).at(-1);
  if (last === undefined) throw new Error(`expected a kept epoch in '${generators}', received none`);
  const weights = createGeneratorWeights(tf, { ngf: network.ngf, blocks: network.blocks, seed: 1, scope: 'sensitivity', ...decoderSettings(network) });
  try {
    await loadGeneratorWeights(tf, weights, join(generators, checkpointName(last.epoch)));
    const [n] = faces.shape;
    const parts: tfjs.Tensor4D[] = [];
    for (let start = 0; start < n; start += 8) {
      parts.push(tf.tidy(() => runGenerator(tf, weights, tf.slice(faces, [start, 0, 0, 0], [Math.min(8, n - start), -1, -1, -1]) as tfjs.Tensor4D).output)); // [B, S, S, 3]
    }
    const made = tf.concat(parts, 0) as tfjs.Tensor4D; // [N, S, S, 3]
    tf.dispose(parts);
    const name = `${basename(dirname(generators))} epoch ${last.epoch}`;
    const rows: [string, tfjs.Tensor4D][] = [[`${name}, raw`, made], [`${name}, pasted (mask grown 2 px)`, pasteInside(tf, made, faces, inside)]];
    for (const dilate of [0, 5]) {
      const grown = pasteMaps(tf, regions, size, dilate); // [N, S, S, 1]
      rows.push([`${name}, pasted (mask grown ${dilate} px)`, pasteInside(tf, made, faces, grown)]);
      grown.dispose();
    }
    for (const sigma of [1, 1.5, 2.5]) {
      const change = tf.tidy(() => tf.sub(made, faces) as tfjs.Tensor4D);
      const low = gaussianBlur(tf, change, sigma);
      const lifted = tf.tidy(() => tf.add(faces, low) as tfjs.Tensor4D);
      rows.push([`its change blurred σ ${sigma} onto the warp`, pasteInside(tf, lifted, faces, inside)]);
      tf.dispose([change, low, lifted]);
    }
    return rows;
  } finally {
    disposeWeights(weights);
  }
}

/** A separable Gaussian blur of σ px per channel, the borders mirrored; `[N, S, S, C]` in, the same shape out. */
function gaussianBlur(tf: Tf, images: tfjs.Tensor4D, sigma: number): tfjs.Tensor4D {
  const r = Math.ceil(3 * sigma);
  const taps = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = taps.reduce((a, b) => a + b, 0);
  const channels = images.shape[3];
  return tf.tidy(() => {
    const kernel = tf.tensor1d(taps.map((t) => t / sum)); // [2r + 1]
    const rows = tf.tile(tf.reshape(kernel, [1, 2 * r + 1, 1, 1]), [1, 1, channels, 1]) as tfjs.Tensor4D; // [1, K, C, 1]
    const columns = tf.tile(tf.reshape(kernel, [2 * r + 1, 1, 1, 1]), [1, 1, channels, 1]) as tfjs.Tensor4D; // [K, 1, C, 1]
    const padded = tf.mirrorPad(images, [[0, 0], [r, r], [r, r], [0, 0]], 'symmetric'); // [N, S + 2r, S + 2r, C]
    return tf.depthwiseConv2d(tf.depthwiseConv2d(padded, rows, 1, 'valid'), columns, 1, 'valid') as tfjs.Tensor4D;
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = process.argv[2];
  if (!outDir) {
    console.error('usage: npx tsx bench/kid-sensitivity.ts <out/learning folder> [size=64] [progressive-train generators folders…]');
    process.exit(2);
  }
  await printKidSensitivity(resolve(outDir), Number(process.argv[3] ?? 64), process.argv.slice(4).map((folder) => resolve(folder)));
}
