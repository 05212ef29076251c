/**
 * Line charts as inline SVG, drawn by hand so a report needs no script or library: axes with "nice" ticks
 * (steps of 1, 2 or 5 × 10ⁿ), one polyline per series (a dot where a series has a single point), solid or
 * dashed, and a legend. Non-finite values are skipped. Pure: series in, SVG text out.
 */
import { escapeHtml, formatNumber } from './html.js';

export interface Series {
  readonly label: string;
  /** a CSS colour */
  readonly colour: string;
  readonly dashed?: boolean;
  /** [x, y] points, in x order */
  readonly points: readonly (readonly [number, number])[];
}

export interface ChartOptions {
  readonly title: string;
  readonly xLabel: string;
  /** @default 380 */
  readonly width?: number;
  /** @default 230 (more when the legend wraps to several rows) */
  readonly height?: number;
}

/** Ten distinguishable colours (Tableau 10) for charts with many series. */
export const PALETTE = ['#1f77b4', '#e8710a', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

const MARGIN = { left: 56, right: 12, bottom: 34 };

/** An SVG line chart of `series`. */
export function lineChart(series: readonly Series[], options: ChartOptions): string {
  const width = options.width ?? 380;
  const clean = series.map((s) => ({ ...s, points: s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)) }));
  const all = clean.flatMap((s) => s.points);
  const key = legend(clean, width);
  const top = key.bottom + 8;
  // The plot keeps at least 120 px however many legend rows there are; the chart grows instead.
  const height = Math.max(options.height ?? 230, top + 120 + MARGIN.bottom);
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - top - MARGIN.bottom;
  const base = top + plotH;
  const title = `<text x="${width / 2}" y="14" text-anchor="middle" font-size="13" font-weight="600">${escapeHtml(options.title)}</text>`;
  const open = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(options.title)}" font-family="system-ui, sans-serif">`;
  if (all.length === 0) {
    return `${open}${title}<text x="${width / 2}" y="${height / 2}" text-anchor="middle" font-size="12" fill="#6b7280">no data</text></svg>`;
  }
  const [x0, x1] = padRange(Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0])), 0);
  const [y0, y1] = padRange(Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1])), 0.05);
  const sx = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0)) * plotW;
  const sy = (y: number) => top + (1 - (y - y0) / (y1 - y0)) * plotH;
  const parts: string[] = [open, title];
  for (const t of niceTicks(y0, y1, 5)) {
    parts.push(`<line x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${f(sy(t))}" y2="${f(sy(t))}" stroke="#eceff3"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${f(sy(t) + 4)}" text-anchor="end" font-size="10" fill="#6b7280">${escapeHtml(formatNumber(t))}</text>`);
  }
  for (const t of niceTicks(x0, x1, 6)) {
    parts.push(`<line x1="${f(sx(t))}" x2="${f(sx(t))}" y1="${base}" y2="${base + 4}" stroke="#6b7280"/>`);
    parts.push(`<text x="${f(sx(t))}" y="${base + 15}" text-anchor="middle" font-size="10" fill="#6b7280">${escapeHtml(formatNumber(t))}</text>`);
  }
  parts.push(`<rect x="${MARGIN.left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#c4cad3"/>`);
  parts.push(`<text x="${MARGIN.left + plotW / 2}" y="${height - 4}" text-anchor="middle" font-size="11" fill="#6b7280">${escapeHtml(options.xLabel)}</text>`);
  for (const s of clean) {
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
    if (s.points.length === 1) {
      const [x, y] = s.points[0]!;
      parts.push(`<circle cx="${f(sx(x))}" cy="${f(sy(y))}" r="3" fill="${escapeHtml(s.colour)}"><title>${escapeHtml(s.label)}</title></circle>`);
    } else if (s.points.length > 1) {
      const path = s.points.map(([x, y]) => `${f(sx(x))},${f(sy(y))}`).join(' ');
      parts.push(`<polyline points="${path}" fill="none" stroke="${escapeHtml(s.colour)}" stroke-width="1.8"${dash}><title>${escapeHtml(s.label)}</title></polyline>`);
    }
  }
  parts.push(key.svg);
  parts.push('</svg>');
  return parts.join('');
}

/** Ticks at 1, 2 or 5 × 10ⁿ steps covering [min, max]. */
export function niceTicks(min: number, max: number, count: number): number[] {
  const span = max - min;
  if (!(span > 0)) return [min];
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Number.parseFloat(t.toPrecision(12)));
  return ticks;
}

function padRange(min: number, max: number, pad: number): [number, number] {
  if (min === max) {
    const d = Math.abs(min) * 0.1 || 1;
    return [min - d, max + d];
  }
  const d = (max - min) * pad;
  return [min - d, max + d];
}

/** The legend under the title, wrapped to the width; `bottom` is where the plot may start. */
function legend(series: readonly Series[], width: number): { svg: string; bottom: number } {
  let x = MARGIN.left;
  let y = 28;
  const items: string[] = [];
  for (const s of series) {
    const w = 26 + s.label.length * 6.2;
    if (x + w > width - MARGIN.right && x > MARGIN.left) {
      x = MARGIN.left;
      y += 12;
    }
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
    items.push(`<line x1="${f(x)}" x2="${f(x + 16)}" y1="${y - 4}" y2="${y - 4}" stroke="${escapeHtml(s.colour)}" stroke-width="2"${dash}/>`);
    items.push(`<text x="${f(x + 20)}" y="${y}" font-size="10">${escapeHtml(s.label)}</text>`);
    x += w;
  }
  return { svg: items.join(''), bottom: y };
}

function f(v: number): string {
  return String(Math.round(v * 10) / 10);
}
