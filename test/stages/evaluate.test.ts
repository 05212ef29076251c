/**
 * `evaluate` on generators made here (tiny seeded G_A per kept epoch plus epochs.json), held-out faces with
 * region maps and a "real" set, all generated in the test: epoch 1 is an identity generator (attention head
 * with zero kernel and a large background bias, so A10 ≈ 1 and the output is the input) — its KID equals the
 * rule-based baseline's (same faces, same real features, same subset draws), its NMC error is 0, and its
 * A10 is bias-only everywhere (collapse 1 in every phase); epoch 2 is a seeded random generator with
 * finite scores in range. Metrics carry the baseline and both epochs, the plots one row per epoch, the grid
 * one column per epoch; epochs that were not kept are refused by name.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { EpochRecord } from '../../src/gan/epochs-file.js';
import { createGeneratorWeights, disposeWeights } from '../../src/gan/generator.js';
import { exportGenerator } from '../../src/gan/generator-weights.js';
import { detectBackendKind, loadTensorflow } from '../../src/kit/tf-backend.js';
import { chooseEvaluated, evaluate } from '../../src/stages/evaluate.js';
import { runStageDirectly } from '../helpers/run-stage.js';
import { writeTinyGanData } from '../helpers/tiny-gan-data.js';

const tf = await loadTensorflow(detectBackendKind());
const SIZE = 32;

function record(epoch: number, kept = true): EpochRecord {
  return { epoch, phase: 'p', learningRate: 2e-4, kept, noise: null, losses: { g_total: 1 }, quality: {} };
}

const test = suite<{ root: string; generators: string; images: string; regions: string; real: string }>('evaluate');

test.before(async (context) => {
  context.root = await mkdtemp(join(tmpdir(), 'repro-evaluate-'));
  context.generators = join(context.root, 'generators');
  for (const epoch of [1, 2]) {
    const weights = createGeneratorWeights(tf, { ngf: 2, blocks: 1, seed: epoch, scope: `evaluate-fixture-${epoch}` });
    if (epoch === 1) {
      weights.deconv3Attention.kernel.assign(tf.zerosLike(weights.deconv3Attention.kernel));
      weights.deconv3Attention.bias.assign(tf.tensor1d([0, 0, 0, 0, 0, 0, 0, 0, 0, 40]));
    }
    await exportGenerator(tf, weights, join(context.generators, `epoch-000${epoch}`));
    disposeWeights(weights);
  }
  await writeFile(join(context.generators, 'epochs.json'), JSON.stringify({ network: { ngf: 2, blocks: 1, ndf: 2 }, epochs: [record(1), record(2), record(3, false)] }));
  const data = await writeTinyGanData(context.root, { size: SIZE, countA: 5, countB: 6 });
  context.images = data.domainA;
  context.real = data.domainB;
  context.regions = join(context.root, 'regions');
  await mkdir(context.regions);
  const region = Buffer.alloc(SIZE * SIZE);
  for (let y = SIZE / 2; y < SIZE; y += 1) for (let x = 4; x < SIZE - 4; x += 1) region[y * SIZE + x] = 255; // lower half: the mask
  for (const name of data.namesA) await writeFile(join(context.regions, name), await sharp(region, { raw: { width: SIZE, height: SIZE, channels: 1 } }).png().toBuffer());
});
test.after(async ({ root }) => rm(root, { recursive: true, force: true }));

test('identity generator scores the baseline KID, zero NMC error and full collapse; a random one scores in range', async ({ root, generators, images, regions, real }) => {
  const grid = join(root, 'grid.png');
  const result = await runStageDirectly(evaluate, { seed: 1, size: SIZE, kid: { subsets: 10, subsetSize: 5 }, batch: 2 }, { inputs: { generators, images, regions, real }, outputs: { grid } });
  const evaluation = result.metrics?.evaluation as Record<string, unknown> & { baseline: { kid: number; kidStd: number } };
  const first = evaluation['epoch-0001'] as Record<string, number>;
  const second = evaluation['epoch-0002'] as Record<string, number>;
  assert.is(evaluation.heldOut, 5);
  assert.is(evaluation.real, 6);
  assert.is(evaluation.kidSubsetSize, 5);
  assert.is(evaluation.epochs, '1,2');
  assert.ok(Number.isFinite(evaluation.baseline.kid), '~> baseline KID');
  assert.ok(Math.abs(first.kid! - evaluation.baseline.kid) < 1e-4, `~> identity KID ${first.kid} = baseline ${evaluation.baseline.kid}`);
  assert.ok(first.nmcError! < 1e-4, `~> identity NMC error ${first.nmcError}`);
  assert.equal([first.collapseDead, first.collapse00, first.collapse01, first.collapse10, first.collapse11], [1, 1, 1, 1, 1], '~> bias-only A10');
  for (const key of ['nmcError', 'attentionIoU', 'collapseDead']) assert.ok(second[key]! >= 0 && second[key]! <= 1, `~> epoch 2 ${key} ${second[key]} in [0, 1]`);
  assert.ok(Number.isFinite(second.kid), '~> epoch 2 KID');
  assert.ok(second.diversityInside === null || second.diversityInside! >= 0, '~> diversity');
  const kidRows = result.plots?.kid as Record<string, number>[];
  assert.equal(kidRows.map((r) => r.epoch), [1, 2], '~> one row per epoch');
  assert.ok(kidRows.every((r) => r.kidBaseline === evaluation.baseline.kid), '~> the baseline on every row');
  const meta = await sharp(grid).metadata();
  assert.is(meta.width, 3 * (SIZE + 2) + 2, '~> input + one column per epoch');
  // pasted inside the mask: the identity's faces are the inputs, so the warp's KID; epoch 2's differ from its raw outputs
  assert.ok(Math.abs(first.kidPasted! - evaluation.baseline.kid) < 1e-4, `~> identity pasted KID ${first.kidPasted} = baseline ${evaluation.baseline.kid}`);
  assert.ok(Number.isFinite(second.kidPasted) && second.kidPasted !== second.kid, `~> epoch 2 pasted KID ${second.kidPasted} vs raw ${second.kid}`);
  assert.ok(kidRows.every((r) => 'kidPasted' in r), '~> the pasted KID curve');
});

test('a mask grown over the whole face pastes every output pixel: the pasted KID is the raw one', async ({ root, generators, images, regions, real }) => {
  const result = await runStageDirectly(evaluate, { seed: 1, size: SIZE, kid: { subsets: 10, subsetSize: 5 }, batch: 2, pasteDilate: SIZE }, { inputs: { generators, images, regions, real }, outputs: { grid: join(root, 'grid-all.png') } });
  const second = (result.metrics?.evaluation as Record<string, Record<string, number>>)['epoch-0002']!;
  assert.is(second.kidPasted, second.kid, '~> the same faces, the same subset draws');
});

test('an epoch that was not kept is refused by name; no kept epoch at all is named', () => {
  assert.equal(chooseEvaluated('kept', [record(1), record(2, false), record(3)]).map((e) => e.epoch), [1, 3]);
  assert.throws(() => chooseEvaluated([2], [record(1), record(2, false)]), /expected epochs whose G_A progressive-train kept \(1\), received 2/);
  assert.throws(() => chooseEvaluated('kept', [record(1, false)]), /kept at least one G_A epoch, received none/);
});

test.run();
