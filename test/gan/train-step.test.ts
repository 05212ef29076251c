/**
 * One training iteration on a tiny setup (ngf 4, 1 block, ndf 4, 32² images, batch 2): every loss term is a
 * finite number and g_total is their weighted sum; identity is skipped at λidt = 0 and NMC/attention need
 * keep maps; after a warm-up step the tensor count stays unchanged; the same seeds give identical first
 * losses and another seed gives others; noise makes the step depend on the step's noise seed; the fused
 * training units give the losses of the composed ops they replace, with 'residual' content too.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type * as tfjs from '@tensorflow/tfjs';
import { detectBackendKind, loadTensorflow } from '../../src/kit/tf-backend.js';
import { createImagePool } from '../../src/gan/image-pool.js';
import { createGanOptimizers, disposeGanOptimizers } from '../../src/gan/optimizers.js';
import {
  createGanModels, disposeGanModels, REFERENCE_LAMBDAS, trainStep, type GanPools, type NetworkConfig, type StepLambdas, type StepLosses, type TrainingBatch,
} from '../../src/gan/train-step.js';
import type { NoiseSpec } from '../../src/gan/noise.js';

const tf = await loadTensorflow(detectBackendKind());

/** A seeded batch: a, b in [−1, 1) and a keep map whose centre square is the mask. */
function makeBatch(seed: number): Required<TrainingBatch> {
  return tf.tidy(() => {
    const a = tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', seed) as tfjs.Tensor4D;
    const b = tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', seed + 1) as tfjs.Tensor4D;
    const mask = tf.pad(tf.ones([2, 12, 12, 1]), [[0, 0], [10, 10], [10, 10], [0, 0]]);
    return { a, b, keepA: tf.sub(1, mask) as tfjs.Tensor4D };
  });
}

interface Run {
  losses: StepLosses[];
  numTensors: number[];
}

/** Fresh networks, optimisers and pools; `steps` iterations on one batch; everything disposed after. */
function train(options: { seed: number; steps: number; lambdas?: StepLambdas; noise?: NoiseSpec; withKeep?: boolean; poolSize?: number; units?: 'fused' | 'taped'; network?: Partial<NetworkConfig> }): Run {
  const models = createGanModels(tf, { ngf: 4, blocks: 1, ndf: 4, ...options.network }, options.seed);
  const optimizers = createGanOptimizers(tf);
  const pools: GanPools = { fakeA: createImagePool(tf, options.poolSize ?? 2, 1), fakeB: createImagePool(tf, options.poolSize ?? 2, 2) };
  const batch = makeBatch(100);
  const input: TrainingBatch = options.withKeep === false ? { a: batch.a, b: batch.b } : batch;
  const run: Run = { losses: [], numTensors: [] };
  try {
    for (let step = 0; step < options.steps; step += 1) {
      run.losses.push(trainStep(tf, models, optimizers, pools, input, {
        lambdas: options.lambdas ?? REFERENCE_LAMBDAS, noise: options.noise, seed: options.seed, globalStep: step, units: options.units,
      }));
      run.numTensors.push(tf.memory().numTensors);
    }
  } finally {
    tf.dispose(Object.values(batch));
    pools.fakeA.dispose();
    pools.fakeB.dispose();
    disposeGanOptimizers(optimizers);
    disposeGanModels(models);
  }
  return run;
}

// ---
const stepSuite = suite('trainStep');

stepSuite('~> every term finite; g_total is the weighted sum', () => {
  const lambdas: StepLambdas = { cycleA: 10, cycleB: 8, identity: 0.5, nmc: 3, attention: 2 };
  const [l] = train({ seed: 1, steps: 1, lambdas }).losses;
  assert.ok(l !== undefined && Object.values(l).every(Number.isFinite), '~> finite');
  const sum = l!.gA_gan + l!.gB_gan + 10 * l!.cycleA + 8 * l!.cycleB + 8 * 0.5 * l!.idtA + 10 * 0.5 * l!.idtB + 3 * l!.nmc + 2 * l!.attention;
  assert.ok(Math.abs(sum - l!.g_total) < 1e-4 * Math.abs(sum), `~> g_total ${l!.g_total} vs ${sum}`);
  assert.ok(l!.idtA > 0 && l!.idtB > 0 && l!.nmc > 0 && l!.attention > 0 && l!.dA > 0 && l!.dB > 0, '~> active terms are positive');
});

stepSuite('~> the fused units train like the composed ops: same losses over 3 steps (1e-4), with noise, NMC and attention', () => {
  // the composed ops need the backend's Conv2DBackpropFilter, which wasm lacks (the fused units do without it)
  if (tf.getKernel('Conv2DBackpropFilter', tf.getBackend()) === undefined) return;
  const options = { seed: 3, steps: 3, lambdas: { ...REFERENCE_LAMBDAS, nmc: 10, attention: 1 }, noise: { layers: ['c1', 'c2'], position: 'preNorm', sigma: 0.1 } as NoiseSpec };
  const fused = train({ ...options, units: 'fused' }).losses;
  const taped = train({ ...options, units: 'taped' }).losses;
  fused.forEach((losses, step) => {
    for (const [key, value] of Object.entries(losses)) {
      const reference = taped[step]![key as keyof StepLosses];
      assert.ok(Math.abs(value - reference) <= 1e-4 * Math.max(1, Math.abs(reference)), `~> step ${step} ${key}: ${value} vs ${reference}`);
    }
  });
});

