/**
 * One GAN domain in memory and the batches trained on it (MODEL.md §2.5). `loadDomain` decodes every image
 * of a folder (sorted, as every stage lists them) to size×size RGB — resized with sharp's `cubic` kernel
 * (Catmull–Rom, the kernel closest to the reference's PIL bicubic), aspect ratio not kept, like the reference's
 * resize — and, for domain A, pairs each image BY FILE NAME with its keep map from `nonmask-tensor`
 * (maps.bin + index.json; 1 = the pixel may not change), resized nearest-neighbour when its size differs.
 * `refineDomain` narrows a domain for a data-refinement phase. `makeBatch` is the reference's
 * `resize_and_crop` + flip: bilinear resize to loadSize (tfjs has no bicubic resize; a small distribution
 * shift, MODEL.md §3), one random crop and one random horizontal flip per image, drawn from the Rng passed
 * in, applied identically to the image and its keep map (nearest resize, so the map stays a map); output
 * in [−1, 1]. `epochOrder` is the unaligned dataset's epoch: A shuffled, B drawn uniformly per item.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../kit/tf-backend.js';
import { listImages } from '../kit/list-images.js';
import type { Rng } from '../kit/prng.js';

/** Images decoded at one size, optionally with a keep map each. */
export interface Domain {
  /** Folder the images came from. */
  readonly dir: string;
  /** Side of every image and map, px. */
  readonly size: number;
  /** File names, sorted; image i is `names[i]`. */
  readonly names: readonly string[];
  /**
   * RGB per image, [size, size, 3] row-major. NOTE: stored as uint8 (value / 255 is the [0, 1] float, exact,
   * since the files hold 8-bit pixels): a quarter of the memory of float32; `makeBatch` converts.
   */
  readonly pixels: readonly Uint8Array[];
  /** Keep map per image, [size, size] float32, 1 = the pixel may not change; only when loaded with keepMaps. */
  readonly keep?: readonly Float32Array[];
}

/** What `loadDomain` reads besides the images. */
export interface LoadDomainOptions {
  /** Side the images are resized to (sharp `cubic`, aspect ratio not kept), px. */
  readonly size: number;
  /** A `nonmask-tensor` output folder (maps.bin + index.json) to pair with the images by file name. */
  readonly keepMaps?: { readonly dir: string };
}

/** Reads every image of `dir` (and its keep map) into memory. */
export async function loadDomain(dir: string, options: LoadDomainOptions): Promise<Domain> {
  const { size } = options;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`loadDomain '${dir}': size expected a positive integer, received ${size}`);
  const names = await listImages(dir);
  if (names.length === 0) throw new Error(`expected images in '${dir}', received none`);
  const pixels: Uint8Array[] = [];
  for (let i = 0; i < names.length; i += DECODE_CONCURRENCY) {
    pixels.push(...(await Promise.all(names.slice(i, i + DECODE_CONCURRENCY).map((name) => decodeResized(join(dir, name), size)))));
  }
  if (!options.keepMaps) return { dir, size, names, pixels };
  const keep = await readKeepMaps(options.keepMaps.dir, dir, names, size);
  return { dir, size, names, pixels, keep };
}

/** Which images a refined domain keeps: these names, all but these names, or those a predicate accepts. */
export type RefineRule = { readonly keep: readonly string[] } | { readonly drop: readonly string[] } | ((name: string, index: number) => boolean);

/**
 * The domain narrowed to the images `rule` keeps, in the original order, sharing the pixel buffers. A name
 * list naming an image the domain does not hold is an error (a stale manifest), as is keeping nothing.
 */
export function refineDomain(domain: Domain, rule: RefineRule): Domain {
  let accept: (name: string, index: number) => boolean;
  if (typeof rule === 'function') {
    accept = rule;
  } else {
    const listed = 'keep' in rule ? rule.keep : rule.drop;
    const known = new Set(domain.names);
    const unknown = listed.filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new Error(`refineDomain '${domain.dir}': expected every listed name to be an image of the domain, received ${unknown.length} unknown (${quoteSome(unknown)})`);
    }
    const set = new Set(listed);
    accept = 'keep' in rule ? (name) => set.has(name) : (name) => !set.has(name);
  }
  const kept = domain.names.flatMap((name, i) => (accept(name, i) ? [i] : []));
  if (kept.length === 0) throw new Error(`refineDomain '${domain.dir}': expected at least one image to remain of ${domain.names.length}, received none`);
  const refined = { dir: domain.dir, size: domain.size, names: kept.map((i) => domain.names[i]!), pixels: kept.map((i) => domain.pixels[i]!) };
  const keep = domain.keep;
  return keep ? { ...refined, keep: kept.map((i) => keep[i]!) } : refined;
}

