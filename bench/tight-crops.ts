/**
 * Development check of `filter` on tight face crops (opt-in, never in tests): runs the stage over the
 * first `limit` photos by name of faces-unmasked with the old defaults ('before': reflect border, no
 * detection retry, no outside-share limit), the current defaults ('after') and any extra param sets, and
 * prints per run the photos with no face, kept faces, reject reasons, seconds per photo and how much of
 * the crops lies outside the photo. Then, for every face of the last run whose crop leaves the photo, it
 * aligns the crop with each border rule and measures what the fill adds: structure (mean gray gradient of
 * fill pixels relative to photo pixels), the seam at the photo's edge (mean step across it, same unit), and
 * extra faces (SSD finds more than one face in the crop); and, by outside share, how often the face
 * itself (jaw to brows) is cut by the photo's edge. Sheets of those crops per rule land in `out`. Last,
 * detection alone is timed photo by photo without and with the default retry.
 * Usage: REPRO_DEV_DATA=../shared/data npx tsx bench/tight-crops.ts [out=/tmp/tight-crops] [limit=200] [name='{"param":…}' …]
 */
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { resolveParamsSchema } from '../src/dsl/params-schema.js';
import { detectBackendKind, loadTensorflow } from '../src/kit/tf-backend.js';
import { encodeContactSheet, readRgb } from '../src/kit/image-io.js';
import { listImages } from '../src/kit/list-images.js';
import { filter } from '../src/stages/filter.js';
import { invertAffine, type BorderMode } from '../src/vision/affine-warp.js';
import { alignFace, type AlignedFace } from '../src/vision/align.js';
import type { ManifestEntry } from '../src/vision/face-manifest.js';
import { detectFaces, loadFaceModels } from '../src/vision/faces.js';
import { toGray } from '../src/vision/quality.js';
import type { RawImage } from '../src/vision/types.js';
import { runStageDirectly } from '../test/helpers/run-stage.js';

const data = process.env.REPRO_DEV_DATA;
if (!data) {
  console.error('set REPRO_DEV_DATA to the folder holding faces-unmasked/ (development data, never committed)');
  process.exit(2);
}
const out = resolve(process.argv[2] ?? '/tmp/tight-crops');
const limit = Number(process.argv[3] ?? 200);
const BASE = { size: 256, facesPerPhoto: 'one', mask: 'reject' }; // the paper's domain-A filter (experiments/shared/paper-pipeline.ts)
const runs: [string, Record<string, unknown>][] = [
  ['before', { border: 'reflect', detectRetryPad: 0, maxOutsideShare: 1 }],
  ...process.argv.slice(4).map((arg) => [arg.slice(0, arg.indexOf('=')), JSON.parse(arg.slice(arg.indexOf('=') + 1))] as [string, Record<string, unknown>]),
  ['after', {}],
];
const tf = await loadTensorflow(detectBackendKind());

const names = (await listImages(join(data, 'faces-unmasked'))).sort().slice(0, limit);
await rm(out, { recursive: true, force: true });
const photos = join(out, 'photos');
await mkdir(photos, { recursive: true });
for (const name of names) await copyFile(join(data, 'faces-unmasked', name), join(photos, name));

const quantile = (values: number[], q: number) => (values.length ? [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]! : NaN);
const r3 = (v: number) => Math.round(v * 1000) / 1000;

