/**
 * Pretrained AttentionGAN generators from PyTorch checkpoints (MODEL.md §2.6, §2.7 item 5, §3). Conversion
 * runs scripts/convert-attentiongan.py, which needs only the Python standard library (the project's `.venv`
 * python, no torch) and writes `generator.json` (manifest, tfjs layouts) and `generator.bin` (float32);
 * `readConvertedWeights` reads those back as one tensor per PyTorch state-dict key, and
 * `applyConvertedGenerator` copies them into a generator's variables by module name. A layer whose shape
 * differs (the geo variant's 30-channel `deconv3_content` against our 27) or that the checkpoint lacks keeps
 * its seeded init and is listed as re-initialised, the transfer rule of §2.7.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tfjs from '@tensorflow/tfjs';
import { execa, ExecaError } from 'execa';
import { ReproError } from '../errors.js';
import type { Tf } from '../kit/tf-backend.js';
import type { HasVariables } from './weights.js';

/** This package's root (where .venv and scripts/ live), two levels above src/gan. */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CONVERTER = join(PACKAGE_ROOT, 'scripts', 'convert-attentiongan.py');

/** File names inside a converted directory. */
export const CONVERTED_MANIFEST = 'generator.json';
export const CONVERTED_WEIGHTS = 'generator.bin';
/** The manifest format this reader understands. */
export const CONVERTED_FORMAT = 'repro-attentiongan-generator/1';

/** One converted tensor: its shape in tfjs layout and its values. */
export interface ConvertedTensor {
  /** Conv kernels [kh, kw, in, out], transposed-conv kernels [kh, kw, out, in], biases [out]. */
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Converted tensors keyed by PyTorch state-dict name (`conv1.weight`, `resnet_blocks.0.conv2.bias`, …), in file order. */
export type ConvertedWeights = ReadonlyMap<string, ConvertedTensor>;

/** What `generator.json` records. */
export interface ConvertedManifest {
  readonly format: string;
  /** Inferred from the checkpoint's shapes; `variant` is 'geo' when there are 10 content images (30 channels). */
  readonly architecture: { readonly ngf: number; readonly blocks: number; readonly contentChannels: number; readonly attentionMaps: number; readonly variant: 'standard' | 'geo' };
  /** The checkpoint: base name, sha256, 'zip' or 'legacy', the `module.` prefix if stripped, dropped running stats, keys not converted. */
  readonly source: { readonly file: string; readonly sha256: string; readonly format: 'zip' | 'legacy'; readonly strippedPrefix: string | null; readonly droppedKeys: readonly string[]; readonly skippedKeys: readonly string[] };
  readonly weightsFile: string;
  readonly weights: readonly { readonly name: string; readonly shape: readonly number[]; readonly dtype: 'float32'; readonly torchShape: readonly number[]; readonly layout: 'conv' | 'convTranspose' | 'bias' }[];
}

/** Options of `convertTorchCheckpoint`. */
export interface ConvertOptions {
  /** Python 3 interpreter; the standard library is enough. @default this package's `.venv/bin/python` */
  readonly python?: string;
}

/** What `applyConvertedGenerator` did, by PyTorch state-dict name. */
export interface ApplyResult {
  /** Copied from the checkpoint. */
  readonly loaded: string[];
  /** Left at the seeded init: the checkpoint has another shape for the layer, or lacks it. */
  readonly reinitialised: string[];
  /** In the checkpoint, but the generator has no such layer (e.g. a checkpoint with more blocks). */
  readonly unused: string[];
}

/** Converts `pthPath` into `outDir` (created if needed) and returns the manifest it wrote. */
export async function convertTorchCheckpoint(pthPath: string, outDir: string, options: ConvertOptions = {}): Promise<ConvertedManifest> {
  const python = options.python ?? join(PACKAGE_ROOT, '.venv', 'bin', 'python');
  if (!existsSync(pthPath)) {
    throw new ReproError('DATA_MISSING', `checkpoint '${pthPath}' expected to exist, found nothing there`, { hint: 'check the path, e.g. `ls checkpoints/*_pretrained/`' });
  }
  try {
    await execa(python, [CONVERTER, pthPath, outDir], { stdin: 'ignore' });
  } catch (error) {
    if (error instanceof ExecaError && (error as { code?: string }).code === 'ENOENT') {
      throw new ReproError('STAGE_FAILED', `checkpoint conversion expected python at '${python}', found none`, {
        hint: 'run `npm install` (it creates .venv), or pass { python: \'python3\' }', cause: error,
      });
    }
    const stderr = error instanceof ExecaError ? String(error.stderr ?? '').trim() : String(error);
    const message = stderr.split('\n').filter((l) => l.startsWith('checkpoint ')).pop() ?? `checkpoint '${pthPath}' could not be converted`;
    throw new ReproError('CHECKPOINT_INVALID', `${message.replace(/^checkpoint '[^']*': /, `checkpoint '${pthPath}': `)}`, {
      hint: `run \`${python} scripts/convert-attentiongan.py ${pthPath} ${outDir}\` to see the converter's output`,
      cause: error,
    });
  }
  return readConvertedManifest(outDir);
}

/** The manifest of a converted directory, checked against the format this code reads. */
export async function readConvertedManifest(dir: string): Promise<ConvertedManifest> {
  const file = join(dir, CONVERTED_MANIFEST);
  let manifest: ConvertedManifest;
  try {
    manifest = JSON.parse(await readFile(file, 'utf8')) as ConvertedManifest;
  } catch (error) {
    throw new ReproError('DATA_MISSING', `converted weights '${file}' expected a JSON manifest, could not read one`, {
      hint: 'run `convertTorchCheckpoint` (scripts/convert-attentiongan.py <in.pth> <out-dir>) first', cause: error,
    });
  }
  if (manifest.format !== CONVERTED_FORMAT || !Array.isArray(manifest.weights)) {
    throw new ReproError('CHECKPOINT_INVALID', `converted weights '${file}' expected format '${CONVERTED_FORMAT}', received '${String(manifest.format)}'`, {
      hint: 'convert the checkpoint again with scripts/convert-attentiongan.py',
    });
  }
  return manifest;
}

/** Every converted tensor of `dir`, keyed by PyTorch name. */
export async function readConvertedWeights(dir: string): Promise<ConvertedWeights> {
  const manifest = await readConvertedManifest(dir);
  const file = join(dir, manifest.weightsFile);
  const bytes = await readFile(file);
  const expected = manifest.weights.reduce((sum, w) => sum + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
  if (bytes.byteLength !== expected) {
    throw new ReproError('CHECKPOINT_INVALID', `converted weights '${file}' expected ${expected} bytes for ${manifest.weights.length} tensors, received ${bytes.byteLength}`, {
      hint: 'convert the checkpoint again with scripts/convert-attentiongan.py',
    });
  }
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)); // little-endian hosts
  const weights = new Map<string, ConvertedTensor>();
  let offset = 0;
  for (const w of manifest.weights) {
    const size = w.shape.reduce((a, b) => a * b, 1);
    weights.set(w.name, { shape: w.shape, data: all.subarray(offset, offset + size) });
    offset += size;
  }
  return weights;
}

