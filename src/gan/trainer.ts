/**
 * The AttentionGAN training loop over a list of phases (MODEL.md §2.3–2.5, §2.7). Each phase has its own
 * epochs, learning-rate schedule, loss weights, noise and batch size, and continues from the previous
 * phase's full state: the same networks, Adam moments, image pools and rng. Batches come from a
 * caller-provided `BatchSource` that is handed the trainer's rng for every draw (shuffles, crops, flips), so
 * the batch sequence is part of the checkpointed state. After each epoch the `onEpochEnd` hook runs (for
 * samples and metrics) and then, every `checkpointEvery` epochs and after the last one, the full state is
 * saved to `checkpointDir/epoch-NNNN/` (global epoch, 1-based). On start the latest complete checkpoint is
 * loaded, if any, and training continues after it, giving the same losses as an uninterrupted run. The
 * abort signal is checked before every epoch and iteration; its reason is thrown. Every network, optimiser
 * and pool is created here and disposed before returning.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../kit/tf-backend.js';
import { createRng, deriveSeed, restoreRng, type Rng, type StatefulRng } from '../kit/prng.js';
import { createImagePool, DEFAULT_POOL_SIZE } from './image-pool.js';
import { assertNoiseSpec, type NoiseSpec } from './noise.js';
import { createGanOptimizers, disposeGanOptimizers, setLearningRate } from './optimizers.js';
import { assertSchedule, learningRateAt, type LrSchedule } from './schedule.js';
import {
  createGanModels, disposeGanModels, LOSS_KEYS, trainStep,
  type GanModels, type GanPools, type NetworkConfig, type StepLambdas, type StepLosses, type TrainingBatch,
} from './train-step.js';
import {
  checkpointName, findLatestCheckpoint, hashConfig, loadTrainingState, saveTrainingState,
  type EpochSummary, type TrainingCounters,
} from './training-state.js';
import { transferGeneratorWeights } from './generator-weights.js';
import { ATTENTION_ACTIVATIONS, CONTENT_MODES, UPSAMPLES } from './generator.js';

/** Loss weights of a phase. */
export interface PhaseLambdas extends StepLambdas {
  /** 1-based epoch of the phase from which λNMC applies (1 = from its first epoch). @default 1 */
  readonly nmcStartEpoch: number;
}

/** One phase of training. */
export interface TrainingPhase {
  /** Label for logs and history. */
  readonly name: string;
  /** Epochs in this phase. */
  readonly epochs: number;
  /** Learning rate per epoch of this phase (epochs counted from 0 within the phase). */
  readonly lr: LrSchedule;
  readonly lambdas: PhaseLambdas;
  /** Noise on both generators' content branches while training. */
  readonly noise?: NoiseSpec | undefined;
  /** Items per batch; the epoch's last batch may be smaller. */
  readonly batchSize: number;
  /** Items per epoch; @default the batch source's `itemsPerEpoch` (the reference: max(|A|, |B|)). */
  readonly itemsPerEpoch?: number | undefined;
}

/** The epoch a batch source is asked about. */
export interface EpochContext {
  readonly phaseIndex: number;
  readonly phase: TrainingPhase;
  /** 0-based within the phase. */
  readonly epochInPhase: number;
  /** 1-based over all phases. */
  readonly globalEpoch: number;
  /** Items in this epoch. */
  readonly items: number;
  /** The trainer's rng: draw every random choice from it (and nothing else), so resumes are exact. */
  readonly rng: Rng;
}

/** One batch to produce: items [offset, offset + size) of the epoch. */
export interface BatchRequest extends EpochContext {
  /** 0-based within the epoch. */
  readonly iteration: number;
  readonly offset: number;
  readonly size: number;
}

/**
 * Where training data comes from. It must depend only on its arguments and the rng draws: anything it keeps
 * between epochs is not checkpointed (per-epoch state set up in `startEpoch` is fine, because checkpoints
 * fall on epoch boundaries). The trainer disposes the tensors of every batch it receives.
 */
