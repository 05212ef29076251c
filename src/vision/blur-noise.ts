/**
 * How soft and how grainy a picture is, measured on luminance planes, and the Gaussian blur that softens
 * one. Blur is the σ of a Gaussian point-spread function, estimated at edges by re-blurring (Zhuo & Sim,
 * "Defocus map estimation from a single image", 2011): a step edge blurred by σ has a gradient peak
 * ∝ 1/σ, and after a further blur by σ₀ one ∝ 1/√(σ² + σ₀²), so the ratio R of the two peaks gives
 * σ = σ₀ / √(R² − 1) — independent of the edge's contrast. Edge pixels are gradient maxima along the
 * gradient direction among the strongest tenth (and well above the noise); the median over them is the
 * picture's σ. The plane is blurred by 1 px first, to quiet noise, and that is taken out in quadrature.
 * Pixel sampling puts a floor of about 0.7 px under a perfectly sharp edge; on synthetic edges blurred by
 * a known σ the estimate is about √(σ² + 0.7²). Noise is Immerkær's estimate ("Fast noise
 * variance estimation", 1996): the mean absolute response to a kernel that cancels every plane and ramp,
 * scaled to a Gaussian σ, over pixels that are not edges (the tenth with the strongest gradient left out).
 */

/** A single-channel float image, row-major `[height, width]`. */
export interface Plane {
  readonly width: number;
  readonly height: number;
  readonly data: Float64Array;
}

/** A blur estimate: the PSF σ in pixels and how many edge pixels it is the median of. */
export interface BlurEstimate {
  readonly sigma: number;
  readonly edges: number;
}

/** The extra blur used to measure blur; large enough to separate blurry from very blurry edges. */
export const REBLUR_SIGMA = 1.5;
/** The σ reported for an edge that a re-blur hardly changes (ratio ≤ 1 + 1e-3). */
export const MAX_BLUR_SIGMA = 12;
/** Fewest edge pixels for a blur estimate; below this the picture has too few edges to say. */
const MIN_EDGES = 12;
/** Weakest gradient (levels per pixel) that counts as an edge, so flat noise never does. */
const MIN_EDGE_GRADIENT = 3;
/**
 * Blur applied before measuring (and taken out of the result in quadrature): it quiets noise, which
 * would otherwise pass for sharp edges on a blurry, grainy photo.
 */
const PRE_BLUR_SIGMA = 1;
/** An edge must also beat this many noise σs of gradient, so grain on a soft photo is not its edges. */
const NOISE_EDGE_FACTOR = 2.5;

/** The Gaussian-blurred plane; `edge` is what lies beyond the border: zeros, or the border pixels repeated. */
export function blurPlane(plane: Plane, sigma: number, edge: 'zero' | 'clamp'): Plane {
  if (!(sigma >= 0) || !Number.isFinite(sigma)) throw new Error(`blurPlane: sigma expected a finite number ≥ 0, received ${sigma}`);
  if (sigma === 0) return { ...plane, data: new Float64Array(plane.data) };
  const kernel = gaussianKernel(sigma);
  const rows = blurRows(plane.data, plane.width, plane.height, kernel, edge === 'zero');
  return { width: plane.width, height: plane.height, data: blurColumns(rows, plane.width, plane.height, kernel, edge === 'zero') };
}

/**
 * One horizontal pass of `kernel` over a `[h, w]` plane. Beyond the border: zeros, or the border pixel
 * repeated. Every output sums its taps from the leftmost to the rightmost, inside or near the border alike.
 */
function blurRows(src: Float64Array, w: number, h: number, kernel: Float64Array, zero: boolean): Float64Array {
  const out = new Float64Array(w * h);
  const r = (kernel.length - 1) / 2;
  const taps = kernel.length;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      let sum = 0;
      if (x - r >= 0 && x + r < w) {
        for (let k = 0, j = row + x - r; k < taps; k++, j++) sum += kernel[k]! * src[j]!;
      } else {
        for (let k = 0; k < taps; k++) {
          let j = x + k - r;
          if (j < 0 || j >= w) {
            if (zero) continue;
            j = j < 0 ? 0 : w - 1;
          }
          sum += kernel[k]! * src[row + j]!;
        }
      }
      out[row + x] = sum;
    }
  }
  return out;
}

