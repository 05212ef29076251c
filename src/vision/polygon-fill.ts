/**
 * Polygon rasterisation on the pixel grid, in plain typed arrays: a pixel belongs to a polygon when its
 * centre does, by the even-odd rule. Pixel centres sit on integer coordinates (as in warp-template.ts), and
 * edges are half-open — a centre exactly on a left or top edge is inside, on a right or bottom edge outside —
 * so two polygons sharing an edge never both claim a pixel, and the square [50, 150)² holds exactly 100 × 100
 * pixels. One scanline per image row: each edge's crossing with the row is found once and the spans between
 * sorted crossings are filled, O(rows · edges + filled pixels).
 */
import type { Point } from './types.js';

/**
 * [height·width], row-major: 1 where the pixel centre (x, y) lies inside `polygon` (closed implicitly, last
 * vertex back to the first), else 0. Vertices may lie outside the image; only the image's pixels are filled.
 */
export function fillPolygon(polygon: readonly Point[], width: number, height: number): Uint8Array {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new Error(`fillPolygon: expected a positive integer image size, received ${width}×${height}`);
  }
  if (polygon.length < 3) throw new Error(`fillPolygon: expected a polygon of at least 3 vertices, received ${polygon.length}`);
  polygon.forEach((p, i) => {
    if (!(Number.isFinite(p[0]) && Number.isFinite(p[1]))) throw new Error(`fillPolygon: expected finite vertices, received [${p.join(', ')}] at index ${i}`);
  });
  const inside = new Uint8Array(width * height); // [height, width]
  const ys = polygon.map(([, y]) => y);
  const top = Math.max(0, Math.ceil(Math.min(...ys)));
  const bottom = Math.min(height - 1, Math.floor(Math.max(...ys)));
  const crossings: number[] = [];
  for (let y = top; y <= bottom; y++) {
    crossings.length = 0;
    for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i, i++) {
      const [xi, yi] = polygon[i]!;
      const [xj, yj] = polygon[j]!;
      // Half-open in y: an edge counts for rows with min(yi, yj) ≤ y < max(yi, yj); horizontal edges never.
      if (yi > y !== yj > y) crossings.push(xi + ((y - yi) * (xj - xi)) / (yj - yi));
    }
    crossings.sort((p, q) => p - q);
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      // Half-open in x: centres x with crossing₀ ≤ x < crossing₁.
      const x0 = Math.max(0, Math.ceil(crossings[k]!));
      const x1 = Math.min(width, Math.ceil(crossings[k + 1]!));
      if (x0 < x1) inside.fill(1, y * width + x0, y * width + x1);
    }
  }
  return inside;
}