export interface BatchSource {
  /** Items in one epoch of a phase when the phase does not set `itemsPerEpoch`. */
  itemsPerEpoch(phaseIndex: number, phase: TrainingPhase): number;
  /** Called at the start of every epoch, before its first batch (shuffle here). */
  startEpoch?(context: EpochContext): void | Promise<void>;
  /** The batch for `request`: a [size, H, W, 3], b [size, H, W, 3], keepA [size, H, W, 1] when available. */
  batch(request: BatchRequest): TrainingBatch | Promise<TrainingBatch>;
}

/** Progress after one iteration. */
export interface IterationEvent {
  readonly globalEpoch: number;
  readonly phaseIndex: number;
  readonly epochInPhase: number;
  /** 1-based within the epoch. */
  readonly iteration: number;
  /** Iterations in the epoch. */
  readonly of: number;
  /** Iterations completed over the run. */
  readonly globalStep: number;
  readonly losses: StepLosses;
}

/** A completed epoch, with the live networks (valid only during the hook). */
export interface EpochEndEvent extends EpochSummary {
  readonly models: GanModels;
  /** Every completed epoch so far, including those before a resume. */
  readonly history: readonly EpochSummary[];
}

/** Everything a training run needs. */
export interface TrainingOptions {
  readonly network: NetworkConfig;
  readonly phases: readonly TrainingPhase[];
  /** Seeds the networks, pools, batch rng and noise. */
  readonly seed: number;
  /** Images per history pool. @default 50 */
  readonly poolSize?: number | undefined;
  readonly batches: BatchSource;
  /** Checkpoints go to `<checkpointDir>/epoch-NNNN/`; an existing latest one is resumed. */
  readonly checkpointDir: string;
  /** Save every N epochs (and always after the last). @default 1 */
  readonly checkpointEvery?: number | undefined;
  /** Keep only the newest N checkpoints. @default all */
  readonly keepCheckpoints?: number | undefined;
  /** Pretrained generator weights by scope-free name; what does not fit keeps its seeded init. Ignored on resume. */
  readonly initialGenerators?: { readonly gA?: ReadonlyMap<string, tfjs.Tensor> | undefined; readonly gB?: ReadonlyMap<string, tfjs.Tensor> | undefined } | undefined;
  /** Extra JSON folded into the config hash (e.g. a data or init-weights fingerprint). */
  readonly configExtra?: unknown;
  readonly signal?: AbortSignal | undefined;
  readonly onIteration?: ((event: IterationEvent) => void) | undefined;
  readonly onEpochEnd?: ((event: EpochEndEvent) => void | Promise<void>) | undefined;
  readonly log?: ((message: string) => void) | undefined;
}

/** How a run ended. */
export interface TrainingResult {
  /** Every epoch of the run, resumed ones included. */
  readonly history: readonly EpochSummary[];
  /** The checkpoint epoch the run resumed from, if any. */
  readonly resumedFrom: number | undefined;
  /** The newest checkpoint directory. */
  readonly lastCheckpoint: string | undefined;
  readonly configHash: string;
}

