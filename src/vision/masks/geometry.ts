/**
 * Plain 2-D helpers the mask drawings are built from: sampling cubic Béziers and functions into
 * polylines, mirroring a half outline, densifying, offsetting along normals, and writing a polyline as
 * an SVG path string. Everything is a polyline of `Point`s so that one projection (see projection.ts)
 * can bend any drawing into a turned view; numbers are written with one decimal, so the same geometry
 * always gives the same SVG bytes.
 */
import type { Point } from '../types.js';

/** `n + 1` points along the cubic Bézier p0 → p3 (both ends included). */
export function sampleCubic(p0: Point, p1: Point, p2: Point, p3: Point, n = 32): Point[] {
  const out: Point[] = [];
  for (let i = 0; i <= n; i++) {
    const t = i / n;
    const u = 1 - t;
    const w0 = u * u * u;
    const w1 = 3 * u * u * t;
    const w2 = 3 * u * t * t;
    const w3 = t * t * t;
    out.push([w0 * p0[0] + w1 * p1[0] + w2 * p2[0] + w3 * p3[0], w0 * p0[1] + w1 * p1[1] + w2 * p2[1] + w3 * p3[1]]);
  }
  return out;
}

/** `n + 1` points (x, f(x)) for x from `x0` to `x1`. */
export function sampleFunction(f: (x: number) => number, x0: number, x1: number, n = 48): Point[] {
  const out: Point[] = [];
  for (let i = 0; i <= n; i++) {
    const x = x0 + ((x1 - x0) * i) / n;
    out.push([x, f(x)]);
  }
  return out;
}

/** `n` points on an ellipse, clockwise on screen from the rightmost point. */
export function sampleEllipse(cx: number, cy: number, rx: number, ry: number, n = 40): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < n; i++) {
    const t = (2 * Math.PI * i) / n;
    out.push([cx + rx * Math.cos(t), cy + ry * Math.sin(t)]);
  }
  return out;
}

/** `n` points on a superellipse |x/rx|^p + |y/ry|^p = 1 (p = 4: a rounded square). */
export function sampleSuperellipse(cx: number, cy: number, rx: number, ry: number, p = 4, n = 48): Point[] {
  return sampleEllipse(0, 0, 1, 1, n).map(([c, s]): Point => [
    cx + rx * Math.sign(c) * Math.abs(c) ** (2 / p),
    cy + ry * Math.sign(s) * Math.abs(s) ** (2 / p),
  ]);
}

/** Polylines joined end to end; a point equal to the previous one (a shared joint) is dropped. */
export function joinPolylines(...parts: readonly (readonly Point[])[]): Point[] {
  const out: Point[] = [];
  for (const part of parts) {
    for (const p of part) {
      const last = out[out.length - 1];
      if (last !== undefined && Math.abs(last[0] - p[0]) < 1e-9 && Math.abs(last[1] - p[1]) < 1e-9) continue;
      out.push(p);
    }
  }
  return out;
}

/** A polyline mirrored about x = 0, in reverse order (so right half + mirrored right half closes a loop). */
export function mirrorPolyline(points: readonly Point[]): Point[] {
  return points.map(([x, y]): Point => [-x, y]).reverse();
}

/** Points translated by (dx, dy). */
export function translatePolyline(points: readonly Point[], dx: number, dy: number): Point[] {
  return points.map(([x, y]): Point => [x + dx, y + dy]);
}

/** Extra points so that no segment is longer than `step`; `closed` also splits the closing segment. */
export function densifyPolyline(points: readonly Point[], step: number, closed: boolean): Point[] {
  const out: Point[] = [];
  const count = closed ? points.length : points.length - 1;
  for (let i = 0; i < count; i++) {
    const p = points[i]!;
    const q = points[(i + 1) % points.length]!;
    const pieces = Math.max(1, Math.ceil(Math.hypot(q[0] - p[0], q[1] - p[1]) / step));
    for (let k = 0; k < pieces; k++) out.push([p[0] + ((q[0] - p[0]) * k) / pieces, p[1] + ((q[1] - p[1]) * k) / pieces]);
  }
  if (!closed && points.length > 0) out.push(points[points.length - 1]!);
  return out;
}

/**
 * Each point moved `distance` along the polyline's normal. The normal is the direction turned 90°
 * clockwise on screen (y down), so a left-to-right top edge with a positive distance moves down.
 */
export function offsetPolyline(points: readonly Point[], distance: number, closed = false): Point[] {
  const n = points.length;
  return points.map(([x, y], i): Point => {
    const prev = points[closed ? (i - 1 + n) % n : Math.max(0, i - 1)]!;
    const next = points[closed ? (i + 1) % n : Math.min(n - 1, i + 1)]!;
    const dx = next[0] - prev[0];
    const dy = next[1] - prev[1];
    const len = Math.hypot(dx, dy) || 1;
    return [x - (dy / len) * distance, y + (dx / len) * distance];
  });
}

/** The part of an open polyline whose x lies in [x0, x1] (points outside are dropped). */
export function clipPolylineX(points: readonly Point[], x0: number, x1: number): Point[] {
  return points.filter(([x]) => x >= x0 && x <= x1);
}

/**
 * `points` as SVG path data, one decimal per number; `closed` adds `Z`. Remembered per points array (a
 * shared template shape is painted once per face, and its polylines are never changed in place).
 */
export function formatPath(points: readonly Point[], closed: boolean): string {
  if (points.length === 0) return '';
  let open = FORMATTED.get(points);
  if (open === undefined) {
    open = points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${formatNumber(x)} ${formatNumber(y)}`).join('');
    FORMATTED.set(points, open);
  }
  return closed ? `${open}Z` : open;
}

/** Path data already formatted, by points array (without the closing `Z`). */
const FORMATTED = new WeakMap<readonly Point[], string>();

/** A number with at most one decimal and no `-0`, for stable SVG text. */
export function formatNumber(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return (Object.is(rounded, -0) ? 0 : rounded).toString();
}

/** The axis-aligned bounds of several polylines; all zero when there are no points. */
export function boundsOf(polylines: readonly (readonly Point[])[]): { minX: number; minY: number; maxX: number; maxY: number } {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const line of polylines) {
    for (const [x, y] of line) {
      minX = Math.min(minX, x);
      minY = Math.min(minY, y);
      maxX = Math.max(maxX, x);
      maxY = Math.max(maxY, y);
    }
  }
  return Number.isFinite(minX) ? { minX, minY, maxX, maxY } : { minX: 0, minY: 0, maxX: 0, maxY: 0 };
}
