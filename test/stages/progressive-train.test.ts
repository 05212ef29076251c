/**
 * `progressive-train` end to end on tiny data (ngf 4, 1 block, 24² images): two phases (the second with
 * NMC, noise and a dropB refinement) write G_A at the kept epochs, epochs.json with losses and probe
 * quality per epoch, one sample grid per epoch, metrics and plot rows; a run aborted after its first
 * epoch leaves its checkpoint in the work folder and the rerun resumes there and finishes with the same
 * losses as the uninterrupted run.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { EpochRecord } from '../../src/gan/epochs-file.js';
import { progressiveTrain } from '../../src/stages/progressive-train.js';
import { runStageDirectly } from '../helpers/run-stage.js';
import { writeTinyGanData, type TinyGanData } from '../helpers/tiny-gan-data.js';

const PARAMS = {
  seed: 3,
  network: { ngf: 4, blocks: 1, ndf: 4 },
  probe: 2,
  phases: [
    { name: 'warm-up', epochs: 1, batch: 2, loadSize: 28, cropSize: 24 },
    {
      name: 'nmc-noise', epochs: 1, batch: 2, loadSize: 24, cropSize: 24,
      lambda: { cycle: 10, identity: 0.5, nmc: 10, nmcFromEpoch: 1, attention: 0 },
      noise: { layers: ['c2' as const], position: 'postAct' as const, sigma: 0.5 },
      dropB: [{ score: 'sharpness', below: 150 }],
    },
  ],
};

const train = suite<{ root: string; data: TinyGanData }>('progressive-train');

train.before(async (context) => {
  context.root = await mkdtemp(join(tmpdir(), 'repro-train-'));
  context.data = await writeTinyGanData(context.root, { size: 24, countA: 4, countB: 3 });
});
train.after(async ({ root }) => rm(root, { recursive: true, force: true }));

function inputs(data: TinyGanData) {
  return { domainA: data.domainA, keepMaps: data.keepMaps, domainB: data.domainB, manifestB: data.manifestB };
}

function outputs(root: string, name: string) {
  return { generators: join(root, name, 'generators'), samples: join(root, name, 'samples') };
}

train('~> two phases: kept generators, epochs.json, one grid per epoch, metrics and plots', async ({ root, data }) => {
  const lines: string[] = [];
  const out = outputs(root, 'full');
  const result = await runStageDirectly(progressiveTrain, PARAMS, { inputs: inputs(data), outputs: out, log: { info: (m) => lines.push(m), warn: (m) => lines.push(m) } });
  assert.equal((await readdir(out.generators)).sort(), ['epoch-0001', 'epoch-0002', 'epochs.json']);
  assert.equal((await readdir(join(out.generators, 'epoch-0002'))).sort(), ['generator.bin', 'generator.json']);
  const { epochs } = JSON.parse(await readFile(join(out.generators, 'epochs.json'), 'utf8')) as { epochs: EpochRecord[] };
  assert.equal(epochs.map((e) => e.phase), ['warm-up', 'nmc-noise']);
  assert.equal(epochs[1]!.noise, { layers: ['c2'], position: 'postAct', sigma: 0.5 });
  assert.ok(epochs.every((e) => Object.values(e.losses).every((v) => Number.isFinite(v)) && typeof e.quality.nmcError === 'number'), `~> every loss finite, quality recorded: ${JSON.stringify(epochs)}`);
  assert.ok(lines.some((l) => /phase 'nmc-noise': 4 A, 2 B images/.test(l)), `~> dropB removed the face below sharpness 150: ${lines.join('\n')}`);
  const grids = (await readdir(out.samples)).sort();
  assert.equal(grids, ['epoch-0001.png', 'epoch-0002.png']);
  const meta = await sharp(join(out.samples, grids[0]!)).metadata();
  assert.is(meta.width, 6 * (24 + 2) + 2, '~> input | A10 | output | 3 samples');
  assert.is(meta.height, 2 * (24 + 2) + 2, '~> one row per probe image');
  assert.is((result.metrics?.train as { epochs: number }).epochs, 2);
  assert.is(result.plots?.losses?.length, 2);
  assert.ok(typeof result.plots?.quality?.[1]?.attentionIoU === 'number');
  for (const rows of [result.plots!.losses!, result.plots!.quality!]) {
    assert.is(new Set(rows.map((r) => Object.keys(r).sort().join())).size, 1, '~> every plot row has the same keys (DVC skips files whose rows differ)');
  }
});

train('~> aborted after epoch 1, the rerun resumes from its checkpoint and ends with the same losses', async ({ root, data }) => {
  const reference = JSON.parse(await readFile(join(root, 'full', 'generators', 'epochs.json'), 'utf8')) as { epochs: EpochRecord[] };
  const workDir = join(root, 'work');
  const controller = new AbortController();
  const first = runStageDirectly(progressiveTrain, PARAMS, {
    inputs: inputs(data), outputs: outputs(root, 'killed'), workDir, signal: controller.signal,
    log: { info: (m) => { if (m.startsWith('epoch 1/2')) controller.abort(new Error('stopped by the test')); }, warn: () => {} },
  });
  await first.then(() => assert.unreachable('the aborted run should throw'), (error: unknown) => assert.match(String(error), /stopped by the test/));
  const lines: string[] = [];
  const out = outputs(root, 'resumed');
  await runStageDirectly(progressiveTrain, PARAMS, { inputs: inputs(data), outputs: out, workDir, log: { info: (m) => lines.push(m), warn: () => {} } });
  assert.ok(lines.some((l) => /resumed from .*epoch-0001.*1 of 2 epochs done/.test(l)), lines.join('\n'));
  const resumed = JSON.parse(await readFile(join(out.generators, 'epochs.json'), 'utf8')) as { epochs: EpochRecord[] };
  for (const [i, epoch] of resumed.epochs.entries()) {
    for (const [key, value] of Object.entries(epoch.losses)) {
      const expected = reference.epochs[i]!.losses[key]!;
      assert.ok(Math.abs(value! - expected) <= 1e-5 * Math.max(1, Math.abs(expected)), `~> epoch ${epoch.epoch} ${key}: ${value} vs ${expected}`);
    }
  }
  assert.equal((await readdir(out.samples)).sort(), ['epoch-0001.png', 'epoch-0002.png'], '~> the grid of the epoch before the abort is kept');
});

train.run();