/** `blurRows` down the columns: the same sums, taps from the top to the bottom. */
function blurColumns(src: Float64Array, w: number, h: number, kernel: Float64Array, zero: boolean): Float64Array {
  const out = new Float64Array(w * h);
  const r = (kernel.length - 1) / 2;
  const taps = kernel.length;
  for (let y = 0; y < h; y++) {
    if (y - r >= 0 && y + r < h) {
      // a whole row of outputs with every tap inside: walk the taps outside, the row inside (cache friendly)
      const row = y * w;
      for (let k = 0; k < taps; k++) {
        const c = kernel[k]!;
        const from = (y + k - r) * w;
        if (k === 0) for (let x = 0; x < w; x++) out[row + x] = c * src[from + x]!;
        else for (let x = 0; x < w; x++) out[row + x] = out[row + x]! + c * src[from + x]!;
      }
      continue;
    }
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let k = 0; k < taps; k++) {
        let j = y + k - r;
        if (j < 0 || j >= h) {
          if (zero) continue;
          j = j < 0 ? 0 : h - 1;
        }
        sum += kernel[k]! * src[j * w + x]!;
      }
      out[y * w + x] = sum;
    }
  }
  return out;
}

/** A normalised Gaussian kernel of radius ⌈3σ⌉. */
export function gaussianKernel(sigma: number): Float64Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let k = -r; k <= r; k++) sum += kernel[k + r] = Math.exp(-(k * k) / (2 * sigma * sigma));
  for (let k = 0; k < kernel.length; k++) kernel[k] = kernel[k]! / sum;
  return kernel;
}

/**
 * The PSF σ of `plane` at its edges (see the module comment), counting only pixels where `include` is
 * non-zero (all when absent) and away from the border; `noiseSigma` (the plane's own, from
 * `estimateNoiseSigma`) keeps grain from counting as edges. Null when fewer than a dozen edge pixels qualify.
 */
export function estimateBlurSigma(plane: Plane, include?: Uint8Array, noiseSigma = 0): BlurEstimate | null {
  const { width: w, height: h } = plane;
  const base = blurPlane(plane, PRE_BLUR_SIGMA, 'clamp');
  const sharp = gradients(base);
  const soft = gradientMagnitude(blurPlane(base, REBLUR_SIGMA, 'clamp'));
  const pixels = interior(w, h, include);
  const strong = quantile(gather(sharp.magnitude, pixels), 0.9);
  const threshold = Math.max(MIN_EDGE_GRADIENT, strong, NOISE_EDGE_FACTOR * noiseSigma);
  const sigmas: number[] = [];
  for (const i of pixels) {
    const g = sharp.magnitude[i]!;
    if (g < threshold || !isRidge(sharp, i, w)) continue;
    const ratio = g / Math.max(1e-9, soft[i]!);
    sigmas.push(ratio <= 1 + 1e-3 ? MAX_BLUR_SIGMA : Math.min(MAX_BLUR_SIGMA, REBLUR_SIGMA / Math.sqrt(ratio * ratio - 1)));
  }
  if (sigmas.length < MIN_EDGES) return null;
  const median = quantile(Float64Array.from(sigmas), 0.5);
  return { sigma: Math.sqrt(Math.max(0, median * median - PRE_BLUR_SIGMA * PRE_BLUR_SIGMA)), edges: sigmas.length };
}

/**
 * Immerkær's noise σ of `plane` in its own units (e.g. 0..255 levels), over pixels where `include` is
 * non-zero (all when absent), away from the border and off the strongest tenth of gradients; null when
 * fewer than 64 pixels remain.
 */
