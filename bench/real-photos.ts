/**
 * Development check on real photos (opt-in, never in tests): runs `filter` over a folder of real masked
 * photos (mask rule 'require') and one of unmasked photos (mask rule 'reject'), then `warp` over the kept
 * unmasked faces, and prints keep rates per reason, the mask rule's rates and the share of warps that
 * pass the placement check. Contact sheets land in the output folder to look at.
 * Usage: REPRO_DEV_DATA=../shared/data npx tsx bench/real-photos.ts [out=/tmp/real-check] [limit]
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { StageDefinition } from '../src/dsl/stage.js';
import { detectBackendKind, loadTensorflow } from '../src/kit/tf-backend.js';
import { filter } from '../src/stages/filter.js';
import { imageGrid } from '../src/stages/image-grid.js';
import { warp } from '../src/stages/warp.js';
import { listImages } from '../src/kit/list-images.js';
import { runStageDirectly } from '../test/helpers/run-stage.js';

const data = process.env.REPRO_DEV_DATA;
if (!data) {
  console.error('set REPRO_DEV_DATA to the folder holding faces-real-masked/ and faces-unmasked/ (development data, never committed)');
  process.exit(2);
}
const out = resolve(process.argv[2] ?? '/tmp/real-check');
const limit = Number(process.argv[3] ?? Infinity);
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
const warped = await runStage(
  warp as never,
  { seed: 1 },
  { faces: join(unmasked, 'aligned'), manifest: join(unmasked, 'manifest.jsonl') },
  { masked: join(unmasked, 'masked'), regions: join(unmasked, 'regions'), metadata: join(unmasked, 'metadata.jsonl') },
);
report.warp = { ...(warped.result?.metrics?.warp as object), secondsPerImage: Math.round((warped.seconds / Math.max(1, (warped.result?.metrics?.warp as { images: number }).images)) * 1000) / 1000 };
await runStage(imageGrid as never, { cell: 96, columns: 12, limit: 96 }, { images: join(unmasked, 'masked') }, { grid: join(unmasked, 'masked-grid.png') });
console.log(JSON.stringify(report, null, 2));
