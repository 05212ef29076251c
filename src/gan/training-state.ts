/**
 * Checkpoints of a GAN training run, complete enough that a resumed run continues bit for bit: the weights
 * of G_A, G_B, D_A, D_B, both Adam optimisers' moments, iteration counts and β powers, both image pools'
 * stored images and rng states, the trainer's rng state, the epoch/phase/step counters, the loss history
 * and a hash of the config that produced them. A checkpoint is a directory holding `state.json` (counters,
 * rng states, a manifest of the tensors) and `tensors.bin` (the tensors' float32 values, little-endian, back
 * to back in manifest order; `tf.io.decodeWeights(bin, manifest)` reads it too). It is written into
 * `<dir>.tmp-<pid>` and renamed into place, so a directory named `epoch-NNNN` is always complete and
 * `findLatestCheckpoint` never sees a half-written one. A single generator for later stages is another
 * format, owned by `generator-weights.ts`.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../kit/tf-backend.js';
import { canonicalJson, formatJson } from '../kit/canonical-json.js';
import { restoreImagePool, type ImagePool } from './image-pool.js';
import { exportOptimizerState, importOptimizerState, type GanOptimizers, type OptimizerState } from './optimizers.js';
import { assignByName, readTensorFile, writeTensorFile, type TensorEntry } from './tensor-file.js';
import { discriminatorVariables, generatorVariables, type GanModels, type GanPools, type StepLosses } from './train-step.js';

export const STATE_FILE = 'state.json';
export const TENSORS_FILE = 'tensors.bin';
const STATE_FORMAT = 'repro-gan-training-state';
const CHECKPOINT_PATTERN = /^epoch-(\d{4,})$/;

/** Where a run stands after its last completed epoch. */
export interface TrainingCounters {
  /** Epochs completed over all phases; the checkpoint of epoch N is `epoch-000N`. */
  readonly globalEpoch: number;
  /** Phase of the last completed epoch. */
  readonly phaseIndex: number;
  /** Epochs completed within that phase. */
  readonly epochInPhase: number;
  /** Iterations completed over all phases. */
  readonly globalStep: number;
}

/** The record of one completed epoch. */
export interface EpochSummary {
  /** 1-based over all phases. */
  readonly globalEpoch: number;
  readonly phaseIndex: number;
  readonly phase: string;
  /** 0-based within the phase. */
  readonly epochInPhase: number;
  readonly learningRate: number;
  /** Mean of each loss term over the epoch's iterations. */
  readonly losses: StepLosses;
}

/** Everything a checkpoint holds, live. */
export interface TrainingState {
  readonly models: GanModels;
  readonly optimizers: GanOptimizers;
  readonly pools: GanPools;
  /** The trainer's rng (batch draws). */
  readonly rngState: number;
  readonly counters: TrainingCounters;
  readonly configHash: string;
  readonly history: readonly EpochSummary[];
}

/** What `loadTrainingState` restores besides the weights and optimisers it assigns in place. */
export interface LoadedTrainingState {
  readonly counters: TrainingCounters;
  readonly rngState: number;
  /** New pools holding the saved images; the caller disposes them. */
  readonly pools: GanPools;
  readonly history: readonly EpochSummary[];
}

interface StateFile {
  readonly format: typeof STATE_FORMAT;
  readonly version: 1;
  readonly configHash: string;
  readonly counters: TrainingCounters;
  readonly rngState: number;
  readonly pools: Record<keyof GanPools, { readonly size: number; readonly count: number; readonly rngState: number }>;
  readonly optimizers: Record<keyof GanOptimizers, { readonly iterations: number; readonly accBeta1: number; readonly accBeta2: number }>;
  readonly history: readonly EpochSummary[];
  readonly manifest: readonly TensorEntry[];
}

/** A short, stable hash of any JSON-able config (sorted keys). */
export function hashConfig(config: unknown): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 16);
}

/** The checkpoint directory name of a global epoch (1-based): `epoch-0003`. */
export function checkpointName(globalEpoch: number): string {
  return `epoch-${String(globalEpoch).padStart(4, '0')}`;
}

/** The latest complete checkpoint under `root` (temp dirs and dirs without state.json are ignored). */
export async function findLatestCheckpoint(root: string): Promise<{ readonly dir: string; readonly globalEpoch: number } | undefined> {
  const names = await readdir(root).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const epochs = names.flatMap((name) => {
    const match = CHECKPOINT_PATTERN.exec(name);
    return match === null ? [] : [{ dir: join(root, name), globalEpoch: Number(match[1]) }];
  }).sort((a, b) => b.globalEpoch - a.globalEpoch);
  for (const candidate of epochs) {
    if (await isFile(join(candidate.dir, STATE_FILE))) return candidate;
  }
  return undefined;
}