const report: Record<string, unknown> = {};
let manifest: ManifestEntry[] = [];
let lastParams: Record<string, unknown> = {};
const schema = await resolveParamsSchema(filter.params);
for (const [name, extra] of runs) {
  const dir = join(out, name);
  const started = performance.now();
  const result = await runStageDirectly(filter as never, { ...BASE, ...extra }, {
    inputs: { photos },
    outputs: { aligned: join(dir, 'aligned'), manifest: join(dir, 'manifest.jsonl'), rejects: join(dir, 'rejects') },
  });
  const seconds = (performance.now() - started) / 1000;
  manifest = (await readFile(join(dir, 'manifest.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as ManifestEntry);
  const checked = schema.check({ ...BASE, ...extra });
  if (!checked.ok) throw new Error(`run '${name}': ${JSON.stringify(checked.violations)}`);
  lastParams = checked.value; // with the stage's defaults
  const shares = (status?: string) => manifest.filter((e) => typeof e.scores?.outsideShare === 'number' && (!status || e.status === status)).map((e) => e.scores!.outsideShare as number);
  const kept = shares('kept');
  const judged = shares();
  const counts = result.metrics?.counts as { kept: number; rejected: Record<string, number> };
  report[name] = {
    params: extra,
    noFace: counts.rejected['no-face'] ?? 0,
    kept: counts.kept,
    rejected: counts.rejected,
    secondsPerPhoto: r3(seconds / names.length),
    // faces that reached the outside rule: how much of their crop is fill
    outsideShare: {
      judged: judged.length,
      anyOutside: judged.filter((s) => s > 0).length,
      over: Object.fromEntries([0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4].map((t) => [t, judged.filter((s) => s > t).length])),
      keptMedian: r3(quantile(kept, 0.5)),
      keptP90: r3(quantile(kept, 0.9)),
      keptMax: r3(Math.max(0, ...kept)),
    },
  };
  console.error(`${name}: ${JSON.stringify(report[name])}`);
}

// --- what each border rule puts outside the photo, on the last run's faces whose crop leaves it

const BORDERS: BorderMode[] = ['reflect', 'edge', 'mean', 'blur', 'black'];
const models = await loadFaceModels({ tf });
const measures = Object.fromEntries(BORDERS.map((b) => [b, { structure: [] as number[], seam: [] as number[], extraFaces: 0 }]));
const sheets = Object.fromEntries(BORDERS.map((b) => [b, [] as { share: number; image: RawImage }[]]));
const cuts: { share: number; cut: number }[] = [];
let crops = 0;
for (const entry of manifest) {
  const share = entry.scores?.outsideShare;
  if (entry.face === null || typeof share !== 'number' || share <= 0) continue;
  const photo = await readRgb(join(photos, entry.source));
  const faces = await detectFaces(models, photo, { minScore: Number(lastParams.minScore), pad: Number(lastParams.detectPad), retryPad: Number(lastParams.detectRetryPad) });
  const face = faces[entry.face];
  if (!face) continue;
  crops += 1;
  cuts.push({ share, cut: faceCut(face.landmarks, photo.width, photo.height) });
  for (const border of BORDERS) {
    const aligned = alignFace(photo, face.landmarks, { size: 256, border });
    const m = fillMeasures(aligned, photo.width, photo.height);
    if (m) {
      measures[border]!.structure.push(m.structure);
      measures[border]!.seam.push(m.seam);
    }
    const found = await detectFaces(models, aligned.image, { minScore: 0.5 });
    if (found.length > 1) measures[border]!.extraFaces += 1;
    sheets[border]!.push({ share, image: aligned.image });
  }
}
report.borders = {
  crops,
  ...Object.fromEntries(
    BORDERS.map((b) => [b, { structureMedian: r3(quantile(measures[b]!.structure, 0.5)), seamMedian: r3(quantile(measures[b]!.seam, 0.5)), cropsWithExtraFaces: measures[b]!.extraFaces }]),
  ),
};
// how often the face itself (jaw line up to the brows) is cut by the photo's edge, by outside share
await writeFile(join(out, 'face-cut.json'), JSON.stringify(cuts));
const bins = [0, 0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 1];
report.faceCut = bins.slice(1).map((hi, i) => {
  const inBin = cuts.filter((c) => c.share > bins[i]! && c.share <= hi);
  const over = (t: number) => inBin.filter((c) => c.cut > t).length;
  return { outsideShare: `${bins[i]}–${hi}`, faces: inBin.length, cutOver1pc: over(0.01), cutOver5pc: over(0.05), cutMedian: r3(quantile(inBin.map((c) => c.cut), 0.5)) };
});
for (const border of BORDERS) {
  const chosen = sheets[border]!.sort((a, b) => b.share - a.share).map((s) => s.image);
  await writeFile(join(out, `border-${border}.png`), await encodeContactSheet(chosen.slice(0, 48), { cell: 128, columns: 8 }));
}
// what the retry costs: detection alone, without and with the default retry, photo by photo in turn (so a
// busy machine slows both alike)
const timing = { once: 0, withRetry: 0, retried: 0 };
for (const name of names) {
  const photo = await readRgb(join(photos, name));
  const options = { minScore: Number(lastParams.minScore), pad: Number(lastParams.detectPad) };
  let started = performance.now();
  const found = await detectFaces(models, photo, options);
  timing.once += performance.now() - started;
  started = performance.now();
  await detectFaces(models, photo, { ...options, retryPad: Number(lastParams.detectRetryPad) });
  timing.withRetry += performance.now() - started;
  if (found.length === 0) timing.retried += 1;
}
report.detectionMsPerPhoto = {
  noRetry: Math.round(timing.once / names.length),
  withRetry: Math.round(timing.withRetry / names.length),
  retriedPhotos: timing.retried,
  extraMsPerRetriedPhoto: Math.round((timing.withRetry - timing.once) / Math.max(1, timing.retried)),
};
console.log(JSON.stringify(report, null, 2));

/**
 * Gray-gradient statistics of one crop: `structure` = mean |∇| over pixels whose bilinear taps all lie
 * outside the photo, `seam` = mean |step| between neighbours on either side of the photo's edge, both
 * divided by mean |∇| over pixels wholly inside (so 1 means "as busy as the photo"). Undefined when the
 * crop has too few fill pixels (< 1 %) to say.
 */
function fillMeasures(aligned: AlignedFace, width: number, height: number): { structure: number; seam: number } | undefined {
  const gray = toGray(aligned.image);
  const n = gray.width;
  const [a, b, c, d, e, f] = invertAffine(aligned.transform);
  const kind = new Uint8Array(n * n); // 0 inside (all taps), 1 boundary, 2 fill (all taps outside)
  const area = new Uint8Array(n * n); // 1 when the source point lies outside the photo's area
  for (let v = 0; v < n; v += 1) {
    for (let u = 0; u < n; u += 1) {
      const sx = a * u + b * v + c;
      const sy = d * u + e * v + f;
      const inside = sx >= 0 && sx <= width - 1 && sy >= 0 && sy <= height - 1;
      const fill = sx < -1 || sx > width || sy < -1 || sy > height;
      kind[v * n + u] = inside ? 0 : fill ? 2 : 1;
      area[v * n + u] = sx >= -0.5 && sx < width - 0.5 && sy >= -0.5 && sy < height - 0.5 ? 0 : 1;
    }
  }
  const sums = [0, 0, 0];
  const counts = [0, 0, 0];
  let seam = 0;
  let seamCount = 0;
  for (let v = 0; v + 1 < n; v += 1) {
    for (let u = 0; u + 1 < n; u += 1) {
      const i = v * n + u;
      for (const j of [i + 1, i + n]) {
        const step = Math.abs(gray.data[i]! - gray.data[j]!);
        if (kind[i] === kind[j] && kind[i] !== 1) {
          sums[kind[i]!]! += step;
          counts[kind[i]!]! += 1;
        }
        if (area[i] !== area[j]) {
          seam += step;
          seamCount += 1;
        }
      }
    }
  }
  if (counts[2]! < 0.01 * n * n || counts[0] === 0) return undefined;
  const photoGradient = sums[0]! / counts[0]!;
  return { structure: sums[2]! / counts[2]! / photoGradient, seam: seam / Math.max(1, seamCount) / photoGradient };
}

/**
 * Share of the face region — the polygon of the jaw (landmarks 0..16) closed over the brows (26..17) —
 * that lies outside the photo, sampled every half pixel of the photo.
 */
function faceCut(landmarks: readonly (readonly [number, number])[], width: number, height: number): number {
  const polygon = [...landmarks.slice(0, 17), ...landmarks.slice(17, 27).reverse()];
  const xs = polygon.map((p) => p[0]);
  const ys = polygon.map((p) => p[1]);
  let inside = 0;
  let outside = 0;
  for (let y = Math.min(...ys); y <= Math.max(...ys); y += 0.5) {
    for (let x = Math.min(...xs); x <= Math.max(...xs); x += 0.5) {
      let within = false;
      for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i, i += 1) {
        const [xi, yi] = polygon[i]!;
        const [xj, yj] = polygon[j]!;
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) within = !within;
      }
      if (!within) continue;
      inside += 1;
      if (x < -0.5 || x >= width - 0.5 || y < -0.5 || y >= height - 0.5) outside += 1;
    }
  }
  return inside ? outside / inside : 0;
}