/**
 * Copies converted tensors into `weights` (a generator's or any network's variables named
 * `<scope>/<module>/kernel|bias`) by module name. A module is loaded only when both its kernel and bias exist
 * with this network's shapes; otherwise both keep their seeded values and are listed as re-initialised.
 */
export function applyConvertedGenerator(tf: Tf, weights: HasVariables, converted: ConvertedWeights): ApplyResult {
  const modules = new Map<string, { kernel?: tfjs.Variable; bias?: tfjs.Variable }>();
  for (const v of weights.variables) {
    const first = v.name.indexOf('/');
    const last = v.name.lastIndexOf('/');
    const kind = v.name.slice(last + 1);
    if (first < 0 || first === last || (kind !== 'kernel' && kind !== 'bias')) continue;
    const module = v.name.slice(first + 1, last);
    modules.set(module, { ...modules.get(module), [kind]: v });
  }
  const result: ApplyResult = { loaded: [], reinitialised: [], unused: [] };
  const used = new Set<string>();
  for (const [module, { kernel, bias }] of modules) {
    const names = [`${module}.weight`, `${module}.bias`];
    names.forEach((n) => used.add(n));
    const [k, b] = names.map((n) => converted.get(n));
    const fits = kernel && bias && k && b && sameShape(k.shape, kernel.shape) && sameShape(b.shape, bias.shape);
    if (!fits) {
      result.reinitialised.push(...names);
      continue;
    }
    tf.tidy(() => {
      kernel.assign(tf.tensor(k.data, [...k.shape], 'float32'));
      bias.assign(tf.tensor(b.data, [...b.shape], 'float32'));
    });
    result.loaded.push(...names);
  }
  result.unused.push(...[...converted.keys()].filter((n) => !used.has(n)));
  if (result.loaded.length === 0) {
    const conv1 = converted.get('conv1.weight');
    throw new ReproError('CHECKPOINT_INVALID', `converted generator expected at least one layer with this network's shapes, matched none (checkpoint conv1 ${conv1 ? `[${conv1.shape.join(', ')}]` : 'missing'})`, {
      hint: 'create the generator with the checkpoint\'s ngf and blocks (see architecture in generator.json)',
    });
  }
  return result;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
