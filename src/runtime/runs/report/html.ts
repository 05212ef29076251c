/**
 * The small HTML vocabulary of repro's static reports, as pure string builders: escaping, the page shell
 * with its inline style sheet (no scripts, fonts or links to fetch, so a report opens offline from
 * file://), tables, and how values and numbers are shown. Everything user-provided goes through `escapeHtml`.
 */

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A value as a short string: numbers to 6 significant digits, null as an em dash, other objects as JSON. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** 6 significant digits, without trailing zeros; integers as they are. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  return String(Number.parseFloat(value.toPrecision(6)));
}

/** A signed difference: `+2`, `−0.125`. */
export function formatDelta(value: number | undefined): string {
  if (value === undefined) return '';
  return value > 0 ? `+${formatNumber(value)}` : value < 0 ? `−${formatNumber(-value)}` : '0';
}

/** A table; `cells` are HTML already (escape text first); no header row when `headers` is empty. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], options: { className?: string } = {}): string {
  const head = headers.length > 0 ? `<thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>\n` : '';
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table${options.className ? ` class="${options.className}"` : ''}>\n${head}<tbody>\n${body}\n</tbody>\n</table>`;
}

/** A section with a heading and an anchor. */
export function section(id: string, title: string, body: string): string {
  return `<section id="${escapeHtml(id)}">\n<h2>${escapeHtml(title)}</h2>\n${body}\n</section>`;
}

/** A `<details>` fold, closed unless `open`: what a reader may want but should not have to scroll past. */
export function folded(summary: string, body: string, options: { open?: boolean } = {}): string {
  return `<details${options.open ? ' open' : ''}><summary>${escapeHtml(summary)}</summary>\n${body}\n</details>`;
}

/** A muted note, e.g. "not recorded on this machine". */
export function note(text: string): string {
  return `<p class="note">${escapeHtml(text)}</p>`;
}

const STYLE = `
:root { color-scheme: light; --fg: #1d2430; --muted: #6b7280; --line: #d8dde5; --bg: #ffffff; --panel: #f5f7fa; --a: #1f77b4; --b: #e8710a; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 20px 28px 12px; border-bottom: 1px solid var(--line); background: var(--panel); }
header h1 { margin: 0 0 6px; font-size: 22px; }
header .runs { display: flex; gap: 28px; flex-wrap: wrap; color: var(--muted); }
header code { color: var(--fg); }
nav { padding: 8px 28px; border-bottom: 1px solid var(--line); font-size: 13px; }
nav a { margin-right: 14px; color: var(--a); text-decoration: none; }
main { padding: 8px 28px 40px; }
section { margin-top: 26px; }
h2 { font-size: 17px; margin: 0 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 14px; margin: 14px 0 6px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 3px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; max-width: 34em; overflow-wrap: anywhere; }
th { background: var(--panel); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.key, .key { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.up { color: #b42318; } .down { color: #067647; }
.note { color: var(--muted); font-style: italic; }
.charts { display: flex; flex-wrap: wrap; gap: 14px; }
.chart { border: 1px solid var(--line); border-radius: 6px; padding: 6px; background: #fff; }
.grids figure { margin: 0 0 22px; }
.grids.wrap { display: flex; flex-wrap: wrap; gap: 0 22px; align-items: flex-start; }
.grids figcaption { margin-bottom: 6px; }
.grids img { display: block; max-width: 100%; height: auto; image-rendering: pixelated; border: 1px solid var(--line); }
.badge { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px; background: var(--panel); border: 1px solid var(--line); margin-left: 6px; }
.badge.changed { background: #fff1e6; border-color: #f5b27a; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 10px; align-items: start; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px 8px; background: var(--panel); }
.card h3 { margin: 0 0 4px; font-size: 12px; font-weight: 600; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; color: var(--muted); }
.card table { width: 100%; }
.card td { border: 0; padding: 1px 0; max-width: none; overflow-wrap: normal; }
.card td:first-child { white-space: nowrap; }
.card td + td { text-align: right; font-variant-numeric: tabular-nums; font-weight: 600; padding-left: 12px; }
details { margin: 10px 0; }
details > summary { cursor: pointer; color: var(--a); }
details[open] > summary { margin-bottom: 8px; }
.legend-a { color: var(--a); font-weight: 600; } .legend-b { color: var(--b); font-weight: 600; }
`;

/** One section of a page: its anchor, the nav link's label, its heading and its HTML. */
export interface PageSection {
  readonly id: string;
  readonly label: string;
  readonly title: string;
  readonly body: string;
}

/** The page's parts: title, header HTML, and either the sections (nav built from them) or a nav and body. */
export type PageOptions = { readonly title: string; readonly header: string } & (
  | { readonly sections: readonly PageSection[] }
  | { readonly nav: readonly { id: string; label: string }[]; readonly body: string }
);

/** The whole document: title, header HTML, a nav of section links, and the sections in order. */
export function page(options: PageOptions): string {
  const links = 'sections' in options ? options.sections : options.nav;
  const body = 'sections' in options ? options.sections.map((s) => section(s.id, s.title, s.body)).join('\n') : options.body;
  const nav = links.map((n) => `<a href="#${escapeHtml(n.id)}">${escapeHtml(n.label)}</a>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
${options.header}
</header>
<nav>${nav}</nav>
<main>
${body}
</main>
</body>
</html>
`;
}
