/**
 * `filter` on a set generated from the face photos shipped in @vladmandic/face-api: one good face crop
 * (kept), an identical copy (duplicate), a blurred copy (blurry), a tiny copy, an image without a face,
 * a truncated JPEG (unreadable — and the stage goes on), a group photo in one-face mode, and a tight crop
 * of one face that the detector misses unpadded and the default retry finds (its aligned crop reaches
 * outside the photo: the manifest says how much, and this run's low maxOutsideShare rejects it); the same
 * photos once more with the Tiny Face Detector. Real models, real sharp, real TensorFlow.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { StageResult } from '../../src/dsl/stage.js';
import { detectBackendKind, loadTensorflow } from '../../src/kit/tf-backend.js';
import { filter } from '../../src/stages/filter.js';
import { runStageDirectly } from '../helpers/run-stage.js';
import type { ManifestEntry } from '../../src/vision/face-manifest.js';
import { estimateRollDeg, estimateYawDeg } from '../../src/vision/face-geometry.js';
import { detectFaces, loadFaceModels } from '../../src/vision/faces.js';
import { readRgb } from '../../src/kit/image-io.js';

const SAMPLES = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');

/** The most frontal face of sample6.jpg with a generous margin, as a JPEG of a single face. */
async function makeSingleFace(): Promise<Buffer> {
  const models = await loadFaceModels();
  const photo = await readRgb(join(SAMPLES, 'sample6.jpg'));
  const faces = await detectFaces(models, photo, { minScore: 0.5 });
  const turn = (f: (typeof faces)[number]) => Math.abs(estimateYawDeg(f.landmarks)) + Math.abs(estimateRollDeg(f.landmarks));
  const face = [...faces].sort((a, b) => turn(a) - turn(b))[0];
  const { x, y, width, height } = face!.box;
  const margin = Math.round(Math.max(width, height) * 0.6);
  const left = Math.max(0, x - margin);
  const top = Math.max(0, y - margin);
  return sharp(join(SAMPLES, 'sample6.jpg'))
    .extract({ left, top, width: Math.min(photo.width - left, width + 2 * margin), height: Math.min(photo.height - top, height + 2 * margin) })
    .jpeg({ quality: 92 })
    .toBuffer();
}

/**
 * The most frontal face of sample5.jpg cut to its detector box plus 10 % per side, as a JPEG: a tight
 * crop, where SSD finds nothing unless the photo is padded.
 */
async function makeTightFace(): Promise<Buffer> {
  const models = await loadFaceModels();
  const photo = await readRgb(join(SAMPLES, 'sample5.jpg'));
  const faces = await detectFaces(models, photo, { minScore: 0.5 });
  const turn = (f: (typeof faces)[number]) => Math.abs(estimateYawDeg(f.landmarks)) + Math.abs(estimateRollDeg(f.landmarks));
  const { x, y, width, height } = [...faces].sort((a, b) => turn(a) - turn(b))[0]!.box;
  const left = Math.max(0, Math.round(x - 0.1 * width));
  const top = Math.max(0, Math.round(y - 0.1 * height));
  return sharp(join(SAMPLES, 'sample5.jpg'))
    .extract({ left, top, width: Math.min(photo.width - left, Math.round(1.2 * width)), height: Math.min(photo.height - top, Math.round(1.2 * height)) })
    .jpeg({ quality: 92 })
    .toBuffer();
}

const stage = suite<{ dir: string; manifest: ManifestEntry[]; result: StageResult; aligned: string[]; rejects: string[]; tightUnpadded: number }>('filter');

