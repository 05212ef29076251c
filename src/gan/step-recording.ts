/**
 * The recording of K training steps that bench/torch/step_equivalence.py writes and `step-equivalence.ts`
 * replays: `step-equivalence.json` (format, version, config, dtype the steps ran in, torch version, the batch
 * file's shape, the weight manifest and every step's loss terms), `initial.bin` and `final.bin` (the four
 * networks' weights before step 1 and after step K, little-endian float32 in manifest order, the layout of
 * `tensor-file.ts`) and `batches.u8` (8-bit images, [K, 2 (a, b), batch, size, size, 3]). Tensors are named as
 * this project's variables (`G_A/conv1/kernel`, `D_B/model.8/bias`) in tfjs layouts (conv [kh, kw, in, out],
 * transposed conv [kh, kw, out, in]). Images map to x = q / 127.5 − 1, computed in float64 and rounded once to
 * float32 on both sides, so both frameworks see bit-identical inputs. Reading needs no TensorFlow.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ReproError } from '../errors.js';
import { readTensorValues, type TensorEntry } from './tensor-file.js';

export const STEP_RECORDING_JSON = 'step-equivalence.json';
export const STEP_RECORDING_FORMAT = 'repro-step-equivalence';

/** The terms the reference records, named and unweighted as `StepLosses` (nmc and attention are the project's own). */
export const RECORDED_LOSSES = ['gA_gan', 'gB_gan', 'cycleA', 'cycleB', 'idtA', 'idtB', 'g_total', 'dA', 'dB'] as const;
export type RecordedLoss = (typeof RECORDED_LOSSES)[number];
export type LossTerms = Readonly<Record<RecordedLoss, number>>;

/** What the recording was made with. */
export interface StepRecordingConfig {
  readonly ngf: number;
  readonly blocks: number;
  readonly ndf: number;
  /** Image side, px. */
  readonly size: number;
  readonly batch: number;
  /** K. */
  readonly steps: number;
  /** torch.manual_seed before the init; the batches use seed + 1. */
  readonly seed: number;
}

/** `step-equivalence.json`. */
export interface StepRecordingFile {
  readonly format: typeof STEP_RECORDING_FORMAT;
  readonly version: 1;
  readonly config: StepRecordingConfig;
  /** What the steps ran in; the weight files are float32 either way. */
  readonly dtype: 'float32' | 'float64';
  readonly torch: { readonly version: string; readonly threads: number };
  /** q of [K, 2 (a, b), batch, size, size, 3]. */
  readonly batches: { readonly file: string; readonly shape: readonly number[]; readonly dtype: 'uint8' };
  readonly weights: { readonly initial: string; readonly final: string; readonly manifest: readonly TensorEntry[] };
  /** One entry per step. */
  readonly losses: readonly LossTerms[];
}

/** A recording in memory. */
export interface StepRecording {
  readonly dir: string;
  readonly file: StepRecordingFile;
  /** Weights by variable name, before step 1 and after step K. */
  readonly initial: ReadonlyMap<string, Float32Array>;
  readonly final: ReadonlyMap<string, Float32Array>;
  /** q, [K, 2, batch, size, size, 3]. */
  readonly batches: Uint8Array;
}

/** Reads the recording in `dir`, checking format, sizes and one loss entry per step. */
export async function readStepRecording(dir: string): Promise<StepRecording> {
  const path = join(dir, STEP_RECORDING_JSON);
  let file: StepRecordingFile;
  try {
    file = JSON.parse(await readFile(path, 'utf8')) as StepRecordingFile;
  } catch (error) {
    throw new ReproError('DATA_MISSING', `step recording '${path}' expected a JSON file, could not read one`, {
      hint: 'run `.venv-torch/bin/python bench/torch/step_equivalence.py --out <dir>`', cause: error,
    });
  }
  if (file.format !== STEP_RECORDING_FORMAT || file.version !== 1 || file.losses?.length !== file.config?.steps) {
    throw new ReproError('CHECKPOINT_INVALID', `step recording '${path}' expected format '${STEP_RECORDING_FORMAT}' version 1 with one loss entry per step, received '${String(file.format)}' version ${String(file.version)}`, {
      hint: 'record it again with bench/torch/step_equivalence.py',
    });
  }
  const { steps, batch, size } = file.config;
  const expected = [steps, 2, batch, size, size, 3];
  const batches = new Uint8Array(await readFile(join(dir, file.batches.file)));
  if (file.batches.dtype !== 'uint8' || file.batches.shape.join() !== expected.join() || batches.byteLength !== expected.reduce((p, d) => p * d, 1)) {
    throw new ReproError('CHECKPOINT_INVALID', `step recording '${dir}' expected uint8 batches [${expected.join(', ')}], received ${String(file.batches.dtype)} [${file.batches.shape.join(', ')}] in ${batches.byteLength} bytes`, {
      hint: 'record it again with bench/torch/step_equivalence.py',
    });
  }
  const initial = await readFloat32(join(dir, file.weights.initial), file.weights.manifest);
  const final = await readFloat32(join(dir, file.weights.final), file.weights.manifest);
  return { dir, file, initial, final, batches };
}

/** Step k's (0-based) images of one domain (0 = a, 1 = b) as float32 NHWC values, x = q / 127.5 − 1. */
export function recordedImages(recording: StepRecording, k: number, domain: 0 | 1): Float32Array {
  const { batch, size } = recording.file.config;
  const count = batch * size * size * 3;
  const offset = (2 * k + domain) * count;
  // NOTE: q / 127.5 − 1 is evaluated in float64 and rounded once on the store, as the torch side does with numpy
  return Float32Array.from(recording.batches.subarray(offset, offset + count), (q) => q / 127.5 - 1);
}

async function readFloat32(path: string, manifest: readonly TensorEntry[]): Promise<Map<string, Float32Array>> {
  try {
    return await readTensorValues(path, manifest);
  } catch (error) {
    throw new ReproError('CHECKPOINT_INVALID', `step recording ${(error as Error).message}`, {
      hint: 'record it again with bench/torch/step_equivalence.py', cause: error,
    });
  }
}