export function estimateNoiseSigma(plane: Plane, include?: Uint8Array): number | null {
  const { width: w, height: h, data } = plane;
  const magnitude = gradientMagnitude(plane);
  const pixels = interior(w, h, include);
  const edge = quantile(gather(magnitude, pixels), 0.9);
  let sum = 0;
  let n = 0;
  for (const i of pixels) {
    if (magnitude[i]! > edge) continue;
    // [1 −2 1; −2 4 −2; 1 −2 1]: zero on any plane, 36σ² in variance on white noise
    const v =
      data[i - w - 1]! - 2 * data[i - w]! + data[i - w + 1]! -
      2 * data[i - 1]! + 4 * data[i]! - 2 * data[i + 1]! +
      data[i + w - 1]! - 2 * data[i + w]! + data[i + w + 1]!;
    sum += Math.abs(v);
    n += 1;
  }
  return n < 64 ? null : (Math.sqrt(Math.PI / 2) * sum) / (6 * n);
}

// --- helpers ----------------------------------------------------------------------------------------

/** Central-difference gradients: magnitude, and the two components (for the direction, where it is asked for). */
interface Gradients {
  magnitude: Float64Array;
  gx: Float64Array;
  gy: Float64Array;
}

function gradients(plane: Plane): Gradients {
  const gx = new Float64Array(plane.width * plane.height);
  const gy = new Float64Array(plane.width * plane.height);
  return { magnitude: centralDifferences(plane, gx, gy), gx, gy };
}

/** The gradient magnitude of `plane` alone, without the two component planes. */
function gradientMagnitude(plane: Plane): Float64Array {
  return centralDifferences(plane);
}

/** Central-difference gradient magnitudes (0 on the border); the components go into `gxs` and `gys` when given. */
function centralDifferences(plane: Plane, gxs?: Float64Array, gys?: Float64Array): Float64Array {
  const { width: w, height: h, data } = plane;
  const magnitude = new Float64Array(w * h);
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const gx = (data[i + 1]! - data[i - 1]!) / 2;
      const gy = (data[i + w]! - data[i - w]!) / 2;
      magnitude[i] = Math.sqrt(gx * gx + gy * gy);
      if (gxs !== undefined) {
        gxs[i] = gx;
        gys![i] = gy;
      }
    }
  }
  return magnitude;
}

/** A gradient maximum across the edge: no smaller than either neighbour along the gradient direction. */
function isRidge(g: Gradients, i: number, w: number): boolean {
  const angle = Math.atan2(g.gy[i]!, g.gx[i]!);
  const a = ((angle % Math.PI) + Math.PI) % Math.PI; // 0..π
  const bin = Math.round(a / (Math.PI / 4)) % 4; // 0: along x, 1: diagonal ↘, 2: along y, 3: diagonal ↙
  const step = bin === 0 ? 1 : bin === 1 ? w + 1 : bin === 2 ? w : w - 1;
  const m = g.magnitude[i]!;
  return m >= g.magnitude[i - step]! && m >= g.magnitude[i + step]!;
}

/** Indices of pixels two or more from the border (so neighbours' gradients exist), where `include` allows. */
function interior(w: number, h: number, include?: Uint8Array): Int32Array {
  const out = new Int32Array(Math.max(0, (w - 4) * (h - 4)));
  let n = 0;
  for (let y = 2; y < h - 2; y++) {
    for (let x = 2; x < w - 2; x++) {
      const i = y * w + x;
      if (include === undefined || include[i] !== 0) out[n++] = i;
    }
  }
  return out.subarray(0, n);
}

/** `values[i]` for each index, as a new array. */
function gather(values: Float64Array, indices: Int32Array): Float64Array {
  const out = new Float64Array(indices.length);
  for (let k = 0; k < indices.length; k++) out[k] = values[indices[k]!]!;
  return out;
}

/**
 * The q-quantile (nearest rank) of `values` — the element a full sort would put at ⌊q·n⌋ — by selection
 * (Hoare's quickselect, expected linear time); reorders `values`. 0 for none.
 */
function quantile(values: Float64Array, q: number): number {
  const n = values.length;
  if (n === 0) return 0;
  const k = Math.min(n - 1, Math.floor(q * n));
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return values[k]!;
}
