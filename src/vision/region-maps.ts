/**
 * Per-pixel maps derived from a warped mask's region map (1 channel, 255 = mask), for the
 * `nonmask-tensor` stage: the binary keep map N = 1 − [mask] that the NMC loss multiplies by, a disc
 * dilation that widens the mask by a safety margin, the exact Euclidean distance to the mask
 * (Felzenszwalb & Huttenlocher's lower envelope of parabolas, one pass along columns then one along
 * rows, O(pixels)), and a keep map that fades in with distance from the mask edge. A pixel is mask when
 * its value is ≥ 128 (REGION_THRESHOLD), so resampled maps with soft edges still read sensibly.
 */
import type { RawImage } from './types.js';

/** Region-map values at or above this are mask. */
export const REGION_THRESHOLD = 128;

/** Options for {@link distanceWeightedKeepMap}. */
export interface KeepRampOptions {
  /** Distance from the mask, in pixels, at which the weight reaches 1; > 0. */
  readonly rampPx: number;
  /** Shape of the ramp: weight = floor + (1 − floor)·(d / rampPx)^power; > 0 (1 = linear). */
  readonly power: number;
  /** Weight just outside the mask edge, in [0, 1]. */
  readonly floor: number;
}

/** [height·width], row-major: 1 outside the mask, 0 inside. */
export function binaryKeepMap(region: RawImage): Float32Array {
  checkRegion(region, 'binaryKeepMap');
  return Float32Array.from(region.data, (v) => (v >= REGION_THRESHOLD ? 0 : 1));
}

/** The region grown by a Euclidean disc of radius `px` (a pixel joins when its distance to the mask is ≤ px); 0/255. */
export function dilateRegion(region: RawImage, px: number): RawImage {
  checkRegion(region, 'dilateRegion');
  if (!(Number.isFinite(px) && px >= 0)) throw new Error(`dilateRegion: expected a radius ≥ 0 in pixels, received ${px}`);
  const dist = distanceToRegion(region);
  return { width: region.width, height: region.height, channels: 1, data: Uint8Array.from(dist, (d) => (d <= px ? 255 : 0)) };
}

/**
 * [height·width], row-major: exact Euclidean distance in pixels from each pixel centre to the nearest
 * mask pixel centre; 0 inside the mask, Infinity everywhere when the map has no mask pixel.
 */
export function distanceToRegion(region: RawImage): Float32Array {
  checkRegion(region, 'distanceToRegion');
  const { width, height, data } = region;
  const n = Math.max(width, height);
  const f = new Float64Array(n);
  const d = new Float64Array(n);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  const sq = new Float64Array(width * height); // [height, width], squared distances
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) f[y] = data[y * width + x]! >= REGION_THRESHOLD ? 0 : FAR;
    transformLine(f, height, d, v, z);
    for (let y = 0; y < height; y++) sq[y * width + x] = d[y]!;
  }
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) f[x] = sq[y * width + x]!;
    transformLine(f, width, d, v, z);
    for (let x = 0; x < width; x++) out[y * width + x] = d[x]! >= FAR / 2 ? Infinity : Math.sqrt(d[x]!);
  }
  return out;
}

/**
 * [height·width], row-major: 0 inside the mask; outside, floor + (1 − floor)·min(1, d / rampPx)^power,
 * where d is {@link distanceToRegion}. All 1 when the map has no mask pixel.
 */
export function distanceWeightedKeepMap(region: RawImage, options: KeepRampOptions): Float32Array {
  const { rampPx, power, floor } = options;
  if (!(Number.isFinite(rampPx) && rampPx > 0)) throw new Error(`distanceWeightedKeepMap: expected rampPx > 0, received ${rampPx}`);
  if (!(Number.isFinite(power) && power > 0)) throw new Error(`distanceWeightedKeepMap: expected power > 0, received ${power}`);
  if (!(floor >= 0 && floor <= 1)) throw new Error(`distanceWeightedKeepMap: expected floor in [0, 1], received ${floor}`);
  const dist = distanceToRegion(region);
  return dist.map((d) => (d === 0 ? 0 : floor + (1 - floor) * Math.min(1, d / rampPx) ** power));
}

// --- helpers ----------------------------------------------------------------------------------------

/** "No mask on this line": large but finite, so the parabola intersections stay finite. */
const FAR = 1e20;

/**
 * Felzenszwalb–Huttenlocher 1D squared distance transform: d[q] = min_p (q − p)² + f[p] over the first
 * `n` entries, via the lower envelope of the parabolas rooted at each p. v holds the parabolas in the
 * envelope, z the boundaries between them. Scratch arrays are passed in to avoid allocating per line.
 */
function transformLine(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    const fq = f[q]! + q * q;
    let s = (fq - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
    while (s <= z[k]!) {
      k--;
      s = (fq - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1]! < q) k++;
    const p = v[k]!;
    d[q] = (q - p) * (q - p) + f[p]!;
  }
}

function checkRegion(region: RawImage, caller: string): void {
  if (region.channels !== 1) throw new Error(`${caller}: expected a 1-channel region map, received ${region.channels} channels`);
  if (!(Number.isInteger(region.width) && Number.isInteger(region.height) && region.width > 0 && region.height > 0)) {
    throw new Error(`${caller}: expected a region map of positive integer size, received ${region.width}×${region.height}`);
  }
  if (region.data.length !== region.width * region.height) {
    throw new Error(`${caller}: expected ${region.width}×${region.height} = ${region.width * region.height} bytes, received ${region.data.length}`);
  }
}
