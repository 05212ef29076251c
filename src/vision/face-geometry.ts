/**
 * Face geometry from iBUG-68 landmarks, ported from MaskTheFace (`utils/aux_functions.py`,
 * `get_six_points`, `get_angle`, `utils/fit_ellipse.py`; MODEL.md §4.2): the six anchors a..f a mask
 * template is warped onto, the nose-vs-face-axis tilt that picks the frontal/left/right template, and
 * rough roll and yaw estimates for filtering. Lines are infinite and every jaw hit is taken segment by
 * segment with MaskTheFace's ±1 px slack. NOTE: one deliberate change: "down" is the face's own down
 * (perpendicular to the eye line) and the nose length is |27→30|, where MaskTheFace shifts lines along
 * image y by y30 − y27. For an upright face the two agree; ours also rotates with the face.
 */
import { decomposeSymmetricEigen } from './homography.js';
import type { Landmarks68, MaskAnchors, Point, TemplateVariant } from './types.js';

/** Bottom-lip landmarks as MaskTheFace's `bottom_lip` group: 54..59, 48, 60, 64..67. */
const BOTTOM_LIP = [54, 55, 56, 57, 58, 59, 48, 60, 64, 65, 66, 67] as const;

/** Slack, in pixels, when testing whether a line's hit lies on a jaw segment (as MaskTheFace). */
const SEGMENT_SLACK_PX = 1;

/** An infinite line through `p` with direction `d`. */
interface Line {
  readonly p: Point;
  readonly d: Point;
}

/** Centres of the two eyes: `left` = mean(36..41) (image left), `right` = mean(42..47). */
export function eyeCentres(landmarks: Landmarks68): { left: Point; right: Point } {
  checkLandmarks(landmarks, 'eyeCentres');
  return { left: meanOf(landmarks, [36, 37, 38, 39, 40, 41]), right: meanOf(landmarks, [42, 43, 44, 45, 46, 47]) };
}

/**
 * MaskTheFace's six face anchors. b = midpoint of 27 and 30. a/c = first/last jaw hits of the eye-line
 * parallel one nose length down (fallbacks: a least-squares ellipse through the jaw, then jaw points
 * 0/16). d/f = first/last jaw hits of the eye-line parallel through the lowest bottom-lip point
 * (fallbacks, ours: the ellipse, then jaw points 4/12). e = mean of the first jaw hits of the face axis
 * (27 → bottom-lip mean) and of the perpendicular through the eye midpoint half a nose length down
 * (fallback, ours: jaw point 8). `imageWidth` is checked but does not change the result: MaskTheFace draws
 * each line across x ∈ [0, imageWidth], yet intersects it as an infinite line.
 */
export function computeMaskAnchors(landmarks: Landmarks68, imageWidth: number): MaskAnchors {
  checkLandmarks(landmarks, 'computeMaskAnchors');
  if (!(Number.isFinite(imageWidth) && imageWidth > 0)) {
    throw new Error(`computeMaskAnchors: expected a positive image width, received ${imageWidth}`);
  }
  const lm = landmarks;
  const jaw = lm.slice(0, 17);
  const { mid, along, down } = computeFaceFrame(lm);
  const p27 = lm[27]!;
  const p30 = lm[30]!;
  const noseLength = Math.hypot(p30[0] - p27[0], p30[1] - p27[1]);
  let ellipse: Point[] | null | undefined; // fitted once, on first need
  const jawEllipse = (): Point[] | null => (ellipse === undefined ? (ellipse = sampleJawEllipse(jaw)) : ellipse);

  /** First/last hits on the jaw; else the extreme hits on the ellipse along the line; else `fallback`. */
  const crossCheeks = (line: Line, fallback: readonly [number, number]): [Point, Point] => {
    const hits = intersectPolyline(line, jaw);
    if (hits.length >= 2) return [hits[0]!, hits[hits.length - 1]!];
    const curve = jawEllipse();
    // NOTE: the sampled ellipse runs 0..2.2π, so it overlaps itself and polyline order says nothing about
    // left/right; the extreme hits along the line's direction do.
    const onCurve = curve === null ? [] : intersectPolyline(line, curve);
    if (onCurve.length >= 2) return pickExtremes(onCurve, line);
    return [lm[fallback[0]]!, lm[fallback[1]]!];
  };

  const b = midpoint(p27, p30);
  const [a, c] = crossCheeks({ p: offset(mid, down, noseLength), d: along }, [0, 16]);
  const lipDepth = Math.max(...BOTTOM_LIP.map((i) => dot(sub(lm[i]!, mid), down)));
  const [d, f] = crossCheeks({ p: offset(mid, down, lipDepth), d: along }, [4, 12]);

  const lipMean = meanOf(lm, BOTTOM_LIP);
  const onAxis = intersectPolyline({ p: p27, d: sub(lipMean, p27) }, jaw)[0];
  const onPerp = intersectPolyline({ p: offset(mid, down, noseLength / 2), d: down }, jaw)[0];
  const e = onAxis && onPerp ? midpoint(onAxis, onPerp) : (onAxis ?? onPerp ?? lm[8]!);
  return { a, b, c, d, e, f };
}

