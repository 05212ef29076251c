/**
 * Throughput of the face stages at 256², with a time breakdown, on faces from the photos shipped in
 * @vladmandic/face-api: the demo photos' faces are first aligned to 256² crops (not timed), then
 *   filter — decode, prepare + detect, landmarks, rules + alignment, encode — per crop, and
 *   warp    — decode, render the template, fit + warp + colour match, encode — per face,
 * with images/s and peak RSS. Usage: npx tsx bench/face-stages.ts [rounds=3]
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { detectBackendKind, loadTensorflow } from '../src/kit/tf-backend.js';
import { alignFace } from '../src/vision/align.js';
import { chooseTemplateVariant, computeMaskAnchors, computeTilt } from '../src/vision/face-geometry.js';
import { judgeFace } from '../src/vision/face-rules.js';
import { detectFaces, loadFaceModels, type FaceTimings } from '../src/vision/faces.js';
import { fitHomography } from '../src/vision/homography.js';
import { encodePng, readRgb } from '../src/kit/image-io.js';
import { applyColourMatch } from '../src/vision/mask-colour.js';
import { renderMask } from '../src/vision/mask-render.js';
import { MASK_KINDS } from '../src/vision/masks/templates.js';
import { createRng } from '../src/kit/prng.js';
import type { Landmarks68 } from '../src/vision/types.js';
import { warpOntoImage } from '../src/vision/warp-template.js';

const rounds = Number(process.argv[2] ?? 3);
const backend = detectBackendKind();
await loadTensorflow(backend);
const models = await loadFaceModels();
const samples = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
const work = await mkdtemp(join(tmpdir(), 'repro-bench-faces-'));
const crops: string[] = [];
for (const name of ['sample1.jpg', 'sample2.jpg', 'sample3.jpg', 'sample4.jpg', 'sample5.jpg', 'sample6.jpg']) {
  const photo = await readRgb(join(samples, name));
  for (const [i, face] of (await detectFaces(models, photo, { minScore: 0.5 })).entries()) {
    const path = join(work, `${name}-${i}.png`);
    await writeFile(path, await encodePng(alignFace(photo, face.landmarks, { size: 256, eyeY: 0.4, eyeDistance: 0.36, border: 'reflect' }).image));
    crops.push(path);
  }
}
const total = { decode: 0, prepare: 0, detect: 0, landmarks: 0, rules: 0, encode: 0 };
const warpTotal = { decode: 0, render: 0, warp: 0, encode: 0 };
const found: { path: string; landmarks: Landmarks68 }[] = [];
let filtered = 0;
let warped = 0;
const t = () => performance.now();
for (let r = 0; r < rounds; r += 1) {
  for (const path of crops) {
    let s = t();
    const image = await readRgb(path);
    total.decode += t() - s;
    let timings: FaceTimings | undefined;
    const faces = await detectFaces(models, image, { minScore: 0.5, pad: 0.25, onTimings: (x) => (timings = x) });
    total.prepare += timings?.prepareMs ?? 0;
    total.detect += timings?.detectMs ?? 0;
    total.landmarks += timings?.landmarksMs ?? 0;
    filtered += 1;
    const face = faces[0];
    if (!face) continue;
    s = t();
    const verdict = judgeFace(image, face, { size: 256, duplicateHamming: -1 }, []);
    total.rules += t() - s;
    s = t();
    if (verdict.aligned) await encodePng(verdict.aligned.image);
    total.encode += t() - s;
    if (r === 0 && verdict.aligned) found.push({ path, landmarks: face.landmarks });
  }
  for (const [i, { path, landmarks }] of found.entries()) {
    let s = t();
    const image = await readRgb(path);
    warpTotal.decode += t() - s;
    s = t();
    const rng = createRng(r * 1000 + i);
    const mask = await renderMask(rng.pick(MASK_KINDS), chooseTemplateVariant(computeTilt(landmarks)), rng, {});
    warpTotal.render += t() - s;
    s = t();
    const template = applyColourMatch(mask.image, image, landmarks, 1);
    const anchors = computeMaskAnchors(landmarks, image.width);
    const order = ['a', 'b', 'c', 'f', 'e', 'd'] as const;
    const { composite, region } = warpOntoImage(image, template, fitHomography(order.map((k) => mask.anchors[k]), order.map((k) => anchors[k])));
    warpTotal.warp += t() - s;
    s = t();
    await encodePng(composite);
    await encodePng(region);
    warpTotal.encode += t() - s;
    warped += 1;
  }
}
await rm(work, { recursive: true, force: true });
const line = (label: string, parts: Record<string, number>, count: number) => {
  const sum = Object.values(parts).reduce((a, b) => a + b, 0);
  const shares = Object.entries(parts).map(([k, v]) => `${k} ${(v / count).toFixed(1)} ms (${Math.round((v / sum) * 100)}%)`).join(', ');
  console.log(`${label}: ${count} images, ${(count / (sum / 1000)).toFixed(1)} images/s; per image ${shares}`);
};
console.log(`face stages at 256², backend ${backend}, ${crops.length} face crops × ${rounds} rounds`);
line('filter', total, filtered);
line('warp', warpTotal, warped);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
