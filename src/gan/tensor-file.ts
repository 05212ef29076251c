/**
 * Named float32 tensors on disk, shared by the two weight files of this project — training checkpoints
 * (`training-state.ts`) and exported generators (`generator-weights.ts`): a `.bin` holds the values
 * little-endian, back to back in manifest order (tf.io's `WeightsManifestEntry` layout, so
 * `tf.io.decodeWeights(bin, manifest)` reads it too), and the manifest lives in the caller's JSON. Also the
 * strict by-name assignment into variables both loaders use, which lists every missing or mis-shaped key.
 */
import { endianness } from 'node:os';
import { open, readFile } from 'node:fs/promises';
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../kit/tf-backend.js';

/** One tensor in a `.bin` file, in the order of the file (tf.io's `WeightsManifestEntry` shape). */
export interface TensorEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32';
}

/** Streams float32 values of `named` to `path`, little-endian, in order; returns the manifest. */
export async function writeTensorFile(path: string, named: readonly { name: string; tensor: tfjs.Tensor }[]): Promise<TensorEntry[]> {
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

/** Reads a tensor file written by `writeTensorFile` (or the converter); the caller disposes the tensors. */
export async function readTensorFile(tf: Tf, path: string, manifest: readonly TensorEntry[]): Promise<Map<string, tfjs.Tensor>> {
  const values = await readTensorValues(path, manifest);
  return new Map(manifest.map((entry) => [entry.name, tf.tensor(values.get(entry.name)!, [...entry.shape], 'float32')]));
}

/** The values of each tensor in a tensor file (or any file of this layout, e.g. torch's step recordings), by name. */
export async function readTensorValues(path: string, manifest: readonly TensorEntry[]): Promise<Map<string, Float32Array>> {
  if (endianness() !== 'LE') throw new Error(`tensor files expected a little-endian machine, received ${endianness()}`);
  const bytes = await readFile(path);
  const expected = manifest.reduce((sum, e) => sum + 4 * e.shape.reduce((p, d) => p * d, 1), 0);
  if (bytes.byteLength !== expected) {
    throw new Error(`'${path}' expected ${expected} bytes for ${manifest.length} tensors, received ${bytes.byteLength}`);
  }
  const values = new Map<string, Float32Array>();
  let offset = 0;
  for (const entry of manifest) {
    const count = entry.shape.reduce((p, d) => p * d, 1);
    const start = bytes.byteOffset + offset;
    values.set(entry.name, start % 4 === 0
      ? new Float32Array(bytes.buffer, start, count)
      : new Float32Array(bytes.buffer.slice(start, start + 4 * count)));
    offset += 4 * count;
  }
  return values;
}

/** Assigns `tensors[key]` to each slot's variable; one error lists every missing or mis-shaped key. */
export function assignByName(slots: readonly { key: string; variable: tfjs.Variable }[], tensors: ReadonlyMap<string, tfjs.Tensor>, what: string): void {
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

/** Whether two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
