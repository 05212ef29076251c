/**
 * Plain-text tables for the terminal: columns padded to their widest cell (cells cut at `maxWidth` with
 * an ellipsis), two spaces apart, no trailing spaces. Used by the commands that print rows of runs.
 */

/** Lines of a table, header first. */
export function formatTextTable(headers: readonly string[], rows: readonly (readonly string[])[], options: { maxWidth?: number } = {}): string[] {
  const max = options.maxWidth ?? 40;
  const cut = (cell: string) => (cell.length > max ? `${cell.slice(0, max - 1)}…` : cell);
  const all = [headers, ...rows].map((r) => r.map(cut));
  const widths = headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

/** A value in a cell: numbers to 6 significant digits, absent as `-`, objects as JSON. */
export function cellOf(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number.parseFloat(value.toPrecision(6)));
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
