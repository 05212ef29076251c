/**
 * `checkpoint-select` on generators made here (tiny seeded G_A per kept epoch plus epochs.json): explicit
 * epochs export a GraphModel and write one augmented image per input (and per noise sample), with a grid
 * of inputs and outputs; a metric rule picks the best kept epoch; an epoch that was not kept is refused
 * with the epochs that were; noise off gives identical bytes twice, noise on gives different samples; with
 * region maps the faces keep the input's bytes outside the grown mask, and missing maps are named.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createGeneratorWeights, disposeWeights } from '../../src/gan/generator.js';
import { exportGenerator } from '../../src/gan/generator-weights.js';
import { detectBackendKind, loadTensorflow } from '../../src/kit/tf-backend.js';
import { checkpointSelect, chooseEpochs } from '../../src/stages/checkpoint-select.js';
import type { EpochRecord } from '../../src/gan/epochs-file.js';
import { runStageDirectly } from '../helpers/run-stage.js';
import { writeTinyGanData } from '../helpers/tiny-gan-data.js';

const tf = await loadTensorflow(detectBackendKind());
const NOISE = { layers: ['c2' as const], position: 'postAct' as const, sigma: 0.8 };

function record(epoch: number, nmcError: number, kept = true): EpochRecord {
  return { epoch, phase: 'p', learningRate: 2e-4, kept, noise: NOISE, losses: { g_total: 1 }, quality: { nmcError, attentionIoU: 0.5 } };
}

const select = suite<{ root: string; generators: string; images: string }>('checkpoint-select');

select.before(async (context) => {
  context.root = await mkdtemp(join(tmpdir(), 'repro-select-'));
  context.generators = join(context.root, 'generators');
  for (const epoch of [1, 2]) {
    const weights = createGeneratorWeights(tf, { ngf: 2, blocks: 1, seed: epoch, scope: 'fixture' });
    await exportGenerator(tf, weights, join(context.generators, `epoch-000${epoch}`));
    disposeWeights(weights);
  }
  await writeFile(join(context.generators, 'epochs.json'), JSON.stringify({ network: { ngf: 2, blocks: 1, ndf: 2 }, epochs: [record(1, 0.3), record(2, 0.1), record(3, 0.05, false)] }));
  context.images = (await writeTinyGanData(context.root, { size: 24, countA: 3, countB: 1 })).domainA;
});
select.after(async ({ root }) => rm(root, { recursive: true, force: true }));

function outputs(root: string, name: string) {
  return { models: join(root, name, 'models'), augmented: join(root, name, 'augmented'), grid: join(root, name, 'grid.png') };
}

select('~> explicit epochs: a model and the augmented set per epoch, and a grid', async ({ root, generators, images }) => {
  const out = outputs(root, 'explicit');
  await mkdir(join(root, 'explicit'), { recursive: true });
  const result = await runStageDirectly(checkpointSelect, { select: { epochs: [1, 2] }, seed: 1, size: 24, samplesPerImage: 2 }, { inputs: { generators, images }, outputs: out });
  assert.equal((await readdir(out.models)).sort(), ['epoch-0001', 'epoch-0002']);
  assert.equal((await readdir(join(out.models, 'epoch-0002'))).sort(), ['model.json', 'weights.bin']);
  const augmented = (await readdir(join(out.augmented, 'epoch-0001'))).sort();
  assert.equal(augmented, ['face-00-1.png', 'face-00-2.png', 'face-01-1.png', 'face-01-2.png', 'face-02-1.png', 'face-02-2.png']);
  const [one, two] = await Promise.all(['face-00-1.png', 'face-00-2.png'].map((f) => readFile(join(out.augmented, 'epoch-0001', f))));
  assert.not.equal(one, two, '~> two noise draws differ');
  assert.is((await sharp(one!).metadata()).width, 24);
  const grid = await sharp(out.grid).metadata();
  assert.is(grid.width, 3 * (24 + 2) + 2, '~> input + one column per chosen epoch');
  assert.is((result.metrics?.selection as { augmented: number }).augmented, 3 * 2 * 2);
});

select('~> noise off: the same bytes twice', async ({ root, generators, images }) => {
  const bytes: Buffer[] = [];
  for (const name of ['off-1', 'off-2']) {
    await mkdir(join(root, name), { recursive: true });
    const out = outputs(root, name);
    await runStageDirectly(checkpointSelect, { select: { epochs: [2] }, seed: 1, size: 24, noise: 'off' }, { inputs: { generators, images }, outputs: out });
    bytes.push(await readFile(join(out.augmented, 'epoch-0002', 'face-01.png')));
  }
  assert.equal(bytes[0], bytes[1]);
});

select("~> with warp's region maps the augmented faces keep the input's bytes outside the grown mask", async ({ root, generators, images }) => {
  const regions = join(root, 'regions');
  await mkdir(regions, { recursive: true });
  const map = Buffer.alloc(24 * 24);
  for (let y = 12; y < 20; y += 1) for (let x = 6; x < 18; x += 1) map[y * 24 + x] = 255; // the mask: rows 12..19, columns 6..17
  const names = (await readdir(images)).sort();
  for (const name of names) await writeFile(join(regions, name), await sharp(map, { raw: { width: 24, height: 24, channels: 1 } }).png().toBuffer());
  const raw = outputs(root, 'raw');
  const pasted = outputs(root, 'pasted');
  for (const dir of ['raw', 'pasted']) await mkdir(join(root, dir), { recursive: true });
  const params = { select: { epochs: [2] }, seed: 1, size: 24, noise: 'off' as const, pasteDilate: 2 };
  await runStageDirectly(checkpointSelect, params, { inputs: { generators, images }, outputs: raw });
  const result = await runStageDirectly(checkpointSelect, params, { inputs: { generators, images, regions }, outputs: pasted });
  const pixels = (path: string) => sharp(path).removeAlpha().raw().toBuffer();
  let inside = 0;
  for (const name of names) {
    const [input, made, kept] = await Promise.all([pixels(join(images, name)), pixels(join(raw.augmented, 'epoch-0002', name)), pixels(join(pasted.augmented, 'epoch-0002', name))]);
    for (let p = 0; p < 24 * 24; p += 1) {
      const [x, y] = [p % 24, Math.floor(p / 24)];
      // within 2 px (Euclidean) of the mask rectangle
      const dx = Math.max(6 - x, 0, x - 17);
      const dy = Math.max(12 - y, 0, y - 19);
      const grown = dx * dx + dy * dy <= 4;
      inside += grown ? 1 : 0;
      const want = grown ? made : input;
      for (let c = 0; c < 3; c += 1) assert.is(kept[p * 3 + c], want[p * 3 + c], `~> ${name} (${x}, ${y}) channel ${c}: ${grown ? 'generated' : "the input's byte"}`);
    }
  }
  assert.ok(inside > 0, '~> some pixels were generated');
  assert.is((result.metrics?.selection as { pasted: string }).pasted, 'inside the mask grown by 2 px');
  await rm(join(regions, names[1]!));
  await mkdir(join(root, 'short'), { recursive: true });
  const error = await runStageDirectly(checkpointSelect, params, { inputs: { generators, images, regions }, outputs: outputs(root, 'short') }).then(() => undefined, (e: unknown) => e);
  assert.match(String(error), /expected one region map per image with the same names .* received 2 maps for 3 images/);
});

select('~> a metric rule picks among kept epochs; an epoch not kept is refused by name', async () => {
  const epochs = [record(1, 0.3), record(2, 0.1), record(3, 0.05, false)];
  assert.equal(chooseEpochs({ metric: 'nmcError', mode: 'min' }, epochs).map((e) => e.epoch), [2]);
  assert.equal(chooseEpochs({ metric: 'nmcError', mode: 'max', count: 2 }, epochs).map((e) => e.epoch), [1, 2]);
  assert.equal(chooseEpochs({ metric: 'nmcError', mode: 'min', fromEpoch: 1 }, [record(1, 0.2), record(2, 0.2)]).map((e) => e.epoch), [1], '~> ties go to the earlier epoch');
  assert.throws(() => chooseEpochs({ epochs: [3] }, epochs), /expected epochs whose G_A progressive-train kept \(1, 2\), received 3; add them to its keepEpochs/);
});

select.run();