/** The reference's train transform. */
export interface AugmentSpec {
  /** Side images are resized to first (bilinear), px; the reference uses 286. */
  readonly loadSize: number;
  /** Side of the random crop, px, ≤ loadSize; the reference uses 256. */
  readonly cropSize: number;
  /** Flip each image horizontally with p = 0.5. */
  readonly flip: boolean;
}

/** A training batch. */
export interface Batch {
  /** [B, crop, crop, 3] in [−1, 1]. */
  readonly images: tfjs.Tensor4D;
  /** [B, crop, crop, 1], the same crop and flip as `images`; only when the domain has keep maps. */
  readonly keep?: tfjs.Tensor4D;
}

/**
 * Images `indices` of `domain`, augmented per `spec`. Draws per image, in order: crop top, crop left, then
 * (only when `spec.flip`) one flip draw — so the same rng state gives the same batch. The caller disposes it.
 */
export function makeBatch(tf: Tf, domain: Domain, indices: readonly number[], spec: AugmentSpec, rng: Rng): Batch {
  const { loadSize, cropSize } = spec;
  if (!Number.isInteger(loadSize) || !Number.isInteger(cropSize) || cropSize < 1 || cropSize > loadSize) {
    throw new RangeError(`makeBatch: spec expected integers 1 ≤ cropSize ≤ loadSize, received cropSize ${cropSize}, loadSize ${loadSize}`);
  }
  if (indices.length === 0) throw new RangeError('makeBatch: expected at least one index, received none');
  const bad = indices.filter((i) => !Number.isInteger(i) || i < 0 || i >= domain.names.length);
  if (bad.length > 0) throw new RangeError(`makeBatch '${domain.dir}': indices expected integers in [0, ${domain.names.length}), received ${bad.slice(0, 5).join(', ')}`);
  const draws = indices.map(() => ({
    top: rng.int(loadSize - cropSize + 1),
    left: rng.int(loadSize - cropSize + 1),
    flip: spec.flip && rng.next() < 0.5,
  }));
  const { size } = domain;
  const b = indices.length;
  const pixels = new Float32Array(b * size * size * 3);
  indices.forEach((index, i) => {
    const image = domain.pixels[index]!;
    for (let p = 0; p < image.length; p += 1) pixels[i * image.length + p] = image[p]! / 255;
  });
  const keepMaps = domain.keep;
  return tf.tidy(() => {
    const cropFlip = (t: tfjs.Tensor4D, channels: number): tfjs.Tensor4D =>
      tf.concat(
        draws.map(({ top, left, flip }, i) => {
          const crop = tf.slice(t, [i, top, left, 0], [1, cropSize, cropSize, channels]); // [1, crop, crop, C]
          return flip ? tf.reverse(crop, 2) : crop;                                      // flip = reverse W
        }),
        0,
      ); // [B, crop, crop, C]
    let x: tfjs.Tensor4D = tf.tensor4d(pixels, [b, size, size, 3]);                     // [B, S, S, 3] in [0, 1]
    if (loadSize !== size) x = tf.image.resizeBilinear(x, [loadSize, loadSize], false, true); // [B, L, L, 3]
    const images = tf.sub(tf.mul(cropFlip(x, 3), 2), 1) as tfjs.Tensor4D;               // [B, crop, crop, 3] in [−1, 1]
    if (!keepMaps) return { images };
    const maps = new Float32Array(b * size * size);
    indices.forEach((index, i) => maps.set(keepMaps[index]!, i * size * size));
    let k: tfjs.Tensor4D = tf.tensor4d(maps, [b, size, size, 1]);                       // [B, S, S, 1]
    if (loadSize !== size) k = tf.image.resizeNearestNeighbor(k, [loadSize, loadSize], false, true); // [B, L, L, 1]
    return { images, keep: cropFlip(k, 1) };                                             // keep [B, crop, crop, 1]
  });
}

/** The items of one epoch: `a[i]` and `b[i]` are the domain indices of item i. */
export interface EpochOrder {
  readonly a: readonly number[];
  readonly b: readonly number[];
}