/** Writes the full state into `dir` atomically (via `<dir>.tmp-<pid>`), replacing an older one. */
export async function saveTrainingState(tf: Tf, dir: string, state: TrainingState): Promise<void> {
  const optimizerStates = { g: exportOptimizerState(tf, state.optimizers.g), d: exportOptimizerState(tf, state.optimizers.d) };
  const snapshots = { fakeA: state.pools.fakeA.snapshot(), fakeB: state.pools.fakeB.snapshot() };
  try {
    const named: { name: string; tensor: tfjs.Tensor }[] = [];
    for (const key of ['gA', 'gB', 'dA', 'dB'] as const) {
      for (const v of state.models[key].variables) named.push({ name: v.name, tensor: v });
    }
    for (const key of ['g', 'd'] as const) {
      for (const m of optimizerStates[key].moments) named.push({ name: `optimizer.${key}/${m.name}`, tensor: m.tensor });
    }
    for (const key of ['fakeA', 'fakeB'] as const) {
      const images = snapshots[key].images;
      if (images !== null) named.push({ name: `pool.${key}`, tensor: images });
    }
    const temp = `${dir}.tmp-${process.pid}`;
    await rm(temp, { recursive: true, force: true });
    await mkdir(temp, { recursive: true });
    try {
      const manifest = await writeTensorFile(join(temp, TENSORS_FILE), named);
      const file: StateFile = {
        format: STATE_FORMAT,
        version: 1,
        configHash: state.configHash,
        counters: state.counters,
        rngState: state.rngState,
        pools: {
          fakeA: { size: snapshots.fakeA.size, count: state.pools.fakeA.count, rngState: snapshots.fakeA.rngState },
          fakeB: { size: snapshots.fakeB.size, count: state.pools.fakeB.count, rngState: snapshots.fakeB.rngState },
        },
        optimizers: {
          g: { iterations: optimizerStates.g.iterations, accBeta1: optimizerStates.g.accBeta1, accBeta2: optimizerStates.g.accBeta2 },
          d: { iterations: optimizerStates.d.iterations, accBeta1: optimizerStates.d.accBeta1, accBeta2: optimizerStates.d.accBeta2 },
        },
        history: state.history,
        manifest,
      };
      await writeFile(join(temp, STATE_FILE), formatJson(file));
      await rm(dir, { recursive: true, force: true });
      await rename(temp, dir);
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      throw error;
    }
  } finally {
    tf.dispose([...optimizerStates.g.moments, ...optimizerStates.d.moments].map((m) => m.tensor));
    tf.dispose([snapshots.fakeA.images, snapshots.fakeB.images].filter((t): t is tfjs.Tensor4D => t !== null));
  }
}

/**
 * Restores a checkpoint: assigns the saved weights into `target.models`, loads both optimisers (which
 * should be fresh) and returns new pools, the counters, the rng state and the history. Refuses a
 * checkpoint whose config hash differs from `target.configHash`.
 */
export async function loadTrainingState(
  tf: Tf, dir: string, target: { readonly models: GanModels; readonly optimizers: GanOptimizers; readonly configHash: string },
): Promise<LoadedTrainingState> {
  const file = JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8')) as StateFile;
  if (file.format !== STATE_FORMAT || file.version !== 1) {
    throw new Error(`checkpoint '${dir}' expected format '${STATE_FORMAT}' version 1, received '${String(file.format)}' version ${String(file.version)}`);
  }
  if (file.configHash !== target.configHash) {
    throw new Error(`checkpoint '${dir}' expected config hash '${target.configHash}' (this run's config), received '${file.configHash}': it was written by another config; resume with that config or use a fresh checkpoint directory`);
  }
  const tensors = await readTensorFile(tf, join(dir, TENSORS_FILE), file.manifest);
  try {
    const variables = [...generatorVariables(target.models), ...discriminatorVariables(target.models)];
    assignByName(variables.map((v) => ({ key: v.name, variable: v })), tensors, `checkpoint '${dir}'`);
    const optimizerState = (key: keyof GanOptimizers): OptimizerState => ({
      ...file.optimizers[key],
      moments: [...tensors].filter(([name]) => name.startsWith(`optimizer.${key}/`))
        .map(([name, tensor]) => ({ name: name.slice(`optimizer.${key}/`.length), tensor })),
    });
    await importOptimizerState(tf, target.optimizers.g, optimizerState('g'), generatorVariables(target.models));
    await importOptimizerState(tf, target.optimizers.d, optimizerState('d'), discriminatorVariables(target.models));
    const pool = (key: keyof GanPools): ImagePool => restoreImagePool(tf, {
      size: file.pools[key].size, rngState: file.pools[key].rngState, images: (tensors.get(`pool.${key}`) as tfjs.Tensor4D | undefined) ?? null,
    });
    const fakeA = pool('fakeA');
    return { counters: file.counters, rngState: file.rngState, pools: { fakeA, fakeB: pool('fakeB') }, history: file.history };
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}
