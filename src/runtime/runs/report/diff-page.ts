/**
 * The HTML of `repro diff`: both runs named at the top, the changed params and metrics with old, new and
 * delta, the curves of both runs overlaid (a solid, b dashed; one small chart per plotted field), and the
 * sample grids ranked most-changed first, each an `a | b | heat map` image loaded lazily from `images/`.
 * Pure: a `DiffResult` in, one HTML document out.
 */
import type { DiffResult, GridComparison } from '../diff-result.js';
import type { Revision } from '../revisions.js';
import type { ValueChange } from '../value-diff.js';
import { escapeHtml, formatDelta, formatNumber, formatValue, note, page, section, table } from './html.js';
import { lineChart } from './svg-chart.js';

export const COLOUR_A = '#1f77b4';
export const COLOUR_B = '#e8710a';

/** The whole report page. */
export function renderDiffPage(result: DiffResult): string {
  const title = `repro diff ${result.a.label} → ${result.b.label}`;
  const header = `<h1>${escapeHtml(title)}</h1>
<div class="runs"><span><span class="legend-a">a</span> ${describeRun(result.a)}</span><span><span class="legend-b">b</span> ${describeRun(result.b)}</span></div>`;
  const body = [
    section('params', `Params (${Object.keys(result.params).length} changed)`, changesTable(result.params, 'no param differs')),
    section('metrics', 'Metrics', changesTable(result.metrics, 'no metric differs')),
    section('curves', 'Curves', curves(result)),
    section('grids', `Sample grids (${result.grids.length} in both runs)`, grids(result)),
  ].join('\n');
  return page({
    title,
    header,
    nav: [
      { id: 'params', label: 'Params' },
      { id: 'metrics', label: 'Metrics' },
      { id: 'curves', label: 'Curves' },
      { id: 'grids', label: 'Grids' },
    ],
    body,
  });
}

/** `experiment 'wide' · commit 6bbbadb · baseline 9709039`. */
export function describeRun(run: Revision): string {
  const parts = [`<code>${escapeHtml(run.label)}</code>`];
  if (run.kind === 'workspace') parts.push('the workspace');
  if (run.kind === 'experiment') parts.push('DVC experiment');
  if (run.rev) parts.push(`commit <code>${run.rev.slice(0, 7)}</code>`);
  if (run.baseline) parts.push(`baseline <code>${run.baseline.slice(0, 7)}</code>`);
  return `<span>${parts.join(' · ')}</span>`;
}

/** key | a | b | Δ, one row per key; keys only one run has (a whole experiment added) fold away. */
export function changesTable(changes: Readonly<Record<string, ValueChange>>, empty: string): string {
  const keys = Object.keys(changes);
  if (keys.length === 0) return note(empty);
  const row = (key: string) => {
    const c = changes[key]!;
    return [
      `<span class="key">${escapeHtml(key)}</span>`,
      escapeHtml(formatValue(c.old)),
      escapeHtml(formatValue(c.new)),
      c.diff === undefined ? '' : `<span class="${c.diff > 0 ? 'up' : c.diff < 0 ? 'down' : ''}">${escapeHtml(formatDelta(c.diff))}</span>`,
    ];
  };
  const headers = ['key', 'a', 'b', 'Δ (b − a)'];
  const both = keys.filter((k) => changes[k]!.old !== null && changes[k]!.new !== null);
  const oneSided = keys.filter((k) => !both.includes(k));
  const parts = [both.length > 0 ? table(headers, both.map(row)) : note('no key both runs have differs')];
  if (oneSided.length > 0) parts.push(`<details><summary>${oneSided.length} keys only one run has</summary>\n${table(headers, oneSided.map(row))}\n</details>`);
  return parts.join('\n');
}

function curves(result: DiffResult): string {
  if (result.curves.length === 0) return note('neither run has plots');
  const keys = [...new Set(result.curves.map((c) => c.key))];
  return keys
    .map((key) => {
      const fields = result.curves.filter((c) => c.key === key);
      const heading = `<h3>${escapeHtml(key)}${fields[0]!.title ? ` — ${escapeHtml(fields[0]!.title)}` : ''}</h3>`;
      const charts = fields.map((c) => {
        const series = [
          ...(c.a ? [{ label: `a ${result.a.label}`, colour: COLOUR_A, points: c.a }] : []),
          ...(c.b ? [{ label: `b ${result.b.label}`, colour: COLOUR_B, dashed: true, points: c.b }] : []),
        ];
        return `<div class="chart">${lineChart(series, { title: c.field, xLabel: c.x === '#' ? 'row' : c.x, width: 340, height: 210 })}</div>`;
      });
      return `${heading}\n<div class="charts">${charts.join('\n')}</div>`;
    })
    .join('\n');
}

function grids(result: DiffResult): string {
  const parts: string[] = [];
  if (result.grids.length === 0) parts.push(note('no sample grid is in both runs'));
  else {
    parts.push(
      table(
        ['rank', 'output', 'SSIM', 'changed pixels', 'size'],
        result.grids.map((g, i) => [
          String(i + 1),
          `<a href="#grid-${i + 1}"><span class="key">${escapeHtml(g.path)}</span></a>`,
          formatNumber(Number(g.ssim.toFixed(4))),
          `${formatNumber(Number((g.changedFraction * 100).toFixed(2)))} %`,
          `${g.width}×${g.height}${g.resizedFrom ? ` (b ${g.resizedFrom.width}×${g.resizedFrom.height})` : ''}`,
        ]),
      ),
    );
    parts.push(`<p class="note">a pixel counts as changed when a colour channel differs by more than ${result.grids[0]!.threshold} of 255; SSIM on luma with 11×11 Gaussian windows (σ 1.5)</p>`);
    parts.push(`<div class="grids">${result.grids.map((g, i) => figure(g, i + 1, result)).join('\n')}</div>`);
  }
  if (result.onlyInA.length > 0) parts.push(`<h3>only in a</h3><ul>${result.onlyInA.map((p) => `<li><code>${escapeHtml(p)}</code></li>`).join('')}</ul>`);
  if (result.onlyInB.length > 0) parts.push(`<h3>only in b</h3><ul>${result.onlyInB.map((p) => `<li><code>${escapeHtml(p)}</code></li>`).join('')}</ul>`);
  return parts.join('\n');
}

function figure(g: GridComparison, rank: number, result: DiffResult): string {
  const badges = [
    `<span class="badge${g.identical ? '' : ' changed'}">SSIM ${formatNumber(Number(g.ssim.toFixed(4)))}</span>`,
    `<span class="badge${g.changedFraction > 0 ? ' changed' : ''}">${formatNumber(Number((g.changedFraction * 100).toFixed(2)))} % changed</span>`,
    g.identical ? '<span class="badge">identical bytes</span>' : '',
  ].join('');
  const totalWidth = 3 * g.width + 8;
  const scale = Math.max(1, Math.floor(720 / totalWidth));
  const img = g.image
    ? `<img loading="lazy" src="${escapeHtml(g.image)}" width="${totalWidth * scale}" height="${g.height * scale}" alt="${escapeHtml(`${g.path}: a ${result.a.label} | b ${result.b.label} | difference`)}">`
    : '';
  return `<figure id="grid-${rank}">
<figcaption>${rank}. <span class="key">${escapeHtml(g.path)}</span>${badges}<br><span class="note"><span class="legend-a">a ${escapeHtml(result.a.label)}</span> | <span class="legend-b">b ${escapeHtml(result.b.label)}</span> | difference (black = equal)</span></figcaption>
${img}
</figure>`;
}