stage.before(async (context) => {
  await loadTensorflow(detectBackendKind());
  const dir = await mkdtemp(join(tmpdir(), 'repro-filter-'));
  const photos = join(dir, 'photos');
  await mkdir(photos);
  const face = await makeSingleFace();
  const meta = await sharp(face).metadata();
  await writeFile(join(photos, 'a-face.jpg'), face);
  await writeFile(join(photos, 'b-copy.jpg'), face);
  await writeFile(join(photos, 'c-blurred.jpg'), await sharp(face).blur(3.5).jpeg().toBuffer());
  await writeFile(join(photos, 'd-tiny.jpg'), await sharp(face).resize(Math.round(meta.width! / 8)).jpeg().toBuffer());
  await writeFile(join(photos, 'e-no-face.png'), await sharp({ create: { width: 300, height: 200, channels: 3, background: '#4080c0' } }).png().toBuffer());
  await writeFile(join(photos, 'f-truncated.jpg'), face.subarray(0, 200));
  await writeFile(join(photos, 'g-group.jpg'), await readFile(join(SAMPLES, 'sample2.jpg')));
  await writeFile(join(photos, 'h-tight.jpg'), await makeTightFace());
  context.tightUnpadded = (await detectFaces(await loadFaceModels(), await readRgb(join(photos, 'h-tight.jpg')), { minScore: 0.5 })).length;
  const result = await runStageDirectly(filter, { size: 128, minFaceSize: 48, maxOutsideShare: 0.05 }, {
    inputs: { photos },
    outputs: { aligned: join(dir, 'aligned'), manifest: join(dir, 'manifest.jsonl'), rejects: join(dir, 'rejects') },
    cpus: 1,
  });
  context.dir = dir;
  context.result = result;
  context.manifest = (await readFile(join(dir, 'manifest.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as ManifestEntry);
  context.aligned = (await readdir(join(dir, 'aligned'))).sort();
  context.rejects = (await readdir(join(dir, 'rejects'))).sort();
});
stage.after(async ({ dir }) => rm(dir, { recursive: true, force: true }));

const reasonOf = (manifest: ManifestEntry[], source: string) => manifest.filter((e) => e.source === source).map((e) => e.reason ?? e.status);

stage('keeps the good face and writes an aligned 128² crop with landmarks in crop coordinates', async ({ dir, manifest, aligned }) => {
  assert.equal(reasonOf(manifest, 'a-face.jpg'), ['kept']);
  assert.equal(aligned, ['a-face-0.png']);
  const meta = await sharp(join(dir, 'aligned', 'a-face-0.png')).metadata();
  assert.equal([meta.width, meta.height], [128, 128]);
  const kept = manifest.find((e) => e.source === 'a-face.jpg')!;
  assert.is(kept.landmarks?.length, 68);
  const eyeY = (kept.landmarks!.slice(36, 48).reduce((s, [, y]) => s + y, 0)) / 12;
  assert.ok(Math.abs(eyeY - 0.4 * 128) < 2, `~> eyes at the canonical height (${eyeY})`);
});

stage('rejects each bad item for the right reason and carries on', ({ manifest }) => {
  assert.equal(reasonOf(manifest, 'b-copy.jpg'), ['duplicate']);
  assert.equal(reasonOf(manifest, 'c-blurred.jpg'), ['blurry']);
  const tiny = reasonOf(manifest, 'd-tiny.jpg');
  assert.ok(tiny[0] === 'too-small' || tiny[0] === 'no-face', `~> tiny: ${tiny}`);
  assert.equal(reasonOf(manifest, 'e-no-face.png'), ['no-face']);
  assert.equal(reasonOf(manifest, 'f-truncated.jpg'), ['unreadable']);
  assert.equal(reasonOf(manifest, 'g-group.jpg'), ['several-faces']);
});

stage('finds the tight crop by the default detection retry, records how much of its crop is fill, rejects it over the limit', ({ manifest, tightUnpadded }) => {
  assert.is(tightUnpadded, 0, '~> unpadded, SSD misses the tight crop');
  const entries = manifest.filter((e) => e.source === 'h-tight.jpg');
  assert.is(entries.length, 1, '~> one entry');
  const entry = entries[0]!;
  assert.is(entry.face, 0, `~> a face was found (${entry.reason ?? entry.status})`);
  const share = entry.scores?.outsideShare;
  assert.ok(typeof share === 'number' && share > 0 && share < 1, `~> outsideShare recorded (${share})`);
  assert.is(entry.reason, 'outside-photo', `~> over this run's maxOutsideShare, 0.05 (${share})`);
  const inside = manifest.find((e) => e.source === 'a-face.jpg')!;
  assert.is(inside.scores?.outsideShare, 0, '~> the roomy crop lies inside its photo');
});

stage('reports counts per reason and draws a reject sheet per reason with thumbnails', ({ result, rejects }) => {
  const counts = result.metrics?.counts as { photos: number; kept: number; rejected: Record<string, number> };
  assert.is(counts.photos, 8);
  assert.is(counts.kept, 1);
  assert.is(Object.values(counts.rejected).reduce((a, b) => a + b, 0), 7);
  assert.is(counts.rejected['outside-photo'], 1, '~> the tight crop, over this run\'s limit');
  for (const reason of ['blurry', 'duplicate', 'no-face', 'several-faces', 'outside-photo']) assert.ok(rejects.includes(`${reason}.png`), `~> ${reason}.png in ${rejects}`);
});

stage("detector 'tiny' runs the same rules on the Tiny Face Detector's faces", async ({ dir }) => {
  const out = join(dir, 'tiny');
  // the good face fills under half of its 420 px photo: found at 416², not at the default 224²
  await runStageDirectly(filter, { size: 128, minFaceSize: 48, maxOutsideShare: 0.05, detector: 'tiny', tinyDetectSize: 416 }, {
    inputs: { photos: join(dir, 'photos') },
    outputs: { aligned: join(out, 'aligned'), manifest: join(out, 'manifest.jsonl'), rejects: join(out, 'rejects') },
  });
  const manifest = (await readFile(join(out, 'manifest.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as ManifestEntry);
  assert.equal(reasonOf(manifest, 'a-face.jpg'), ['kept']);
  assert.equal(reasonOf(manifest, 'b-copy.jpg'), ['duplicate']);
  assert.equal(reasonOf(manifest, 'e-no-face.png'), ['no-face']);
  assert.equal(reasonOf(manifest, 'f-truncated.jpg'), ['unreadable']);
  // (the group photo's faces are small at 416²: the Tiny Face Detector finds one of them, not all)
  assert.ok((await readdir(join(out, 'aligned'))).includes('a-face-0.png'), '~> the good face aligned');
});

stage('judges on worker threads with the same bytes as on one core (duplicates still decided in photo order)', async ({ dir }) => {
  const out = join(dir, 'threads');
  await runStageDirectly(filter, { size: 128, minFaceSize: 48, maxOutsideShare: 0.05 }, {
    inputs: { photos: join(dir, 'photos') },
    outputs: { aligned: join(out, 'aligned'), manifest: join(out, 'manifest.jsonl'), rejects: join(out, 'rejects') },
    cpus: 3, // the detector here, the rules on two worker threads
  });
  assert.ok((await readFile(join(out, 'manifest.jsonl'))).equals(await readFile(join(dir, 'manifest.jsonl'))), '~> the same manifest');
  for (const folder of ['aligned', 'rejects']) {
    const names = (await readdir(join(out, folder))).sort();
    assert.equal(names, (await readdir(join(dir, folder))).sort(), `~> the same ${folder} files`);
    for (const name of names) assert.ok((await readFile(join(out, folder, name))).equals(await readFile(join(dir, folder, name))), `~> ${folder}/${name} the same bytes`);
  }
});

stage.run();
