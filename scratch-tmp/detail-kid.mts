// Epoch-2 generator: raw, pasted, and pasted with the warp's detail kept (x + blur(G(x) − x) inside the mask).
import { loadDomain } from '../src/gan/training-data.ts';
import { pixelsToTensor } from '../src/gan/image-tensors.ts';
import { pasteInside, pasteMaps } from '../src/gan/paste-inside.ts';
import { kernelInceptionDistance } from '../src/gan/kid.ts';
import { describeFaceTensor } from '../src/vision/face-descriptors.ts';
import { loadFaceModels } from '../src/vision/faces.ts';
import { detectBackendKind, loadTensorflow } from '../src/kit/tf-backend.ts';
import { deriveSeed } from '../src/kit/prng.ts';
import { createGeneratorWeights, runGenerator } from '../src/gan/generator.ts';
import { loadGeneratorWeights } from '../src/gan/generator-weights.ts';
const tf = await loadTensorflow(detectBackendKind());
const P = '/tmp/repro-test-WH9x4T/out/learning';
const gens = process.argv[2] ?? '/tmp/early-eval/generators/epoch-0002';
const held = await loadDomain(`${P}/split/heldOutImages`, { size: 64 });
const regions = await loadDomain(`${P}/split/heldOutRegions`, { size: 64 });
const real = await loadDomain(`${P}/filter-real/aligned`, { size: 64 });
const models = await loadFaceModels({ tf });
const x = pixelsToTensor(tf, held.pixels, 64);
const inside = pasteMaps(tf, regions.pixels, 64, 2);
const realF = await describeFaceTensor(models, pixelsToTensor(tf, real.pixels, 64));
const kid = (f: Float32Array[]) => kernelInceptionDistance(f, realF, { subsets: 50, subsetSize: 100, seed: deriveSeed(1, 'kid') });
const show = (label: string, r: { mean: number; std: number }) => console.log(label.padEnd(40), (r.mean * 1e3).toFixed(3), '±', (r.std * 1e3).toFixed(3));
const weights = createGeneratorWeights(tf, { ngf: 32, blocks: 6, seed: 1, scope: 'e', upsample: 'resize-conv', attentionActivation: 'leaky-relu' });
await loadGeneratorWeights(tf, weights, gens);
const parts = [];
for (let s = 0; s < x.shape[0]; s += 8) parts.push(tf.tidy(() => runGenerator(tf, weights, tf.slice(x, [s, 0, 0, 0], [Math.min(8, x.shape[0] - s), -1, -1, -1]) as any, {}).output));
const g = tf.concat(parts, 0) as any;
show('warp as is', kid(await describeFaceTensor(models, x)));
show('generator raw', kid(await describeFaceTensor(models, g)));
show('generator pasted', kid(await describeFaceTensor(models, pasteInside(tf, g, x, inside))));
const blur = (t: any, sigma: number) => { const r = Math.ceil(3 * sigma); const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma))); const s = k.reduce((a, b) => a + b);
  return tf.tidy(() => { const k1 = tf.tensor1d(k.map((v) => v / s)); const h = tf.tile(tf.reshape(k1, [1, 2 * r + 1, 1, 1]), [1, 1, 3, 1]) as any; const v = tf.tile(tf.reshape(k1, [2 * r + 1, 1, 1, 1]), [1, 1, 3, 1]) as any; return tf.depthwiseConv2d(tf.depthwiseConv2d(t, h, 1, 'same'), v, 1, 'same'); }); };
for (const sigma of [0.7, 1, 1.5, 2.5]) {
  const detail = tf.tidy(() => tf.add(x, blur(tf.sub(g, x), sigma)));
  show(`x + blur σ${sigma}(G − x), pasted`, kid(await describeFaceTensor(models, pasteInside(tf, detail as any, x, inside))));
}