/** The anchors in MaskTheFace's array order a, b, c, f, e, d (the order `masks.cfg` lists them in). */
export function listAnchorPoints(anchors: MaskAnchors): Point[] {
  return [anchors.a, anchors.b, anchors.c, anchors.f, anchors.e, anchors.d];
}

/**
 * MaskTheFace's tilt, in degrees: direction of the nose line 27→30 minus direction of the face axis
 * 27→bottom-lip mean, each folded into [0°, 180°) (image coordinates, y down). Negative when the nose
 * tip points to image right of the axis.
 */
export function computeTilt(landmarks: Landmarks68): number {
  checkLandmarks(landmarks, 'computeTilt');
  const p27 = landmarks[27]!;
  const fold = (from: Point, to: Point): number => {
    const deg = (Math.atan2(to[1] - from[1], to[0] - from[0]) * 180) / Math.PI;
    return ((deg % 180) + 180) % 180;
  };
  return fold(p27, landmarks[30]!) - fold(p27, meanOf(landmarks, BOTTOM_LIP));
}

/**
 * The template variant for a tilt: below −threshold → 'right', above +threshold → 'left', else 'frontal'.
 * @default threshold 13 (degrees, MaskTheFace)
 */
export function chooseTemplateVariant(tiltDeg: number, threshold = 13): TemplateVariant {
  if (!Number.isFinite(tiltDeg)) throw new Error(`chooseTemplateVariant: expected a finite tilt in degrees, received ${tiltDeg}`);
  if (tiltDeg < -threshold) return 'right';
  if (tiltDeg > threshold) return 'left';
  return 'frontal';
}

/** In-plane rotation in degrees: angle of the eye line (left → right eye centre); positive turns clockwise on screen (y down). */
export function estimateRollDeg(landmarks: Landmarks68): number {
  const { left, right } = eyeCentres(landmarks);
  return (Math.atan2(right[1] - left[1], right[0] - left[0]) * 180) / Math.PI;
}

/** Options for {@link estimateYawDeg}. */
export interface YawOptions {
  /** Reference pair: jaw points 0/16 or outer eye corners 36/45. @default 'jaw' */
  readonly reference?: 'jaw' | 'eye-corners';
}

/**
 * Rough yaw in degrees, positive when the nose tip (30) turns towards image right. Along the eye line,
 * t = (nose − midpoint of the pair) / half the pair's width, and yaw = asin(t) (t clamped to [−1, 1]).
 * The approximation: the head is a vertical cylinder whose radius is half the jaw width with the nose tip
 * on its surface; jaw points 0/16 are silhouette points, which stay at ±radius as the head turns, while
 * the nose tip moves to radius·sin(yaw). Eye corners are not silhouette points: they turn with the head,
 * their projected width shrinks and the nose sits further in front of them, so with them the estimate
 * overstates yaw (roughly tan-like growth). A coarse filter signal, not a pose solver.
 */
export function estimateYawDeg(landmarks: Landmarks68, options: YawOptions = {}): number {
  checkLandmarks(landmarks, 'estimateYawDeg');
  const [i, j] = options.reference === 'eye-corners' ? [36, 45] : [0, 16];
  const { along } = computeFaceFrame(landmarks);
  const pl = landmarks[i]!;
  const pr = landmarks[j]!;
  const half = dot(sub(pr, pl), along) / 2;
  if (!(half > 0)) throw new Error(`estimateYawDeg: expected landmark ${j} to the right of ${i} along the eye line, received a width of ${2 * half}`);
  const t = dot(sub(landmarks[30]!, midpoint(pl, pr)), along) / half;
  return (Math.asin(Math.max(-1, Math.min(1, t))) * 180) / Math.PI;
}

// --- helpers ----------------------------------------------------------------------------------------

function checkLandmarks(landmarks: Landmarks68, caller: string): void {
  if (landmarks.length !== 68) throw new Error(`${caller}: expected 68 landmarks (iBUG layout), received ${landmarks.length}`);
  landmarks.forEach((p, i) => {
    if (p.length !== 2 || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
      throw new Error(`${caller}: expected finite [x, y] landmarks, received [${p.join(', ')}] at index ${i}`);
    }
  });
}

/** Eye midpoint, unit direction along the eye line (left → right) and the face's unit down direction. */
function computeFaceFrame(landmarks: Landmarks68): { mid: Point; along: Point; down: Point } {
  const { left, right } = eyeCentres(landmarks);
  const len = Math.hypot(right[0] - left[0], right[1] - left[1]);
  if (!(len > 0)) throw new Error('face geometry: expected two distinct eye centres, received coincident ones');
  const along: Point = [(right[0] - left[0]) / len, (right[1] - left[1]) / len];
  // MaskTheFace's perpendicular (mx − dy, my + dx): for a level face this is +y, i.e. down.
  return { mid: midpoint(left, right), along, down: [-along[1], along[0]] };
}

