/**
 * `warp` on a synthetic face with known landmarks: deterministic for a seed (same bytes twice, other
 * bytes for another seed), the masked pixels are exactly the region map's pixels, and the mask lands
 * on the lower face (covers the nose tip and the mouth corners). The fit: recorded per face and in the
 * metrics; a mask over the threshold is narrowed and warped again until it fits, or rejected (no image,
 * the reason in its metadata line, counted) when the narrowest try is still over; the fit sheet paints
 * what lies outside the face red.
 */
import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { warp } from '../../src/stages/warp.js';
import { DEFAULT_MAX_OUTSIDE_SHARE } from '../../src/vision/mask-sanity.js';
import { runStageDirectly } from '../helpers/run-stage.js';
import { makeSyntheticFacePng, SYNTHETIC_FACE } from '../helpers/synthetic-face.js';

interface WarpRun {
  /** empty when the face was rejected */
  masked: Buffer;
  region: Buffer;
  original: Buffer;
  metadata: Record<string, unknown>;
  metrics: Record<string, unknown>;
  /** the fit sheet, RGB */
  sheet: { data: Buffer; width: number; height: number };
}

interface FitLine {
  outsideShare: number;
  lateralScale: number;
  tries: number;
  firstOutsideShare?: number;
}

async function runWarp(params: object): Promise<WarpRun> {
  const dir = await mkdtemp(join(tmpdir(), 'repro-warp-'));
  try {
    await mkdir(join(dir, 'faces'));
    await writeFile(join(dir, 'faces', 'face-0.png'), await makeSyntheticFacePng());
    const entry = { source: 'photo.jpg', face: 0, status: 'kept', output: 'face-0.png', landmarks: SYNTHETIC_FACE };
    await writeFile(join(dir, 'manifest.jsonl'), `${JSON.stringify(entry)}\n`);
    const result = await runStageDirectly(warp, params, {
      inputs: { faces: join(dir, 'faces'), manifest: join(dir, 'manifest.jsonl') },
      outputs: { masked: join(dir, 'masked'), regions: join(dir, 'regions'), metadata: join(dir, 'metadata.jsonl'), fitSheet: join(dir, 'fit-sheet.png') },
      seed: (params as { seed: number }).seed,
    });
    const raw = (path: string) => sharp(path).removeAlpha().raw().toBuffer();
    const written = await access(join(dir, 'masked', 'face-0.png')).then(() => true, () => false);
    const sheet = await sharp(join(dir, 'fit-sheet.png')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return {
      masked: written ? await raw(join(dir, 'masked', 'face-0.png')) : Buffer.alloc(0),
      region: written ? await sharp(join(dir, 'regions', 'face-0.png')).extractChannel(0).raw().toBuffer() : Buffer.alloc(0),
      original: await raw(join(dir, 'faces', 'face-0.png')),
      metadata: JSON.parse((await readFile(join(dir, 'metadata.jsonl'), 'utf8')).trim()) as Record<string, unknown>,
      metrics: result.metrics?.warp as Record<string, unknown>,
      sheet: { data: sheet.data, width: sheet.info.width, height: sheet.info.height },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}


/** Every file under `dir`, path → bytes. */
async function filesUnder(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out.set(join(entry.parentPath, entry.name).slice(dir.length), await readFile(join(entry.parentPath, entry.name)));
  }
  return out;
}

const stage = suite('warp');

stage('is deterministic for a seed and differs for another seed', async () => {
  const [first, again, other] = [await runWarp({ seed: 7 }), await runWarp({ seed: 7 }), await runWarp({ seed: 8 })];
  assert.ok(first.masked.equals(again.masked), '~> same masked pixels');
  assert.ok(first.region.equals(again.region), '~> same region map');
  assert.equal(first.metadata, again.metadata);
  assert.not.equal(JSON.stringify(first.metadata.style) + first.metadata.kind, JSON.stringify(other.metadata.style) + other.metadata.kind, '~> another seed, another mask');
});

stage('the masked pixels are exactly the region map', async () => {
  for (const seed of [1, 2, 3, 4]) {
    const run = await runWarp({ seed });
    let changedOutside = 0;
    let unchangedInside = 0;
    let inside = 0;
    for (let i = 0; i < run.region.length; i += 1) {
      const changed = run.masked[i * 3] !== run.original[i * 3] || run.masked[i * 3 + 1] !== run.original[i * 3 + 1] || run.masked[i * 3 + 2] !== run.original[i * 3 + 2];
      if (run.region[i]! > 0) {
        inside += 1;
        if (!changed) unchangedInside += 1;
      } else if (changed) changedOutside += 1;
    }
    assert.is(changedOutside, 0, `~> seed ${seed}: no pixel outside the region changed`);
    assert.ok(inside > 2000, `~> seed ${seed}: the mask covers the lower face (${inside} px)`);
    assert.ok(unchangedInside / inside < 0.01, `~> seed ${seed}: region pixels are mask pixels (${unchangedInside} unchanged)`);
  }
});

stage('covers the nose tip and mouth corners and stays on the face', async () => {
  const run = await runWarp({ seed: 3, kinds: ['surgical'] });
  const sanity = run.metadata.sanity as { insideFace: number; outsideShare: number };
  assert.equal(run.metadata.sanity, { ok: true, noseTip: true, mouthCorners: true, insideFace: sanity.insideFace, outsideShare: sanity.outsideShare, fitsFace: true });
  assert.ok(sanity.insideFace >= 0.95);
  assert.is(run.metadata.variant, 'frontal');
  assert.is(run.metrics.placementOk, 1);
  assert.is(run.metrics.domain, 'rule-based fake masks');
});

stage('draws only the asked textures and labels the realistic style as a stand-in', async () => {
  const run = await runWarp({ seed: 4, kinds: ['cloth'], textures: ['stripes'], style: 'realistic' });
  assert.is((run.metadata.style as { texture: { kind: string } }).texture.kind, 'stripes');
  assert.is(run.metrics.domain, 'stand-in real masks (rendered, not photos)');
});

stage('records the fit per face and in the metrics', async () => {
  const run = await runWarp({ seed: 3, kinds: ['surgical'] });
  const fit = run.metadata.fit as FitLine;
  assert.ok(fit.outsideShare > 0 && fit.outsideShare <= DEFAULT_MAX_OUTSIDE_SHARE, `~> ${fit.outsideShare} of the mask outside the face, within the default ${DEFAULT_MAX_OUTSIDE_SHARE}`);
  assert.equal(fit, { outsideShare: (run.metadata.sanity as { outsideShare: number }).outsideShare, lateralScale: 1, tries: 1 });
  assert.equal(run.metrics.fit, { maxOutsideShare: DEFAULT_MAX_OUTSIDE_SHARE, median: fit.outsideShare, p95: fit.outsideShare, over: 0, refitted: 0, rejected: 0 });
});

stage('a mask over the threshold is narrowed until it fits', async () => {
  const loose = await runWarp({ seed: 3, kinds: ['surgical'], maxOutsideShare: 1 });
  const first = (loose.metadata.fit as FitLine).outsideShare;
  const run = await runWarp({ seed: 3, kinds: ['surgical'], maxOutsideShare: first - 0.001 });
  const fit = run.metadata.fit as FitLine;
  assert.ok(fit.tries >= 2 && fit.lateralScale < 1, `~> ${fit.tries} tries, scale ${fit.lateralScale}`);
  assert.is(fit.firstOutsideShare, first);
  assert.ok(fit.outsideShare < first - 0.001, `~> ${fit.outsideShare} outside after the refit`);
  assert.is(run.metadata.rejected, undefined);
  assert.equal((run.metrics.fit as { over: number; refitted: number; rejected: number }), { maxOutsideShare: first - 0.001, median: fit.outsideShare, p95: fit.outsideShare, over: 1, refitted: 1, rejected: 0 });
  assert.is(run.metrics.warped, 1);
  // Narrower, the same style: the refit changes the anchors only.
  assert.ok((run.metadata.anchors as Record<string, number[]>).a![0]! > (loose.metadata.anchors as Record<string, number[]>).a![0]!);
  assert.equal(run.metadata.style, loose.metadata.style);
  assert.ok(run.region.reduce((s, v) => s + (v > 0 ? 1 : 0), 0) < loose.region.reduce((s, v) => s + (v > 0 ? 1 : 0), 0));
});

stage('a mask that no refit brings under the threshold is rejected, recorded and counted', async () => {
  // An N95 on this face keeps ~1 % outside (its lower rim under the chin) even at the narrowest try.
  const run = await runWarp({ seed: 3, kinds: ['n95'], maxOutsideShare: 0 });
  assert.is(run.masked.length, 0, '~> no masked image, no region map');
  assert.is(run.metadata.rejected, 'mask-outside-face');
  const fit = run.metadata.fit as FitLine;
  assert.is(fit.tries, 4);
  assert.is(fit.lateralScale, 0.7);
  assert.ok(fit.outsideShare > 0);
  assert.is((run.metadata.sanity as { fitsFace: boolean }).fitsFace, false);
  assert.equal(run.metrics.fit, { maxOutsideShare: 0, median: null, p95: null, over: 1, refitted: 0, rejected: 1 });
  assert.is(run.metrics.warped, 0);
  // The fit sheet still shows it, with the outside pixels red.
  let red = 0;
  for (let i = 0; i < run.sheet.data.length; i += 3) if (run.sheet.data[i] === 230 && run.sheet.data[i + 1] === 30 && run.sheet.data[i + 2] === 30) red += 1;
  assert.ok(red > 20, `~> ${red} red pixels on the fit sheet`);
});

stage('writes the same bytes on 1 thread and on 2 (faces spread over worker threads)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'repro-warp-threads-'));
  try {
    await mkdir(join(dir, 'faces'));
    const png = await makeSyntheticFacePng();
    const lines: string[] = [];
    for (let i = 0; i < 34; i += 1) {
      await writeFile(join(dir, 'faces', `face-${i}.png`), png);
      lines.push(JSON.stringify({ source: `photo-${i}.jpg`, face: 0, status: 'kept', output: `face-${i}.png`, landmarks: SYNTHETIC_FACE }));
    }
    await writeFile(join(dir, 'manifest.jsonl'), `${lines.join('\n')}\n`);
    const runs = [];
    for (const cpus of [1, 2]) {
      const out = join(dir, `out-${cpus}`);
      const said: string[] = [];
      const result = await runStageDirectly(warp, { seed: 5, fitSheetFaces: 20 }, {
        inputs: { faces: join(dir, 'faces'), manifest: join(dir, 'manifest.jsonl') },
        outputs: { masked: join(out, 'masked'), regions: join(out, 'regions'), metadata: join(out, 'metadata.jsonl'), fitSheet: join(out, 'fit-sheet.png') },
        seed: 5,
        cpus,
        log: { info: (m) => said.push(m), warn: (m) => said.push(m) },
      });
      runs.push({ files: await filesUnder(out), metrics: result.metrics, said: said.join('\n') });
    }
    const [one, two] = runs as [(typeof runs)[0], (typeof runs)[0]];
    assert.match(one.said, /on 1 thread;/);
    assert.match(two.said, /on 2 threads;/);
    assert.is(one.files.size, 2 * 34 + 2, '~> 34 masked faces, 34 region maps, metadata, fit sheet');
    assert.equal([...two.files.keys()].sort(), [...one.files.keys()].sort());
    for (const [path, bytes] of one.files) assert.ok(bytes.equals(two.files.get(path)!), `~> ${path} the same bytes`);
    assert.equal(two.metrics, one.metrics);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

stage.run();
