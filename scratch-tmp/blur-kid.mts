// How far does blurring the warp's masks (only inside the grown mask) move KID against real masked faces?
import { loadDomain } from '../src/gan/training-data.ts';
import { pixelsToTensor } from '../src/gan/image-tensors.ts';
import { pasteInside, pasteMaps } from '../src/gan/paste-inside.ts';
import { kernelInceptionDistance } from '../src/gan/kid.ts';
import { describeFaceTensor } from '../src/vision/face-descriptors.ts';
import { loadFaceModels } from '../src/vision/faces.ts';
import { detectBackendKind, loadTensorflow } from '../src/kit/tf-backend.ts';
import { deriveSeed } from '../src/kit/prng.ts';
const tf = await loadTensorflow(detectBackendKind());
const P = '/tmp/repro-test-WH9x4T/out/learning';
const held = await loadDomain(`${P}/split/heldOutImages`, { size: 64 });
const regions = await loadDomain(`${P}/split/heldOutRegions`, { size: 64 });
const real = await loadDomain(`${P}/filter-real/aligned`, { size: 64 });
const models = await loadFaceModels({ tf });
const x = pixelsToTensor(tf, held.pixels, 64);
const inside = pasteMaps(tf, regions.pixels, 64, 2);
const realF = await describeFaceTensor(models, pixelsToTensor(tf, real.pixels, 64));
const kid = (f: Float32Array[]) => kernelInceptionDistance(f, realF, { subsets: 50, subsetSize: 100, seed: deriveSeed(1, 'kid') });
const show = (label: string, r: { mean: number; std: number }) => console.log(label.padEnd(40), (r.mean * 1e3).toFixed(3), '±', (r.std * 1e3).toFixed(3));
show('warp as is', kid(await describeFaceTensor(models, x)));
for (const sigma of [0.7, 1.0, 1.5, 2.5]) {
  const r = Math.ceil(3 * sigma); const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma))); const s = k.reduce((a, b) => a + b);
  const k1 = tf.tensor1d(k.map((v) => v / s));
  const blurred = tf.tidy(() => {
    const h = tf.tile(tf.reshape(k1, [1, 2 * r + 1, 1, 1]), [1, 1, 3, 1]) as any;
    const v = tf.tile(tf.reshape(k1, [2 * r + 1, 1, 1, 1]), [1, 1, 3, 1]) as any;
    return tf.depthwiseConv2d(tf.depthwiseConv2d(x, h, 1, 'same'), v, 1, 'same');
  });
  show(`mask blurred σ ${sigma}`, kid(await describeFaceTensor(models, pasteInside(tf, blurred as any, x, inside))));
  show(`whole face blurred σ ${sigma}`, kid(await describeFaceTensor(models, blurred as any)));
}
const grey = tf.tidy(() => tf.mul(tf.ones(x.shape), tf.mean(x, [1, 2], true)));
show('mask flat (image mean colour)', kid(await describeFaceTensor(models, pasteInside(tf, grey as any, x, inside))));
