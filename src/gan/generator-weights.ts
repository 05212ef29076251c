/**
 * The one file format for a single generator's weights, and the one way to move them into a network:
 * `generator.json` (format, version, `config` {ngf, blocks}, the tensor manifest and, for a converted
 * PyTorch checkpoint, its `source`) plus `generator.bin` (float32 values, see `tensor-file.ts`). Tensors are
 * keyed by the scope-free variable names, `<torch module>/kernel|bias` (e.g. `deconv3_content/kernel`), in
 * tfjs layouts. `progressive-train` and `pretrain-from-multi-face` write it with `exportGenerator`,
 * scripts/convert-attentiongan.py writes it from a `.pth`, and every reader goes through
 * `readGeneratorWeights`: `loadGeneratorWeights` is strict (same network, every key), while
 * `transferGeneratorWeights` loads each layer whose kernel and bias both fit and leaves the rest at the
 * target's seeded init (the 27- vs 30-channel c3 of MODEL.md §2.1 / §2.7 item 5).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { ReproError } from '../errors.js';
import { formatJson } from '../kit/canonical-json.js';
import type { Tf } from '../kit/tf-backend.js';
import type { GeneratorConfig, GeneratorWeights } from './generator.js';
import { assignByName, readTensorFile, sameShape, writeTensorFile, type TensorEntry } from './tensor-file.js';

export const GENERATOR_JSON = 'generator.json';
export const GENERATOR_BIN = 'generator.bin';
export const GENERATOR_FORMAT = 'repro-attentiongan-generator';

/** Where converted weights came from (written by scripts/convert-attentiongan.py only). */
export interface TorchSource {
  /** the checkpoint's base name and sha256 */
  readonly file: string;
  readonly sha256: string;
  /** 'zip' (torch >= 1.6) or 'legacy' */
  readonly format: 'zip' | 'legacy';
  /** `module.` when DataParallel keys were stripped */
  readonly strippedPrefix: string | null;
  /** InstanceNorm running stats, dropped */
  readonly droppedKeys: readonly string[];
  /** keys that are not generator layers, not converted */
  readonly skippedKeys: readonly string[];
  /** content channels of `deconv3_content` (27; 30 for the geo variant) and attention maps */
  readonly contentChannels: number;
  readonly attentionMaps: number;
  /** 'geo' when there are 10 content images (30 channels) */
  readonly variant: 'standard' | 'geo';
}

/** What `generator.json` holds. */
export interface GeneratorFile {
  readonly format: typeof GENERATOR_FORMAT;
  readonly version: 1;
  readonly config: { readonly ngf: number; readonly blocks: number };
  readonly manifest: readonly TensorEntry[];
  readonly source?: TorchSource;
}

/** What `transferGeneratorWeights` did, by scope-free tensor name. */
export interface TransferResult {
  /** copied from the source */
  readonly loaded: string[];
  /** left at the seeded init: the source lacks the layer or has another shape for it */
  readonly reinitialised: string[];
  /** in the source, but the target has no such tensor (e.g. a source with more blocks) */
  readonly unused: string[];
}

/** Writes `generator.json` and `generator.bin` into `dir`, each through a temp file and a rename. */
export async function exportGenerator(tf: Tf, weights: GeneratorWeights, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const scope = scopeOf(weights.config);
  const tempBin = join(dir, `${GENERATOR_BIN}.tmp-${process.pid}`);
  const manifest = await writeTensorFile(tempBin, weights.variables.map((v) => ({ name: unscoped(v.name, scope), tensor: v })));
  await rename(tempBin, join(dir, GENERATOR_BIN));
  const json: GeneratorFile = { format: GENERATOR_FORMAT, version: 1, config: { ngf: weights.config.ngf, blocks: weights.config.blocks }, manifest };
  const tempJson = join(dir, `${GENERATOR_JSON}.tmp-${process.pid}`);
  await writeFile(tempJson, formatJson(json));
  await rename(tempJson, join(dir, GENERATOR_JSON));
}

