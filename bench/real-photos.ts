/**
 * Development check on real photos (opt-in, never in tests): runs `filter` over a folder of real masked
 * photos (mask rule 'require') and one of unmasked photos (mask rule 'reject'), then `warp` over the kept
 * unmasked faces, and prints keep rates per reason, the mask rule's rates and the share of warps that
 * pass the placement check. `warp` runs twice over the same crops: with the refit off (maxOutsideShare 1,
 * MaskTheFace's anchors as they are: the "before") and with the given threshold; for each, the fit — the
 * share of the pixels the mask covers at least half that lie outside the face outline, median and 95th
 * percentile over the faces written — the refitted and rejected counts, and the same share counted on the
 * region maps (every pixel the mask touches, soft edges included) for comparison. Contact sheets (and
 * warp's fit sheets) land in the output folder.
 * Usage: REPRO_DEV_DATA=../shared/data npx tsx bench/real-photos.ts [out=/tmp/real-check] [limit] [maxOutsideShare]
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { StageDefinition } from '../src/dsl/stage.js';
import { detectBackendKind, loadTensorflow } from '../src/kit/tf-backend.js';
import { filter } from '../src/stages/filter.js';
import { imageGrid } from '../src/stages/image-grid.js';
import { warp } from '../src/stages/warp.js';
import { listImages } from '../src/kit/list-images.js';
import { readGray } from '../src/kit/image-io.js';
import { readKeptLandmarks } from '../src/vision/face-manifest.js';
import { measureMaskFit } from '../src/vision/mask-fit.js';
import { runStageDirectly } from '../test/helpers/run-stage.js';

const data = process.env.REPRO_DEV_DATA;
if (!data) {
  console.error('set REPRO_DEV_DATA to the folder holding faces-real-masked/ and faces-unmasked/ (development data, never committed)');
  process.exit(2);
}
const out = resolve(process.argv[2] ?? '/tmp/real-check');
const limit = Number(process.argv[3] ?? Infinity);
const maxOutsideShare = process.argv[4] === undefined ? undefined : Number(process.argv[4]);
await loadTensorflow(detectBackendKind());

async function runStage(stage: StageDefinition, params: object, inputs: Record<string, string>, outputs: Record<string, string>) {
  const started = performance.now();
  const result = await runStageDirectly(stage, params, { inputs, outputs, seed: 1, log: { info: (m) => console.error(m), warn: () => {} } });
  return { result, seconds: (performance.now() - started) / 1000 };
}

async function linkSubset(folder: string, target: string): Promise<number> {
  const names = (await listImages(folder)).slice(0, limit);
  await mkdir(target, { recursive: true });
  for (const name of names) await writeFile(join(target, name), await readFile(join(folder, name)));
  return names.length;
}

await rm(out, { recursive: true, force: true });
const report: Record<string, unknown> = {};
for (const [folder, mask] of [['faces-real-masked', 'require'], ['faces-unmasked', 'reject']] as const) {
  const dir = join(out, folder);
  const photos = await linkSubset(join(data, folder), join(dir, 'photos'));
  const { result, seconds } = await runStage(
    filter as never,
    { size: 256, facesPerPhoto: 'all', minFaceSize: 40, detectPad: 0.25, mask },
    { photos: join(dir, 'photos') },
    { aligned: join(dir, 'aligned'), manifest: join(dir, 'manifest.jsonl'), rejects: join(dir, 'rejects') },
  );
  const counts = result?.metrics?.counts as { kept: number; rejected: Record<string, number> };
  const entries = (await readFile(join(dir, 'manifest.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { status: string; reason?: string; face: number | null });
  const judgedForMask = entries.filter((e) => e.status === 'kept' || e.reason === 'mask-missing' || e.reason === 'mask-present' || e.reason === 'duplicate');
  const calledMasked = judgedForMask.filter((e) => (mask === 'require' ? e.status === 'kept' || e.reason === 'duplicate' : e.reason === 'mask-present')).length;
  report[folder] = {
    photos,
    photosWithFace: entries.filter((e) => e.face === 0).length, // every photo with a detected face has a face 0
    faces: entries.filter((e) => e.face !== null).length,
    kept: counts.kept,
    rejected: counts.rejected,
    maskRule: { judged: judgedForMask.length, calledMasked, rate: Math.round((calledMasked / Math.max(1, judgedForMask.length)) * 1000) / 1000 },
    secondsPerPhoto: Math.round((seconds / photos) * 1000) / 1000,
  };
  await runStage(imageGrid as never, { cell: 96, columns: 12, limit: 96 }, { images: join(dir, 'aligned') }, { grid: join(dir, 'kept-grid.png') });
}
const unmasked = join(out, 'faces-unmasked');
for (const [key, folder, refit] of [['warpRefitOff', 'warp-refit-off', { maxOutsideShare: 1 }], ['warp', 'warp', maxOutsideShare === undefined ? {} : { maxOutsideShare }]] as const) {
  const into = join(unmasked, folder);
  const warped = await runStage(
    warp as never,
    { seed: 1, ...refit },
    { faces: join(unmasked, 'aligned'), manifest: join(unmasked, 'manifest.jsonl') },
    { masked: join(into, 'masked'), regions: join(into, 'regions'), metadata: join(into, 'metadata.jsonl'), fitSheet: join(into, 'fit-sheet.png') },
  );
  const metrics = warped.result?.metrics?.warp as { images: number };
  const landmarks = await readKeptLandmarks(join(unmasked, 'manifest.jsonl'));
  const regionShares: number[] = [];
  for (const name of await listImages(join(into, 'regions'))) regionShares.push(measureMaskFit(await readGray(join(into, 'regions', name)), landmarks.get(name)!).outsideShare);
  const regionMapFit = { median: quantile(regionShares, 0.5), p95: quantile(regionShares, 0.95) };
  report[key] = { ...metrics, regionMapFit, secondsPerImage: Math.round((warped.seconds / Math.max(1, metrics.images)) * 1000) / 1000 };
  await runStage(imageGrid as never, { cell: 96, columns: 12, limit: 96 }, { images: join(into, 'masked') }, { grid: join(into, 'masked-grid.png') });
}
console.log(JSON.stringify(report, null, 2));

/** The q-quantile by nearest rank, as warp's metrics take it. */
function quantile(values: readonly number[], q: number): number | null {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted.length === 0 ? null : sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}