/** Trains all phases, resuming from the latest checkpoint in `checkpointDir` when there is one. */
export async function runTraining(tf: Tf, options: TrainingOptions): Promise<TrainingResult> {
  assertOptions(options);
  const { phases, seed, signal } = options;
  const log = options.log ?? (() => undefined);
  const poolSize = options.poolSize ?? DEFAULT_POOL_SIZE;
  const every = options.checkpointEvery ?? 1;
  const totalEpochs = phases.reduce((sum, phase) => sum + phase.epochs, 0);
  const configHash = hashConfig({ network: options.network, phases, seed, poolSize, extra: options.configExtra ?? null });
  signal?.throwIfAborted();

  const models = createGanModels(tf, options.network, seed);
  const optimizers = createGanOptimizers(tf);
  let pools: GanPools = {
    fakeA: createImagePool(tf, poolSize, deriveSeed(seed, 'pool', 'fakeA')),
    fakeB: createImagePool(tf, poolSize, deriveSeed(seed, 'pool', 'fakeB')),
  };
  try {
    let rng: StatefulRng = createRng(deriveSeed(seed, 'batches'));
    let counters: TrainingCounters = { globalEpoch: 0, phaseIndex: 0, epochInPhase: 0, globalStep: 0 };
    const history: EpochSummary[] = [];
    const latest = await findLatestCheckpoint(options.checkpointDir);
    if (latest !== undefined) {
      const loaded = await loadTrainingState(tf, latest.dir, { models, optimizers, configHash });
      pools.fakeA.dispose();
      pools.fakeB.dispose();
      pools = loaded.pools;
      rng = restoreRng(loaded.rngState);
      counters = loaded.counters;
      history.push(...loaded.history);
      log(`resumed from '${latest.dir}': ${counters.globalEpoch} of ${totalEpochs} epochs done, step ${counters.globalStep}`);
    } else {
      applyInitialGenerators(tf, models, options, log);
    }

    let { globalEpoch, globalStep } = counters;
    let lastCheckpoint = latest?.dir;
    let firstOfPhase = 0;
    for (const [phaseIndex, phase] of phases.entries()) {
      for (let epochInPhase = 0; epochInPhase < phase.epochs; epochInPhase += 1) {
        if (firstOfPhase + epochInPhase < globalEpoch) continue;            // done before the resume
        signal?.throwIfAborted();
        const learningRate = learningRateAt(phase.lr, epochInPhase);
        setLearningRate(optimizers.g, learningRate);
        setLearningRate(optimizers.d, learningRate);
        const lambdas: StepLambdas = {
          ...phase.lambdas, nmc: epochInPhase + 1 >= phase.lambdas.nmcStartEpoch ? phase.lambdas.nmc : 0,
        };
        const items = phase.itemsPerEpoch ?? options.batches.itemsPerEpoch(phaseIndex, phase);
        assertCount(`phase '${phase.name}' items per epoch`, items);
        const context: EpochContext = { phaseIndex, phase, epochInPhase, globalEpoch: globalEpoch + 1, items, rng };
        await options.batches.startEpoch?.(context);

        const iterations = Math.ceil(items / phase.batchSize);
        const sums = Object.fromEntries(LOSS_KEYS.map((key) => [key, 0])) as Record<keyof StepLosses, number>;
        for (let iteration = 0; iteration < iterations; iteration += 1) {
          signal?.throwIfAborted();
          const offset = iteration * phase.batchSize;
          const batch = await options.batches.batch({ ...context, iteration, offset, size: Math.min(phase.batchSize, items - offset) });
          let losses: StepLosses;
          try {
            losses = trainStep(tf, models, optimizers, pools, batch, { lambdas, noise: phase.noise, seed, globalStep });
          } finally {
            tf.dispose([batch.a, batch.b, ...(batch.keepA === undefined ? [] : [batch.keepA])]);
          }
          globalStep += 1;
          for (const key of LOSS_KEYS) sums[key] += losses[key];
          options.onIteration?.({ globalEpoch: globalEpoch + 1, phaseIndex, epochInPhase, iteration: iteration + 1, of: iterations, globalStep, losses });
        }

        globalEpoch += 1;
        const summary: EpochSummary = {
          globalEpoch, phaseIndex, phase: phase.name, epochInPhase, learningRate,
          losses: Object.fromEntries(LOSS_KEYS.map((key) => [key, sums[key] / iterations])) as unknown as StepLosses,
        };
        history.push(summary);
        await options.onEpochEnd?.({ ...summary, models, history });

        if (globalEpoch % every === 0 || globalEpoch === totalEpochs) {
          const dir = join(options.checkpointDir, checkpointName(globalEpoch));
          await saveTrainingState(tf, dir, {
            models, optimizers, pools, rngState: rng.getState(), configHash, history,
            counters: { globalEpoch, phaseIndex, epochInPhase: epochInPhase + 1, globalStep },
          });
          lastCheckpoint = dir;
          if (options.keepCheckpoints !== undefined) await pruneCheckpoints(options.checkpointDir, options.keepCheckpoints);
        }
      }
      firstOfPhase += phase.epochs;
    }
    return { history, resumedFrom: latest?.globalEpoch, lastCheckpoint, configHash };
  } finally {
    pools.fakeA.dispose();
    pools.fakeB.dispose();
    disposeGanOptimizers(optimizers);
    disposeGanModels(models);
  }
}