/** `generator.json` of `dir`, checked against the format this code reads. */
export async function readGeneratorFile(dir: string): Promise<GeneratorFile> {
  const path = join(dir, GENERATOR_JSON);
  let json: GeneratorFile;
  try {
    json = JSON.parse(await readFile(path, 'utf8')) as GeneratorFile;
  } catch (error) {
    throw new ReproError('DATA_MISSING', `generator weights '${path}' expected a JSON file, could not read one`, {
      hint: 'point at a folder with generator.json + generator.bin (an export, or scripts/convert-attentiongan.py <in.pth> <out-dir>)', cause: error,
    });
  }
  if (json.format !== GENERATOR_FORMAT || json.version !== 1 || !Array.isArray(json.manifest)) {
    throw new ReproError('CHECKPOINT_INVALID', `generator weights '${path}' expected format '${GENERATOR_FORMAT}' version 1, received '${String(json.format)}' version ${String(json.version)}`, {
      hint: 'export the generator again, or convert the checkpoint again with scripts/convert-attentiongan.py',
    });
  }
  return json;
}

/** The tensors of a generator file by scope-free name, with its JSON; the caller disposes the tensors. */
export async function readGeneratorWeights(tf: Tf, dir: string): Promise<GeneratorFile & { readonly tensors: Map<string, tfjs.Tensor> }> {
  const file = await readGeneratorFile(dir);
  return { ...file, tensors: await readTensorFile(tf, join(dir, GENERATOR_BIN), file.manifest) };
}

/** Loads a generator file into `target` (same ngf/blocks); every key must be present with its shape. */
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
 * Loads each layer of `target` whose kernel and bias both exist in `source` (scope-free names) with the
 * target's shapes; the other layers keep the target's seeded init. Throws when nothing fits (a network of
 * another size). Nothing is disposed: the caller owns `source`.
 */
export function transferGeneratorWeights(tf: Tf, target: GeneratorWeights, source: ReadonlyMap<string, tfjs.Tensor>): TransferResult {
  const scope = scopeOf(target.config);
  const layers = new Map<string, { key: string; variable: tfjs.Variable }[]>();
  for (const v of target.variables) {
    const key = unscoped(v.name, scope);
    const layer = key.slice(0, key.lastIndexOf('/'));
    layers.set(layer, [...(layers.get(layer) ?? []), { key, variable: v }]);
  }
  const result: TransferResult = { loaded: [], reinitialised: [], unused: [] };
  for (const slots of layers.values()) {
    const fits = slots.every(({ key, variable }) => {
      const tensor = source.get(key);
      return tensor !== undefined && sameShape(tensor.shape, variable.shape);
    });
    if (!fits) {
      result.reinitialised.push(...slots.map((s) => s.key));
      continue;
    }
    tf.tidy(() => slots.forEach(({ key, variable }) => variable.assign(tf.cast(source.get(key)!, 'float32'))));
    result.loaded.push(...slots.map((s) => s.key));
  }
  const known = new Set([...result.loaded, ...result.reinitialised]);
  result.unused.push(...[...source.keys()].filter((k) => !known.has(k)));
  if (result.loaded.length === 0) {
    const conv1 = source.get('conv1/kernel');
    throw new ReproError('CHECKPOINT_INVALID', `generator weights expected at least one layer with this network's shapes, matched none (source conv1 ${conv1 ? `[${conv1.shape.join(', ')}]` : 'missing'})`, {
      hint: "configure the network with the weights' ngf and blocks (see config in generator.json)",
    });
  }
  return result;
}

function scopeOf(config: GeneratorConfig): string {
  return config.scope ?? 'generator';
}

function unscoped(name: string, scope: string): string {
  return name.startsWith(`${scope}/`) ? name.slice(scope.length + 1) : name;
}
