/**
 * The training loop on a tiny config (ngf 4, 1 block, ndf 4, 32² seeded images, 2 phases of 2 epochs,
 * 4 items per epoch at batch 2, checkpoint every epoch): a run aborted after epoch 2 and restarted on the
 * same directory resumes from epoch 2 and gives the uninterrupted run's epoch 3 and 4 losses; the same seed
 * gives the same epoch losses; hooks see every iteration and epoch with the phase's learning rate; a
 * directory written by another config is refused; pretrained weights are applied; nothing leaks.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type * as tfjs from '@tensorflow/tfjs';
import { detectBackendKind, loadTensorflow } from '../../src/kit/tf-backend.js';
import { createGeneratorWeights, disposeWeights } from '../../src/gan/generator.js';
import { runTraining, type BatchSource, type IterationEvent, type TrainingOptions, type TrainingPhase } from '../../src/gan/trainer.js';
import type { EpochSummary } from '../../src/gan/training-state.js';

const tf = await loadTensorflow(detectBackendKind());

/** 6 seeded A images with keep maps and 5 B images; A shuffled per epoch, B drawn per item. */
function createSource(): BatchSource & { dispose(): void } {
  const a = tf.randomUniform([6, 32, 32, 3], -1, 1, 'float32', 51) as tfjs.Tensor4D;
  const b = tf.randomUniform([5, 32, 32, 3], -1, 1, 'float32', 52) as tfjs.Tensor4D;
  const keep = tf.tidy(() => tf.sub(1, tf.pad(tf.ones([6, 12, 12, 1]), [[0, 0], [12, 8], [10, 10], [0, 0]]))) as tfjs.Tensor4D;
  let order: number[] = [];
  return {
    itemsPerEpoch: () => 6,
    startEpoch({ rng, items }) {
      const shuffled = [0, 1, 2, 3, 4, 5];
      for (let i = shuffled.length - 1; i > 0; i -= 1) {
        const j = rng.int(i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      order = Array.from({ length: items }, (_, i) => shuffled[i % shuffled.length]!);
    },
    batch({ offset, size, rng }) {
      const ia = tf.tensor1d(order.slice(offset, offset + size), 'int32');
      const ib = tf.tensor1d(Array.from({ length: size }, () => rng.int(5)), 'int32');
      const batch = { a: tf.gather(a, ia), b: tf.gather(b, ib), keepA: tf.gather(keep, ia) };
      tf.dispose([ia, ib]);
      return batch;
    },
    dispose: () => tf.dispose([a, b, keep]),
  };
}

const phases: TrainingPhase[] = [
  { name: 'warm', epochs: 2, lr: { policy: 'constant', base: 2e-4, niter: 0, niterDecay: 0 }, batchSize: 2, itemsPerEpoch: 4,
    lambdas: { cycleA: 10, cycleB: 10, identity: 0.5, nmc: 0, nmcStartEpoch: 1, attention: 0 } },
  { name: 'nmc', epochs: 2, lr: { policy: 'linear', base: 2e-4, niter: 1, niterDecay: 1 }, batchSize: 2, itemsPerEpoch: 4,
    lambdas: { cycleA: 10, cycleB: 10, identity: 0, nmc: 10, nmcStartEpoch: 2, attention: 1 }, noise: { layers: ['c2'], position: 'postAct', sigma: 0.1 } },
];

function options(checkpointDir: string, source: BatchSource, extra: Partial<TrainingOptions> = {}): TrainingOptions {
  return { network: { ngf: 4, blocks: 1, ndf: 4 }, phases, seed: 7, poolSize: 3, batches: source, checkpointDir, ...extra };
}

const losses = (history: readonly EpochSummary[]) => history.map((e) => e.losses);

// ---
const runSuite = suite('runTraining');

let source: ReturnType<typeof createSource>;
let root: string;
let uninterrupted: readonly EpochSummary[];
const iterations: IterationEvent[] = [];
const epochEnds: number[] = [];

runSuite.before(async () => {
  source = createSource();
  root = await mkdtemp(join(tmpdir(), 'repro-trainer-'));
});

runSuite.after(async () => {
  source.dispose();
  await rm(root, { recursive: true, force: true });
});

runSuite('~> an uninterrupted run: 4 epochs, a checkpoint per epoch, hooks, no leak', async () => {
  const before = tf.memory().numTensors;
  const result = await runTraining(tf, options(join(root, 'full'), source, {
    onIteration: (event) => iterations.push(event),
    onEpochEnd: (event) => {
      epochEnds.push(event.globalEpoch);
      assert.is(event.models.gA.config.scope, 'G_A', '~> live models in the hook');
    },
  }));
  uninterrupted = result.history;
  assert.is(tf.memory().numTensors, before, '~> numTensors unchanged');
  assert.equal(epochEnds, [1, 2, 3, 4], '~> onEpochEnd per epoch');
  assert.is(iterations.length, 8, '~> 2 iterations per epoch');
  assert.equal(iterations.slice(0, 2).map((e) => [e.globalEpoch, e.iteration, e.of, e.globalStep]), [[1, 1, 2, 1], [1, 2, 2, 2]], '~> iteration events');
  assert.equal((await readdir(join(root, 'full'))).sort(), ['epoch-0001', 'epoch-0002', 'epoch-0003', 'epoch-0004'], '~> checkpoints');
  assert.equal(uninterrupted.map((e) => [e.phase, e.epochInPhase, e.learningRate]), [['warm', 0, 2e-4], ['warm', 1, 2e-4], ['nmc', 0, 2e-4], ['nmc', 1, 1e-4]], '~> phases and lr');
  assert.ok(uninterrupted.every((e) => Object.values(e.losses).every(Number.isFinite)), '~> finite losses');
  assert.is(uninterrupted[0]!.losses.idtA > 0 && uninterrupted[2]!.losses.idtA === 0, true, '~> identity off in phase 2');
  assert.is(result.resumedFrom, undefined, '~> fresh run');
});

runSuite('~> aborted after epoch 2, resumed: epochs 3 and 4 match the uninterrupted run', async () => {
  const dir = join(root, 'resumed');
  const controller = new AbortController();
  let error: unknown;
  await runTraining(tf, options(dir, source, {
    signal: controller.signal,
    onEpochEnd: ({ globalEpoch }) => { if (globalEpoch === 2) controller.abort(new Error('stop after epoch 2')); },
  })).catch((e: unknown) => { error = e; });
  assert.match(String(error), /stop after epoch 2/, '~> throws the signal reason');
  assert.equal((await readdir(dir)).sort(), ['epoch-0001', 'epoch-0002'], '~> two checkpoints, no temp dirs');

  const logs: string[] = [];
  const before = tf.memory().numTensors;
  const result = await runTraining(tf, options(dir, source, { log: (m) => logs.push(m) }));
  assert.is(tf.memory().numTensors, before, '~> numTensors unchanged');
  assert.is(result.resumedFrom, 2, '~> resumed from epoch 2');
  assert.match(logs.join('\n'), /resumed from '.*epoch-0002': 2 of 4 epochs done, step 4/, '~> logged');
  assert.equal(result.history.map((e) => e.globalEpoch), [1, 2, 3, 4], '~> full history');
  assert.equal(losses(result.history.slice(0, 2)), losses(uninterrupted.slice(0, 2)), '~> same seed: identical epoch 1 and 2 losses');
  for (const epoch of [2, 3]) {
    for (const [key, value] of Object.entries(uninterrupted[epoch]!.losses)) {
      const resumed = result.history[epoch]!.losses[key as keyof typeof uninterrupted[0]['losses']];
      assert.ok(Math.abs(resumed - value) <= 1e-5 * Math.max(Math.abs(value), 1e-12), `~> epoch ${epoch + 1} ${key}: ${resumed} vs ${value}`);
    }
  }
});

runSuite('~> a finished run restarted does nothing more', async () => {
  const result = await runTraining(tf, options(join(root, 'full'), source));
  assert.is(result.resumedFrom, 4);
  assert.equal(losses(result.history), losses(uninterrupted));
});

runSuite('~> refuses a checkpoint directory written by another config', async () => {
  let message = '';
  await runTraining(tf, options(join(root, 'full'), source, { seed: 8 })).catch((e: Error) => { message = e.message; });
  assert.match(message, /expected config hash .* received .*another config/);
});

runSuite('~> applies pretrained generator weights, keeping the init where shapes differ', async () => {
  const pretrained = createGeneratorWeights(tf, { ngf: 4, blocks: 1, seed: 99, scope: 'pretrained' });
  const named = new Map<string, tfjs.Tensor>(pretrained.variables.map((v) => [v.name.slice('pretrained/'.length), v]));
  const geo = tf.zeros([30]);
  named.set('deconv3_content/bias', geo);
  const logs: string[] = [];
  let conv1: number[] = [];
  try {
    await runTraining(tf, options(join(root, 'init'), source, {
      phases: [{ ...phases[0]!, epochs: 1, itemsPerEpoch: 2, lr: { policy: 'constant', base: 0, niter: 0, niterDecay: 0 } }],
      initialGenerators: { gA: named },
      log: (m) => logs.push(m),
      onEpochEnd: ({ models }) => { conv1 = Array.from(models.gA.conv1.kernel.dataSync()); },
    }));
    assert.equal(conv1, Array.from(pretrained.conv1.kernel.dataSync()), '~> G_A conv1 is the pretrained one (lr 0)');
    assert.match(logs.join('\n'), /G_A: loaded 20 pretrained tensors, kept the seeded init for deconv3_content\/kernel, deconv3_content\/bias/);
  } finally {
    geo.dispose();
    disposeWeights(pretrained);
  }
});

runSuite('~> rejects malformed phases', async () => {
  let message = '';
  await runTraining(tf, options(join(root, 'bad'), source, { phases: [{ ...phases[0]!, batchSize: 0 }] })).catch((e: Error) => { message = e.message; });
  assert.match(message, /phase 'warm' batchSize expected an integer >= 1, received 0/);
});

runSuite.run();