/**
 * One epoch of the unaligned dataset: `itemsPerEpoch` items (default max(|A|, |B|)); A walks fresh
 * shuffles of 0..|A|−1 back to back (so every A image appears before any repeats), B is drawn uniformly at
 * random for every item, as in the reference's `UnalignedDataset`.
 */
export function epochOrder(rng: Rng, sizeA: number, sizeB: number, itemsPerEpoch?: number): EpochOrder {
  for (const [label, n] of [['sizeA', sizeA], ['sizeB', sizeB], ['itemsPerEpoch', itemsPerEpoch ?? 1]] as const) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`epochOrder: ${label} expected a positive integer, received ${n}`);
  }
  const length = itemsPerEpoch ?? Math.max(sizeA, sizeB);
  const a: number[] = [];
  while (a.length < length) a.push(...shuffled(rng, sizeA));
  a.length = length;
  const b = Array.from({ length }, () => rng.int(sizeB));
  return { a, b };
}

const DECODE_CONCURRENCY = 8;
const INDEX_FILE = 'index.json';
const MAPS_FILE = 'maps.bin';

/** A permutation of 0..n−1 (Fisher–Yates). */
function shuffled(rng: Rng, n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i -= 1) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

async function decodeResized(path: string, size: number): Promise<Uint8Array> {
  try {
    const { data, info } = await sharp(path, { failOn: 'error' })
      .rotate()
      .toColourspace('srgb')
      .removeAlpha()
      .resize(size, size, { fit: 'fill', kernel: 'cubic' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels, received ${info.channels}`);
    return new Uint8Array(data.buffer, data.byteOffset, data.length);
  } catch (error) {
    throw new Error(`expected '${path}' to be a readable image, received a file sharp cannot decode (${(error as Error).message})`, { cause: error });
  }
}

/** The keep map of each image (by file name), [size, size] each. */
async function readKeepMaps(mapsDir: string, imagesDir: string, names: readonly string[], size: number): Promise<Float32Array[]> {
  const indexPath = join(mapsDir, INDEX_FILE);
  const index = JSON.parse(await readFile(indexPath, 'utf8')) as { dtype?: unknown; shape?: unknown; names?: unknown };
  const shape = index.shape;
  if (index.dtype !== 'float32' || !Array.isArray(shape) || shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`'${indexPath}' expected { dtype: 'float32', shape: [N, H, W] }, received dtype ${JSON.stringify(index.dtype)}, shape ${JSON.stringify(shape)}`);
  }
  const [count, height, width] = shape as [number, number, number];
  const mapNames = index.names;
  if (!Array.isArray(mapNames) || mapNames.length !== count || !mapNames.every((n) => typeof n === 'string')) {
    throw new Error(`'${indexPath}' expected ${count} names (one per map), received ${Array.isArray(mapNames) ? mapNames.length : typeof mapNames}`);
  }
  const bytes = await readFile(join(mapsDir, MAPS_FILE));
  if (bytes.length !== count * height * width * 4) {
    throw new Error(`'${join(mapsDir, MAPS_FILE)}' expected ${count}×${height}×${width} float32 (${count * height * width * 4} bytes), received ${bytes.length} bytes`);
  }
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)); // [N, H, W]
  const byName = new Map((mapNames as string[]).map((name, i) => [name, i]));
  const missing = names.filter((name) => !byName.has(name));
  if (missing.length > 0) {
    throw new Error(
      `keep maps '${mapsDir}' expected a map for every image of '${imagesDir}' (paired by file name), received none for ` +
        `${missing.length} of ${names.length} images (${quoteSome(missing)}); the maps hold ${count} names for ${names.length} images`,
    );
  }
  return names.map((name) => {
    const i = byName.get(name)!;
    const map = all.subarray(i * height * width, (i + 1) * height * width);
    return height === size && width === size ? map.slice() : resizeNearest(map, width, height, size);
  });
}

/** Nearest-neighbour resize of a [H, W] map to [size, size], sampling at pixel centres. */
function resizeNearest(map: Float32Array, width: number, height: number, size: number): Float32Array {
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y += 1) {
    const sy = Math.min(height - 1, Math.floor(((y + 0.5) * height) / size));
    for (let x = 0; x < size; x += 1) {
      const sx = Math.min(width - 1, Math.floor(((x + 0.5) * width) / size));
      out[y * size + x] = map[sy * width + sx]!;
    }
  }
  return out;
}

/** Up to five names in quotes, then how many more. */
function quoteSome(names: readonly string[]): string {
  const shown = names.slice(0, 5).map((n) => `'${n}'`).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}
