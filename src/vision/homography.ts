/**
 * Plane-to-plane projective transforms (homographies) for placing a mask template on a face: a
 * normalised DLT fit over four or more point pairs (Hartley normalisation, then the eigenvector of the
 * smallest eigenvalue of AᵀA), applying a transform to a point, and inverting one. This stands in for
 * MaskTheFace's `cv2.findHomography(template_points, face_points)` with its default plain least squares
 * (no RANSAC). The eigen-decomposition is a small cyclic Jacobi solver for symmetric matrices, written
 * here so the vision code needs no linear-algebra dependency; the ellipse fit in face-geometry uses it too.
 */
import type { Point } from './types.js';

/** A 3×3 projective transform, row-major: [h0 h1 h2; h3 h4 h5; h6 h7 h8], scaled so h8 = 1 when it can be. */
export type Homography = Float64Array;

/** Anything indexable as the 9 entries of a row-major 3×3 matrix (a `Homography`, a plain array). */
export type HomographyLike = ArrayLike<number>;

/** Eigenpairs of a symmetric matrix, sorted by ascending eigenvalue; `vectors[i]` goes with `values[i]`. */
export interface SymmetricEigen {
  readonly values: Float64Array;
  readonly vectors: readonly Float64Array[];
}

/**
 * Eigenvalues and unit eigenvectors of a symmetric n×n matrix (row-major, only read, never changed) by
 * cyclic Jacobi rotations. Accurate to about machine precision relative to the largest eigenvalue, which
 * is what a least-squares null vector needs; meant for small n (≤ ~20).
 */
export function decomposeSymmetricEigen(matrix: ArrayLike<number>, n: number): SymmetricEigen {
  if (!Number.isInteger(n) || n < 1 || matrix.length !== n * n) {
    throw new Error(`decomposeSymmetricEigen: expected an n×n matrix with n ≥ 1, received ${matrix.length} entries for n = ${n}`);
  }
  const a = Float64Array.from(matrix); // [n*n], becomes diagonal
  const v = new Float64Array(n * n); // [n*n], columns are eigenvectors
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += a[i]! * a[i]!;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! * a[p * n + q]!;
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0) continue;
        // Rotation J (J_pp = J_qq = c, J_pq = s, J_qp = −s) with t = s/c the smaller root of t² + 2θt − 1 = 0.
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[i * n + i]! - a[j * n + j]!);
  return {
    values: Float64Array.from(order, (i) => a[i * n + i]!),
    vectors: order.map((j) => Float64Array.from({ length: n }, (_, k) => v[k * n + j]!)),
  };
}

/**
 * The homography H with `to[i] ≈ H·from[i]` in the least-squares (algebraic, normalised DLT) sense.
 * Needs at least 4 pairs in general position; throws on fewer pairs, mismatched lengths, non-finite
 * coordinates, collinear point sets and any other set that does not fix H up to scale.
 */
export function fitHomography(from: readonly Point[], to: readonly Point[]): Homography {
  if (from.length !== to.length) {
    throw new Error(`fitHomography: expected 'from' and 'to' of equal length, received ${from.length} and ${to.length}`);
  }
  if (from.length < 4) throw new Error(`fitHomography: expected at least 4 point correspondences, received ${from.length}`);
  const t1 = normalisePoints(from, 'from');
  const t2 = normalisePoints(to, 'to');
  // AᵀA accumulated pair by pair; each pair adds two rows of A (9 columns):
  //   [−x −y −1  0  0  0  x'x x'y x']   and   [0 0 0  −x −y −1  y'x y'y y']
  const ata = new Float64Array(81); // [9*9]
  const row = new Float64Array(9);
  for (let i = 0; i < from.length; i++) {
    const [x, y] = t1.points[i]!;
    const [xp, yp] = t2.points[i]!;
    row.set([-x, -y, -1, 0, 0, 0, xp * x, xp * y, xp]);
    addOuter(ata, row);
    row.set([0, 0, 0, -x, -y, -1, yp * x, yp * y, yp]);
    addOuter(ata, row);
  }
  const { values, vectors } = decomposeSymmetricEigen(ata, 9);
  const largest = values[8]!;
  if (!(values[1]! > 1e-10 * largest)) {
    throw new Error(
      `fitHomography: expected ${from.length} correspondences in general position (no three of any four on one line), ` +
        `received a degenerate set whose homography is not unique`,
    );
  }
  const hn = vectors[0]!; // [9], normalised-space homography
  // H = T2⁻¹ · Ĥ · T1
  const h = multiply3(multiply3(inverseSimilarity(t2), hn), similarity(t1));
  return scaleHomography(h, 'fitHomography');
}