stepSuite("~> 'residual' content (resize-conv, leaky attention, prior 0.5) trains: fused equals composed over 3 steps, no tensor leaks, other losses than 'direct'", () => {
  if (tf.getKernel('Conv2DBackpropFilter', tf.getBackend()) === undefined) return;
  const network: Partial<NetworkConfig> = { upsample: 'resize-conv', attentionActivation: 'leaky-relu', attentionPrior: 0.5 };
  const options = { seed: 4, steps: 3, lambdas: { ...REFERENCE_LAMBDAS, nmc: 10, attention: 1 }, noise: { layers: ['c1', 'c2'], position: 'postAct', sigma: 0.1 } as NoiseSpec };
  const before = tf.memory().numTensors;
  const fused = train({ ...options, units: 'fused', network: { ...network, content: 'residual' } });
  assert.is(tf.memory().numTensors, before, '~> all freed after disposal');
  assert.is(fused.numTensors[2], fused.numTensors[1], '~> no growth after the warm-up step');
  const taped = train({ ...options, units: 'taped', network: { ...network, content: 'residual' } }).losses;
  fused.losses.forEach((losses, step) => {
    for (const [key, value] of Object.entries(losses)) {
      assert.ok(Number.isFinite(value), `~> step ${step} ${key} finite`);
      const reference = taped[step]![key as keyof StepLosses];
      assert.ok(Math.abs(value - reference) <= 1e-4 * Math.max(1, Math.abs(reference)), `~> step ${step} ${key}: ${value} vs ${reference}`);
    }
  });
  const direct = train({ ...options, units: 'fused', network: { ...network, content: 'direct' } }).losses;
  assert.ok(Math.abs(direct[0]!.idtA - fused.losses[0]!.idtA) > 1e-3, `~> identity loss differs: ${direct[0]!.idtA} vs ${fused.losses[0]!.idtA}`);
});

stepSuite('~> identity skipped at λidt = 0; NMC and attention 0 without keep maps', () => {
  const [l] = train({ seed: 1, steps: 1, lambdas: { ...REFERENCE_LAMBDAS, identity: 0, nmc: 10 }, withKeep: false }).losses;
  assert.is(l!.idtA, 0, '~> idtA');
  assert.is(l!.idtB, 0, '~> idtB');
  assert.is(l!.nmc, 0, '~> nmc');
  assert.is(l!.attention, 0, '~> attention');
});

stepSuite('~> leaks no tensors after a warm-up step', () => {
  const before = tf.memory().numTensors;
  const { numTensors } = train({ seed: 2, steps: 3, lambdas: { ...REFERENCE_LAMBDAS, nmc: 10, attention: 1 }, noise: { layers: ['c1', 'c2'], position: 'postAct', sigma: 0.1 } });
  assert.is(numTensors[1], numTensors[0], '~> step 2');
  assert.is(numTensors[2], numTensors[0], '~> step 3');
  assert.is(tf.memory().numTensors, before, '~> all freed after disposal');
});

stepSuite('~> same seed gives identical first losses, another seed others', () => {
  const first = train({ seed: 5, steps: 2 }).losses;
  const again = train({ seed: 5, steps: 2 }).losses;
  const other = train({ seed: 6, steps: 1 }).losses;
  assert.equal(again, first, '~> identical, both steps');
  assert.not.equal(other[0], first[0], '~> other seed');
});

stepSuite('~> noise enters the generator passes, seeded by the run seed', () => {
  const noise: NoiseSpec = { layers: ['c2'], position: 'postAct', sigma: 0.5 };
  const plain = train({ seed: 5, steps: 1 }).losses[0]!;
  const noisy = train({ seed: 5, steps: 1, noise }).losses[0]!;
  const again = train({ seed: 5, steps: 1, noise }).losses[0]!;
  assert.not.equal(noisy, plain, '~> noise changes the losses');
  assert.equal(again, noisy, '~> and is reproducible');
});

stepSuite('~> rejects a keep map that does not match a', () => {
  assert.throws(() => {
    const models = createGanModels(tf, { ngf: 4, blocks: 1, ndf: 4 }, 1);
    const optimizers = createGanOptimizers(tf);
    const pools: GanPools = { fakeA: createImagePool(tf, 0, 1), fakeB: createImagePool(tf, 0, 2) };
    const batch = makeBatch(1);
    const keepA = tf.ones([2, 16, 16, 1]) as tfjs.Tensor4D;
    try {
      trainStep(tf, models, optimizers, pools, { a: batch.a, b: batch.b, keepA }, { lambdas: REFERENCE_LAMBDAS, seed: 1, globalStep: 0 });
    } finally {
      tf.dispose([keepA, ...Object.values(batch)]);
      disposeGanOptimizers(optimizers);
      disposeGanModels(models);
    }
  }, /expected keepA \[2, 32, 32, 1\] matching a, received \[2, 16, 16, 1\]/);
});

stepSuite.run();