/** Where an infinite line crosses each segment of a polyline, in polyline order (±1 px slack per segment). */
function intersectPolyline(line: Line, poly: readonly Point[]): Point[] {
  const hits: Point[] = [];
  const [dx, dy] = line.d;
  for (let i = 0; i + 1 < poly.length; i++) {
    const q0 = poly[i]!;
    const q1 = poly[i + 1]!;
    const ex = q1[0] - q0[0];
    const ey = q1[1] - q0[1];
    const denom = ex * dy - ey * dx; // cross(e, d)
    if (Math.abs(denom) <= 1e-12 * Math.hypot(ex, ey) * Math.hypot(dx, dy)) continue; // parallel
    const s = ((line.p[0] - q0[0]) * dy - (line.p[1] - q0[1]) * dx) / denom; // cross(p − q0, d) / cross(e, d)
    const x = q0[0] + s * ex;
    const y = q0[1] + s * ey;
    const inX = x >= Math.min(q0[0], q1[0]) - SEGMENT_SLACK_PX && x <= Math.max(q0[0], q1[0]) + SEGMENT_SLACK_PX;
    const inY = y >= Math.min(q0[1], q1[1]) - SEGMENT_SLACK_PX && y <= Math.max(q0[1], q1[1]) + SEGMENT_SLACK_PX;
    if (inX && inY) hits.push([x, y]);
  }
  return hits;
}

/** The hits furthest back and furthest forward along the line's direction. */
function pickExtremes(hits: readonly Point[], line: Line): [Point, Point] {
  const along = (p: Point): number => dot(sub(p, line.p), line.d);
  const sorted = [...hits].sort((p, q) => along(p) - along(q));
  return [sorted[0]!, sorted[sorted.length - 1]!];
}

/**
 * A least-squares conic through the jaw points (smallest eigenvector of DᵀD, rows [x², xy, y², x, y, 1],
 * in Hartley-normalised coordinates), sampled as MaskTheFace does: parameter 0..2.2π in steps of 0.2.
 * Null when the best conic is not a real ellipse.
 */
function sampleJawEllipse(jaw: readonly Point[]): Point[] | null {
  const cx = jaw.reduce((s, p) => s + p[0], 0) / jaw.length;
  const cy = jaw.reduce((s, p) => s + p[1], 0) / jaw.length;
  const scale = Math.SQRT2 / (jaw.reduce((s, p) => s + Math.hypot(p[0] - cx, p[1] - cy), 0) / jaw.length);
  const dtd = new Float64Array(36); // [6*6]
  for (const [px, py] of jaw) {
    const x = (px - cx) * scale;
    const y = (py - cy) * scale;
    const row = [x * x, x * y, y * y, x, y, 1];
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) dtd[i * 6 + j] = dtd[i * 6 + j]! + row[i]! * row[j]!;
  }
  const [A, B, C, D, E, F] = Array.from(decomposeSymmetricEigen(dtd, 6).vectors[0]!) as [number, number, number, number, number, number];
  const det = 4 * A * C - B * B;
  if (!(det > 1e-12 * (A * A + B * B + C * C))) return null;
  const x0 = (B * E - 2 * C * D) / det;
  const y0 = (B * D - 2 * A * E) / det;
  const f0 = F + (D * x0 + E * y0) / 2; // conic value at the centre
  const phi = Math.atan2(B, A - C) / 2; // principal axis of the quadratic form
  const [cp, sp] = [Math.cos(phi), Math.sin(phi)];
  const la = A * cp * cp + B * cp * sp + C * sp * sp;
  const lb = A * sp * sp - B * cp * sp + C * cp * cp;
  const ra = Math.sqrt(-f0 / la);
  const rb = Math.sqrt(-f0 / lb);
  if (!Number.isFinite(ra) || !Number.isFinite(rb)) return null;
  const samples: Point[] = [];
  for (let k = 0; k * 0.2 < 2.2 * Math.PI; k++) {
    const r = k * 0.2;
    const x = x0 + ra * Math.cos(r) * cp - rb * Math.sin(r) * sp;
    const y = y0 + ra * Math.cos(r) * sp + rb * Math.sin(r) * cp;
    samples.push([x / scale + cx, y / scale + cy]);
  }
  return samples;
}

function meanOf(landmarks: Landmarks68, indices: readonly number[]): Point {
  let x = 0;
  let y = 0;
  for (const i of indices) {
    x += landmarks[i]![0];
    y += landmarks[i]![1];
  }
  return [x / indices.length, y / indices.length];
}

function midpoint(p: Point, q: Point): Point {
  return [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2];
}

function offset(p: Point, dir: Point, by: number): Point {
  return [p[0] + dir[0] * by, p[1] + dir[1] * by];
}

function sub(p: Point, q: Point): Point {
  return [p[0] - q[0], p[1] - q[1]];
}

function dot(p: Point, q: Point): number {
  return p[0] * q[0] + p[1] * q[1];
}
