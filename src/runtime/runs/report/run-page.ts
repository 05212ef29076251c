/**
 * The HTML of `repro report <run>`: what the run is (name, commit, baseline, time), its params and
 * metrics, one chart per plots file with all its fields, the sample grids (lazy-loaded from `images/`),
 * the stage timings of this machine's record ("not recorded on this machine" otherwise), and each
 * experiment's environment pin ("not recorded" when the run has none). Pure: a `RunReport` in, HTML out.
 */
import type { RunReport } from '../run-report-data.js';
import { flattenValues } from '../value-diff.js';
import { escapeHtml, formatNumber, formatValue, note, page, section, table } from './html.js';
import { describeRun } from './diff-page.js';
import { PALETTE, lineChart } from './svg-chart.js';

/** The whole report page. */
export function renderRunPage(report: RunReport): string {
  const title = `repro report ${report.run.label}`;
  const header = `<h1>${escapeHtml(title)}</h1>
<div class="runs">${describeRun(report.run)}${report.created ? `<span>created ${escapeHtml(report.created)}</span>` : ''}<span>experiments: ${report.experiments.map((e) => `<code>${escapeHtml(e)}</code>`).join(', ') || '—'}</span></div>`;
  const body = [
    section('params', `Params (${Object.keys(report.params).length})`, valuesTable(report.params, 'no params')),
    section('metrics', `Metrics (${Object.keys(report.metrics).length})`, valuesTable(report.metrics, 'no metrics')),
    section('curves', 'Curves', curves(report)),
    section('grids', `Sample grids (${report.grids.length})`, grids(report)),
    section('timings', 'Stage timings', timings(report)),
    section('environment', 'Environment', environment(report)),
  ].join('\n');
  return page({
    title,
    header,
    nav: [
      { id: 'params', label: 'Params' },
      { id: 'metrics', label: 'Metrics' },
      { id: 'curves', label: 'Curves' },
      { id: 'grids', label: 'Grids' },
      { id: 'timings', label: 'Timings' },
      { id: 'environment', label: 'Environment' },
    ],
    body,
  });
}

function valuesTable(values: Readonly<Record<string, unknown>>, empty: string): string {
  const keys = Object.keys(values).sort();
  if (keys.length === 0) return note(empty);
  return table(['key', 'value'], keys.map((k) => [`<span class="key">${escapeHtml(k)}</span>`, escapeHtml(formatValue(values[k]))]));
}

function curves(report: RunReport): string {
  if (report.plots.length === 0) return note('this run has no plots');
  const charts = report.plots.map((plot) => {
    const series = plot.y.map((field, i) => ({
      label: field,
      colour: PALETTE[i % PALETTE.length]!,
      dashed: i >= PALETTE.length,
      points: plot.rows.flatMap((row, index) => {
        const x = plot.x === '#' ? index : row[plot.x];
        const y = row[field];
        return typeof x === 'number' && typeof y === 'number' ? [[x, y] as const] : [];
      }),
    }));
    return `<div class="chart">${lineChart(series, { title: plot.title ? `${plot.key} — ${plot.title}` : plot.key, xLabel: plot.x === '#' ? 'row' : plot.x, width: 520, height: 280 })}</div>`;
  });
  return `<div class="charts">${charts.join('\n')}</div>`;
}

function grids(report: RunReport): string {
  if (report.grids.length === 0) return note('this run has no sample grids');
  const figures = report.grids.map((g) => {
    const scale = Math.max(1, Math.floor(320 / Math.max(1, g.width)));
    const img = g.image ? `<img loading="lazy" src="${escapeHtml(g.image)}" width="${g.width * scale}" height="${g.height * scale}" alt="${escapeHtml(g.path)}">` : '';
    return `<figure>\n<figcaption><span class="key">${escapeHtml(g.path)}</span><span class="badge">${g.width}×${g.height}</span><span class="badge">${escapeHtml(g.stage)}</span></figcaption>\n${img}\n</figure>`;
  });
  return `<div class="grids wrap">${figures.join('\n')}</div>`;
}

function timings(report: RunReport): string {
  const t = report.timings;
  if (!t) return note('not recorded on this machine (timings are local records of `repro run` in .repro/runs/)');
  const rows = t.stages.map((s) => [`<span class="key">${escapeHtml(s.stage)}</span>`, s.seconds === null ? '—' : `${formatNumber(s.seconds)} s`]);
  rows.push(['<strong>total</strong>', `<strong>${formatNumber(t.totalSeconds)} s</strong>`]);
  const parts = [t.stages.length > 0 ? table(['stage', 'wall time'], rows) : note('no stage executed in this run')];
  if (t.notExecuted.length > 0) parts.push(note(`not executed in this run (unchanged or restored from DVC's run cache): ${t.notExecuted.join(', ')}`));
  parts.push(note(`recorded when the run finished, ${t.finishedAt}`));
  return parts.join('\n');
}

function environment(report: RunReport): string {
  const experiments = report.experiments.length > 0 ? report.experiments : Object.keys(report.environments);
  if (experiments.length === 0) return note('not recorded');
  return experiments
    .map((experiment) => {
      const pin = report.environments[experiment];
      const heading = `<h3>${escapeHtml(experiment)}</h3>`;
      if (!pin) return `${heading}\n${note('not recorded (this run has no reports/' + experiment + '/environment.json)')}`;
      const flat = flattenValues(pin);
      return `${heading}\n${table(['what', 'value'], Object.keys(flat).sort().map((k) => [`<span class="key">${escapeHtml(k)}</span>`, escapeHtml(formatValue(flat[k]))]))}`;
    })
    .join('\n');
}