/** Loads pretrained generator weights where they fit and logs what was kept at its seeded init. */
function applyInitialGenerators(tf: Tf, models: GanModels, options: TrainingOptions, log: (message: string) => void): void {
  for (const key of ['gA', 'gB'] as const) {
    const source = options.initialGenerators?.[key];
    if (source === undefined) continue;
    const { loaded, reinitialised, unused } = transferGeneratorWeights(tf, models[key], source);
    const name = key === 'gA' ? 'G_A' : 'G_B';
    log(`${name}: loaded ${loaded.length} pretrained tensors${reinitialised.length > 0 ? `, kept the seeded init for ${reinitialised.join(', ')}` : ''}${unused.length > 0 ? `, ignored ${unused.join(', ')}` : ''}`);
  }
}

/** Removes all but the newest `keep` checkpoints. */
async function pruneCheckpoints(root: string, keep: number): Promise<void> {
  const names = (await readdir(root)).filter((name) => /^epoch-\d{4,}$/.test(name)).sort((a, b) => Number(b.slice(6)) - Number(a.slice(6)));
  for (const name of names.slice(keep)) await rm(join(root, name), { recursive: true, force: true });
}

function assertOptions(options: TrainingOptions): void {
  if (options.phases.length === 0) throw new RangeError('runTraining expected at least one phase, received none');
  for (const key of ['ngf', 'blocks', 'ndf'] as const) assertCount(`network '${key}'`, options.network[key], key === 'blocks' ? 0 : 1);
  if (options.network.upsample !== undefined && !(UPSAMPLES as readonly string[]).includes(options.network.upsample)) {
    throw new RangeError(`network 'upsample' expected one of ${UPSAMPLES.map((u) => `'${u}'`).join(', ')}, received '${String(options.network.upsample)}'`);
  }
  if (options.network.attentionActivation !== undefined && !(ATTENTION_ACTIVATIONS as readonly string[]).includes(options.network.attentionActivation)) {
    throw new RangeError(`network 'attentionActivation' expected one of ${ATTENTION_ACTIVATIONS.map((u) => `'${u}'`).join(', ')}, received '${String(options.network.attentionActivation)}'`);
  }
  if (options.network.content !== undefined && !(CONTENT_MODES as readonly string[]).includes(options.network.content)) {
    throw new RangeError(`network 'content' expected one of ${CONTENT_MODES.map((u) => `'${u}'`).join(', ')}, received '${String(options.network.content)}'`);
  }
  const prior = options.network.attentionPrior;
  if (prior !== undefined && !(prior > 0 && prior < 1)) throw new RangeError(`network 'attentionPrior' expected a share between 0 and 1 (exclusive), received ${String(prior)}`);
  assertCount('poolSize', options.poolSize ?? DEFAULT_POOL_SIZE, 0);
  assertCount('checkpointEvery', options.checkpointEvery ?? 1);
  if (options.keepCheckpoints !== undefined) assertCount('keepCheckpoints', options.keepCheckpoints);
  for (const phase of options.phases) {
    const label = `phase '${phase.name}'`;
    assertCount(`${label} epochs`, phase.epochs);
    assertCount(`${label} batchSize`, phase.batchSize);
    if (phase.itemsPerEpoch !== undefined) assertCount(`${label} itemsPerEpoch`, phase.itemsPerEpoch);
    assertCount(`${label} lambdas.nmcStartEpoch`, phase.lambdas.nmcStartEpoch);
    for (const key of ['cycleA', 'cycleB', 'identity', 'nmc', 'attention'] as const) {
      const value = phase.lambdas[key];
      if (!Number.isFinite(value) || value < 0) throw new RangeError(`${label} lambdas.${key} expected a finite number >= 0, received ${String(value)}`);
    }
    assertSchedule(phase.lr);
    if (phase.noise !== undefined) assertNoiseSpec(phase.noise);
  }
}

function assertCount(label: string, value: number, min = 1): void {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${label} expected an integer >= ${min}, received ${String(value)}`);
}
