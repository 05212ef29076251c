/**
 * Checkpoints of a GAN training run, complete enough that a resumed run continues bit for bit: the weights
 * of G_A, G_B, D_A, D_B, both Adam optimisers' moments, iteration counts and β powers, both image pools'
 * stored images and rng states, the trainer's rng state, the epoch/phase/step counters, the loss history
 * and a hash of the config that produced them. A checkpoint is a directory holding `state.json` (counters,
 * rng states, a manifest of the tensors) and `tensors.bin` (the tensors' float32 values, little-endian, back
 * to back in manifest order; `tf.io.decodeWeights(bin, manifest)` reads it too). It is written into
 * `<dir>.tmp-<pid>` and renamed into place, so a directory named `epoch-NNNN` is always complete and
 * `findLatestCheckpoint` never sees a half-written one. Also here: the export of one generator for later
 * stages (`generator.json` + `generator.bin`, keyed by the scope-free variable names such as
 * `deconv3_content/kernel`), a strict loader, and a transfer that loads what fits and leaves the rest at the
 * target's seeded init (the 27- vs 30-channel c3 of MODEL.md §2.1 / §2.7 item 5).
 */
import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import { mkdir, open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../kit/tf-backend.js';
import { canonicalJson, formatJson } from '../kit/canonical-json.js';
import type { GeneratorConfig, GeneratorWeights } from './generator.js';
import { restoreImagePool, type ImagePool } from './image-pool.js';
import { exportOptimizerState, importOptimizerState, type GanOptimizers, type OptimizerState } from './optimizers.js';
import { discriminatorVariables, generatorVariables, type GanModels, type GanPools, type StepLosses } from './train-step.js';

export const STATE_FILE = 'state.json';
export const TENSORS_FILE = 'tensors.bin';
export const GENERATOR_JSON = 'generator.json';
export const GENERATOR_BIN = 'generator.bin';
const STATE_FORMAT = 'repro-gan-training-state';
const GENERATOR_FORMAT = 'repro-attentiongan-generator';
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

/** One tensor in a `.bin` file, in the order of the file (tf.io's `WeightsManifestEntry` shape). */
export interface TensorEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32';
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

// --- one generator, for later stages

/** Writes `generator.json` (config and manifest) and `generator.bin` into `dir`. */
export async function exportGenerator(tf: Tf, weights: GeneratorWeights, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const scope = scopeOf(weights.config);
  const tempBin = join(dir, `${GENERATOR_BIN}.tmp-${process.pid}`);
  const manifest = await writeTensorFile(tempBin, weights.variables.map((v) => ({ name: unscoped(v.name, scope), tensor: v })));
  await rename(tempBin, join(dir, GENERATOR_BIN));
  const json = { format: GENERATOR_FORMAT, version: 1, config: { ngf: weights.config.ngf, blocks: weights.config.blocks }, manifest };
  const tempJson = join(dir, `${GENERATOR_JSON}.tmp-${process.pid}`);
  await writeFile(tempJson, formatJson(json));
  await rename(tempJson, join(dir, GENERATOR_JSON));
}

/** The tensors of an exported generator by scope-free name, and its size; the caller disposes the tensors. */
export async function readGeneratorWeights(
  tf: Tf, dir: string,
): Promise<{ readonly config: { readonly ngf: number; readonly blocks: number }; readonly tensors: Map<string, tfjs.Tensor> }> {
  const json = JSON.parse(await readFile(join(dir, GENERATOR_JSON), 'utf8')) as { format?: string; config: { ngf: number; blocks: number }; manifest: TensorEntry[] };
  if (json.format !== GENERATOR_FORMAT) {
    throw new Error(`'${join(dir, GENERATOR_JSON)}' expected format '${GENERATOR_FORMAT}', received '${String(json.format)}'`);
  }
  return { config: json.config, tensors: await readTensorFile(tf, join(dir, GENERATOR_BIN), json.manifest) };
}

/** Loads an exported generator into `target` (same ngf/blocks); every key must be present with its shape. */
export async function loadGeneratorWeights(tf: Tf, target: GeneratorWeights, dir: string): Promise<void> {
  const { tensors } = await readGeneratorWeights(tf, dir);
  try {
    const scope = scopeOf(target.config);
    const slots = target.variables.map((v) => ({ key: unscoped(v.name, scope), variable: v }));
    const extra = [...tensors.keys()].filter((name) => !slots.some((s) => s.key === name));
    if (extra.length > 0) {
      throw new Error(`generator '${dir}' expected only the keys of an ngf ${target.config.ngf}, ${target.config.blocks}-block generator, received unknown keys ${extra.map((k) => `'${k}'`).join(', ')}`);
    }
    assignByName(slots, tensors, `generator '${dir}'`);
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

/**
 * Loads every tensor of `source` (scope-free names) whose name and shape match a variable of `target`;
 * the other variables keep the target's seeded init. Nothing is disposed: the caller owns `source`.
 */
export function transferGeneratorWeights(
  tf: Tf, target: GeneratorWeights, source: ReadonlyMap<string, tfjs.Tensor>,
): { readonly loaded: string[]; readonly reinitialised: string[]; readonly ignored: string[] } {
  const scope = scopeOf(target.config);
  const loaded: string[] = [];
  const reinitialised: string[] = [];
  for (const v of target.variables) {
    const key = unscoped(v.name, scope);
    const tensor = source.get(key);
    if (tensor !== undefined && sameShape(tensor.shape, v.shape)) {
      tf.tidy(() => v.assign(tensor.dtype === 'float32' ? tensor : tf.cast(tensor, 'float32')));
      loaded.push(key);
    } else {
      reinitialised.push(key);
    }
  }
  const known = new Set([...loaded, ...reinitialised]);
  return { loaded, reinitialised, ignored: [...source.keys()].filter((k) => !known.has(k)) };
}

// --- tensor files

/** Streams float32 values of `named` to `path`, little-endian, in order; returns the manifest. */
async function writeTensorFile(path: string, named: readonly { name: string; tensor: tfjs.Tensor }[]): Promise<TensorEntry[]> {
  if (endianness() !== 'LE') throw new Error(`tensor files expected a little-endian machine, received ${endianness()}`);
  const handle = await open(path, 'w');
  try {
    const manifest: TensorEntry[] = [];
    for (const { name, tensor } of named) {
      if (tensor.dtype !== 'float32') throw new Error(`tensor '${name}' expected dtype float32, received ${tensor.dtype}`);
      const values = (await tensor.data()) as Float32Array;
      await handle.write(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
      manifest.push({ name, shape: [...tensor.shape], dtype: 'float32' });
    }
    return manifest;
  } finally {
    await handle.close();
  }
}

/** Reads a tensor file written by `writeTensorFile`; the caller disposes the tensors. */
async function readTensorFile(tf: Tf, path: string, manifest: readonly TensorEntry[]): Promise<Map<string, tfjs.Tensor>> {
  const bytes = await readFile(path);
  const expected = manifest.reduce((sum, e) => sum + 4 * e.shape.reduce((p, d) => p * d, 1), 0);
  if (bytes.byteLength !== expected) {
    throw new Error(`'${path}' expected ${expected} bytes for its manifest, received ${bytes.byteLength}`);
  }
  const tensors = new Map<string, tfjs.Tensor>();
  let offset = 0;
  for (const entry of manifest) {
    const count = entry.shape.reduce((p, d) => p * d, 1);
    const start = bytes.byteOffset + offset;
    const values = start % 4 === 0
      ? new Float32Array(bytes.buffer, start, count)
      : new Float32Array(bytes.buffer.slice(start, start + 4 * count));
    tensors.set(entry.name, tf.tensor(values, [...entry.shape], 'float32'));
    offset += 4 * count;
  }
  return tensors;
}

/** Assigns `tensors[key]` to each slot's variable; one error lists every missing or mis-shaped key. */
function assignByName(slots: readonly { key: string; variable: tfjs.Variable }[], tensors: ReadonlyMap<string, tfjs.Tensor>, what: string): void {
  const problems = slots.flatMap(({ key, variable }) => {
    const tensor = tensors.get(key);
    if (tensor === undefined) return [`'${key}' missing`];
    if (!sameShape(tensor.shape, variable.shape)) return [`'${key}' expected [${variable.shape.join(', ')}], received [${tensor.shape.join(', ')}]`];
    return [];
  });
  if (problems.length > 0) {
    throw new Error(`${what} does not fit the networks: ${problems.length} key(s)\n  ${problems.join('\n  ')}`);
  }
  for (const { key, variable } of slots) variable.assign(tensors.get(key)!);
}

function scopeOf(config: GeneratorConfig): string {
  return config.scope ?? 'generator';
}

function unscoped(name: string, scope: string): string {
  return name.startsWith(`${scope}/`) ? name.slice(scope.length + 1) : name;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}
