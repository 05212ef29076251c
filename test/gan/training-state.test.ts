/**
 * Checkpoints: a saved state loaded into fresh networks (other seed) continues training with exactly the
 * losses of the original run, so weights, Adam moments and β powers, pools and rng states all round-trip;
 * a checkpoint from another config is refused; the latest complete checkpoint is found and temp or
 * incomplete dirs are ignored; nothing leaks.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type * as tfjs from '@tensorflow/tfjs';
import { detectBackendKind, loadTensorflow } from '../../src/kit/tf-backend.js';
import { createGeneratorWeights, disposeWeights } from '../../src/gan/generator.js';
import { createImagePool } from '../../src/gan/image-pool.js';
import { createGanOptimizers, disposeGanOptimizers, type GanOptimizers } from '../../src/gan/optimizers.js';
import {
  createGanModels, disposeGanModels, REFERENCE_LAMBDAS, trainStep, type GanModels, type GanPools, type StepLosses,
} from '../../src/gan/train-step.js';
import {
  checkpointName, findLatestCheckpoint, hashConfig, loadTrainingState, saveTrainingState, STATE_FILE, TENSORS_FILE,
} from '../../src/gan/training-state.js';
import { createRng } from '../../src/kit/prng.js';

const tf = await loadTensorflow(detectBackendKind());

const lambdas = { ...REFERENCE_LAMBDAS, nmc: 5 };

/** A fixed batch of 2 images of 32² with a keep map. */
function makeBatch() {
  return tf.tidy(() => ({
    a: tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 31) as tfjs.Tensor4D,
    b: tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 32) as tfjs.Tensor4D,
    keepA: tf.sub(1, tf.pad(tf.ones([2, 16, 16, 1]), [[0, 0], [8, 8], [8, 8], [0, 0]])) as tfjs.Tensor4D,
  }));
}

interface Setup {
  models: GanModels;
  optimizers: GanOptimizers;
  pools: GanPools;
}

function createSetup(seed: number): Setup {
  return {
    models: createGanModels(tf, { ngf: 4, blocks: 1, ndf: 4 }, seed),
    optimizers: createGanOptimizers(tf),
    pools: { fakeA: createImagePool(tf, 3, 41), fakeB: createImagePool(tf, 3, 42) },
  };
}

function disposeSetup(setup: Setup): void {
  setup.pools.fakeA.dispose();
  setup.pools.fakeB.dispose();
  disposeGanOptimizers(setup.optimizers);
  disposeGanModels(setup.models);
}

function step(setup: Setup, batch: ReturnType<typeof makeBatch>, globalStep: number): StepLosses {
  return trainStep(tf, setup.models, setup.optimizers, setup.pools, batch, { lambdas, seed: 3, globalStep, noise: { layers: ['c2'], position: 'postAct', sigma: 0.1 } });
}

// ---
const stateSuite = suite('saveTrainingState / loadTrainingState');

stateSuite('~> a loaded state continues with exactly the original losses', async () => {
  const root = await mkdtemp(join(tmpdir(), 'repro-state-'));
  const batch = makeBatch();
  const baseline = tf.memory().numTensors;
  try {
    const original = createSetup(1);
    let continued: StepLosses[];
    try {
      step(original, batch, 0);
      step(original, batch, 1);                                  // pools of 3 now full (4 images each offered)
      const rng = createRng(99);
      rng.next();
      await saveTrainingState(tf, join(root, 'epoch-0001'), {
        ...original, rngState: rng.getState(), configHash: 'abc', history: [],
        counters: { globalEpoch: 1, phaseIndex: 0, epochInPhase: 1, globalStep: 2 },
      });
      continued = [step(original, batch, 2), step(original, batch, 3)];
      assert.equal((await readdir(root)).sort(), ['epoch-0001'], '~> no temp dir left');
    } finally {
      disposeSetup(original);
    }

    const fresh = createSetup(2);                                // other seed: every value must come from the file
    try {
      const loaded = await loadTrainingState(tf, join(root, 'epoch-0001'), { models: fresh.models, optimizers: fresh.optimizers, configHash: 'abc' });
      fresh.pools.fakeA.dispose();
      fresh.pools.fakeB.dispose();
      fresh.pools = loaded.pools;
      assert.equal(loaded.counters, { globalEpoch: 1, phaseIndex: 0, epochInPhase: 1, globalStep: 2 }, '~> counters');
      const rng = createRng(99);
      rng.next();
      assert.is(loaded.rngState, rng.getState(), '~> rng state');
      assert.is(loaded.pools.fakeA.count, 3, '~> pool images');
      assert.is(fresh.optimizers.g.iterations, 2, '~> optimizer iterations');
      assert.equal([step(fresh, batch, 2), step(fresh, batch, 3)], continued, '~> identical losses after the load');
    } finally {
      disposeSetup(fresh);
    }
    assert.is(tf.memory().numTensors, baseline, '~> no leaked tensors');
  } finally {
    tf.dispose(Object.values(batch));
    await rm(root, { recursive: true, force: true });
  }
});

stateSuite('~> refuses a checkpoint written by another config', async () => {
  const root = await mkdtemp(join(tmpdir(), 'repro-state-'));
  const setup = createSetup(1);
  try {
    const dir = join(root, checkpointName(1));
    await saveTrainingState(tf, dir, { ...setup, rngState: 1, configHash: hashConfig({ ngf: 4 }), history: [], counters: { globalEpoch: 1, phaseIndex: 0, epochInPhase: 1, globalStep: 0 } });
    const manifest = JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8')) as { manifest: { name: string }[] };
    assert.ok(manifest.manifest.some((e) => e.name === 'G_A/deconv3_content/kernel'), '~> manifest names the tensors');
    let message = '';
    await loadTrainingState(tf, dir, { models: setup.models, optimizers: setup.optimizers, configHash: hashConfig({ ngf: 8 }) }).catch((error: Error) => { message = error.message; });
    assert.match(message, /expected config hash '[0-9a-f]{16}' \(this run's config\), received '[0-9a-f]{16}'/);
  } finally {
    disposeSetup(setup);
    await rm(root, { recursive: true, force: true });
  }
});

stateSuite.run();

// ---
const findSuite = suite('findLatestCheckpoint');

findSuite('~> the highest complete epoch; temp and incomplete dirs ignored', async () => {
  const root = await mkdtemp(join(tmpdir(), 'repro-find-'));
  try {
    assert.is(await findLatestCheckpoint(join(root, 'missing')), undefined, '~> no dir');
    for (const name of ['epoch-0001', 'epoch-0002', 'epoch-0003.tmp-123', 'epoch-0004', 'notes']) await mkdir(join(root, name));
    for (const name of ['epoch-0001', 'epoch-0002', 'epoch-0003.tmp-123']) await writeFile(join(root, name, STATE_FILE), '{}');
    await writeFile(join(root, 'epoch-0004', TENSORS_FILE), '');   // no state.json: incomplete
    assert.equal(await findLatestCheckpoint(root), { dir: join(root, 'epoch-0002'), globalEpoch: 2 });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

findSuite.run();
