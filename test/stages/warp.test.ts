/**
 * `warp` on a synthetic face with known landmarks: deterministic for a seed (same bytes twice, other
 * bytes for another seed), the masked pixels are exactly the region map's pixels, and the mask lands
 * on the lower face (covers the nose tip and the mouth corners).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { warp } from '../../src/stages/warp.js';
import { runStageDirectly } from '../helpers/run-stage.js';
import { makeSyntheticFacePng, SYNTHETIC_FACE } from '../helpers/synthetic-face.js';

interface WarpRun {
  masked: Buffer;
  region: Buffer;
  original: Buffer;
  metadata: Record<string, unknown>;
  metrics: Record<string, unknown>;
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
      outputs: { masked: join(dir, 'masked'), regions: join(dir, 'regions'), metadata: join(dir, 'metadata.jsonl') },
      seed: (params as { seed: number }).seed,
    });
    const raw = (path: string) => sharp(path).removeAlpha().raw().toBuffer();
    return {
      masked: await raw(join(dir, 'masked', 'face-0.png')),
      region: await sharp(join(dir, 'regions', 'face-0.png')).extractChannel(0).raw().toBuffer(),
      original: await raw(join(dir, 'faces', 'face-0.png')),
      metadata: JSON.parse((await readFile(join(dir, 'metadata.jsonl'), 'utf8')).trim()) as Record<string, unknown>,
      metrics: result.metrics?.warp as Record<string, unknown>,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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
  assert.equal(run.metadata.sanity, { ok: true, noseTip: true, mouthCorners: true, insideFace: (run.metadata.sanity as { insideFace: number }).insideFace });
  assert.ok((run.metadata.sanity as { insideFace: number }).insideFace >= 0.95);
  assert.is(run.metadata.variant, 'frontal');
  assert.is(run.metrics.placementOk, 1);
  assert.is(run.metrics.domain, 'rule-based fake masks');
});

stage('draws only the asked textures and labels the realistic style as a stand-in', async () => {
  const run = await runWarp({ seed: 4, kinds: ['cloth'], textures: ['stripes'], style: 'realistic' });
  assert.is((run.metadata.style as { texture: { kind: string } }).texture.kind, 'stripes');
  assert.is(run.metrics.domain, 'stand-in real masks (rendered, not photos)');
});

stage.run();