/** H·p in pixels. A point on H's vanishing line maps to non-finite coordinates. */
export function applyHomography(h: HomographyLike, p: Point): Point {
  const [x, y] = p;
  const w = h[6]! * x + h[7]! * y + h[8]!;
  return [(h[0]! * x + h[1]! * y + h[2]!) / w, (h[3]! * x + h[4]! * y + h[5]!) / w];
}

/** H⁻¹ (by the adjugate), scaled so its last entry is 1 when it can be. Throws on a singular H. */
export function invertHomography(h: HomographyLike): Homography {
  if (h.length !== 9) throw new Error(`invertHomography: expected 9 entries (3×3 row-major), received ${h.length}`);
  const [a, b, c, d, e, f, g, k, l] = Array.from(h) as [number, number, number, number, number, number, number, number, number];
  const adj = Float64Array.of(
    e * l - f * k, c * k - b * l, b * f - c * e,
    f * g - d * l, a * l - c * g, c * d - a * f,
    d * k - e * g, b * g - a * k, a * e - b * d,
  );
  const det = a * adj[0]! + b * adj[3]! + c * adj[6]!;
  let norm = 0;
  for (let i = 0; i < 9; i++) norm = Math.max(norm, Math.abs(h[i]!));
  if (!Number.isFinite(det) || Math.abs(det) <= 1e-12 * norm ** 3) {
    throw new Error(`invertHomography: expected a non-singular 3×3 matrix, received one with determinant ${det}`);
  }
  for (let i = 0; i < 9; i++) adj[i] = adj[i]! / det;
  return scaleHomography(adj, 'invertHomography');
}

// --- helpers ----------------------------------------------------------------------------------------

/** Hartley normalisation: centroid to the origin, mean distance √2. */
interface Normalised {
  readonly points: Point[];
  readonly cx: number;
  readonly cy: number;
  readonly s: number;
}

function normalisePoints(points: readonly Point[], name: string): Normalised {
  let cx = 0;
  let cy = 0;
  points.forEach(([x, y], i) => {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      throw new Error(`fitHomography: expected finite coordinates, received [${x}, ${y}] at ${name}[${i}]`);
    }
    cx += x;
    cy += y;
  });
  cx /= points.length;
  cy /= points.length;
  let meanDist = 0;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const [x, y] of points) {
    const dx = x - cx;
    const dy = y - cy;
    meanDist += Math.hypot(dx, dy);
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  meanDist /= points.length;
  // Smallest eigenvalue of the 2×2 scatter matrix relative to the largest: ~0 when all points share a line.
  const half = (sxx + syy) / 2;
  const root = Math.sqrt(((sxx - syy) / 2) ** 2 + sxy * sxy);
  if (!(meanDist > 0) || half - root <= 1e-10 * (half + root)) {
    throw new Error(`fitHomography: expected '${name}' points not all on one line, received ${points.length} collinear or coincident points`);
  }
  const s = Math.SQRT2 / meanDist;
  return { points: points.map(([x, y]) => [(x - cx) * s, (y - cy) * s] as const), cx, cy, s };
}

function similarity(t: Normalised): Float64Array {
  return Float64Array.of(t.s, 0, -t.s * t.cx, 0, t.s, -t.s * t.cy, 0, 0, 1);
}

function inverseSimilarity(t: Normalised): Float64Array {
  return Float64Array.of(1 / t.s, 0, t.cx, 0, 1 / t.s, t.cy, 0, 0, 1);
}

function addOuter(target: Float64Array, row: Float64Array): void {
  for (let i = 0; i < 9; i++) {
    const ri = row[i]!;
    if (ri === 0) continue;
    for (let j = 0; j < 9; j++) target[i * 9 + j] = target[i * 9 + j]! + ri * row[j]!;
  }
}

function multiply3(p: ArrayLike<number>, q: ArrayLike<number>): Float64Array {
  const out = new Float64Array(9);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      out[r * 3 + c] = p[r * 3]! * q[c]! + p[r * 3 + 1]! * q[3 + c]! + p[r * 3 + 2]! * q[6 + c]!;
    }
  }
  return out;
}

/** Fix the free scale: h8 = 1 when h8 is not ~0, else unit Frobenius norm. */
function scaleHomography(h: Float64Array, caller: string): Homography {
  let norm = 0;
  for (let i = 0; i < 9; i++) norm += h[i]! * h[i]!;
  norm = Math.sqrt(norm);
  if (!Number.isFinite(norm) || norm === 0) throw new Error(`${caller}: expected a finite non-zero matrix, received norm ${norm}`);
  const scale = Math.abs(h[8]!) > 1e-12 * norm ? h[8]! : norm;
  return h.map((x) => x / scale);
}
