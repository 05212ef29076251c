/**
 * The HTML of `repro report <run>`, results first: what the run is (name, commit, baseline, time, the
 * experiments and stages it was of), then its metrics as compact cards (downstream stages first), the
 * newest sample grids (the last epoch of each folder of samples, then the selection grids), one chart per
 * plots file, and only then the params of the run's stages; below them the stage timings of this
 * machine's record ("not recorded on this machine" otherwise) and each experiment's environment pin ("not
 * recorded" when the run has none). Folded in closed `<details>` (no script: the page is static): earlier
 * epochs, the data stages' metrics and grids, and whatever belongs to stages the run was not of.
 * Pure: a `RunReport` in, HTML out.
 */
import type { PlotData } from '../run-snapshot.js';
import type { RunGrid, RunReport, StagesSource } from '../run-report-data.js';
import { flattenValues } from '../value-diff.js';
import { escapeHtml, folded, formatNumber, formatValue, note, page, table } from './html.js';
import { describeRun } from './diff-page.js';
import { PALETTE, lineChart } from './svg-chart.js';

/** The whole report page. */
export function renderRunPage(report: RunReport): string {
  const title = `repro report ${report.run.label}`;
  const header = `<h1>${escapeHtml(title)}</h1>
<div class="runs">${describeRun(report.run)}${report.created ? `<span>created ${escapeHtml(report.created)}</span>` : ''}<span>experiments: ${report.experiments.map((e) => `<code>${escapeHtml(e)}</code>`).join(', ') || '—'} <span class="note">(${report.stages.length} stages: ${escapeHtml(SOURCE[report.stagesFrom])})</span></span></div>`;
  const ofRun = (key: string) => roleOf(report, stageOfKey(key)) !== undefined;
  const params = splitBy(Object.keys(report.params), ofRun);
  const metrics = splitBy(Object.keys(report.metrics), ofRun);
  return page({
    title,
    header,
    sections: [
      { id: 'metrics', label: 'Metrics', title: `Metrics (${metrics.ofRun.length})`, body: metricsCards(report, metrics) },
      { id: 'grids', label: 'Samples', title: `Sample grids (${report.grids.length})`, body: grids(report) },
      { id: 'curves', label: 'Curves', title: `Curves (${report.plots.length})`, body: curves(report) },
      { id: 'params', label: 'Params', title: `Params (${params.ofRun.length}${params.others.length > 0 ? ` of the run's stages; ${params.others.length} more folded` : ''})`, body: paramsTables(report, params) },
      { id: 'timings', label: 'Timings', title: 'Stage timings', body: timings(report) },
      { id: 'environment', label: 'Environment', title: 'Environment', body: environment(report) },
    ],
  });
}

const SOURCE: Record<StagesSource, string> = {
  record: "those this machine's record of the run targeted, and their upstream stages",
  'lock-change': 'those whose dvc.lock entries changed in this run, and their upstream stages',
  lock: 'every stage in dvc.lock',
};

/** The role of a DVC stage in the run; undefined for stages the run was not of. */
function roleOf(report: RunReport, stage: string): RunReport['stages'][number]['role'] | undefined {
  return report.stages.find((s) => s.name === stage)?.role;
}

/** The run's training stages, for the folds' summaries. */
function trainingNames(report: RunReport): string {
  return report.stages.filter((s) => s.role === 'training').map((s) => s.name).join(', ');
}

/** Items that pass `ofRun`, and the others. */
function splitBy<T>(items: readonly T[], ofRun: (item: T) => boolean): { ofRun: T[]; others: T[] } {
  return { ofRun: items.filter(ofRun), others: items.filter((i) => !ofRun(i)) };
}

/** `demo.progressive-train.train.loss` → the DVC stage `demo_progressive-train`. */
function stageOfKey(key: string): string {
  const [experiment, stage] = key.split('.');
  return `${experiment}_${stage}`;
}

/** Downstream stages first (the pipeline's last stages hold its results); stages dvc.yaml lacks go last. */
function downstreamFirst<T>(report: RunReport, items: readonly T[], stageOf: (item: T) => string): T[] {
  const rank = (item: T) => report.stages.findIndex((s) => s.name === stageOf(item));
  return [...items].sort((a, b) => rank(b) - rank(a));
}

/** `ablation.filter-a.size` → `ablation`, in first-seen order. */
function byExperiment(keys: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const key of keys) {
    const experiment = key.split('.')[0]!;
    groups.set(experiment, [...(groups.get(experiment) ?? []), key]);
  }
  return groups;
}

function foldOthers(count: number, what: string, body: string): string {
  return count === 0 ? '' : folded(`${count} ${what} of stages this run was not of`, body);
}

/**
 * One small card per metrics file (`<experiment>.<stage>.<name>`), downstream stages first; the data
 * stages' cards (counts of faces, masks, grid sizes) fold under the results.
 */
function metricsCards(report: RunReport, keys: { ofRun: string[]; others: string[] }): string {
  const cards = (list: readonly string[]) => {
    const files = new Map<string, string[]>();
    for (const key of downstreamFirst(report, [...list].sort(), stageOfKey)) {
      const file = key.split('.').slice(0, 3).join('.');
      files.set(file, [...(files.get(file) ?? []), key]);
    }
    const html = [...files].map(([file, members]) => {
      const rows = members.map((k) => [`<span class="key">${escapeHtml(k.slice(file.length + 1) || k)}</span>`, escapeHtml(formatValue(report.metrics[k]))]);
      return `<div class="card"><h3>${escapeHtml(file)}</h3>\n${table([], rows)}</div>`;
    });
    return `<div class="cards">${html.join('\n')}</div>`;
  };
  const { ofRun: results, others: data } = splitBy(keys.ofRun, (k) => roleOf(report, stageOfKey(k)) !== 'data');
  return [
    results.length > 0 ? cards(results) : keys.ofRun.length === 0 ? note('this run has no metrics') : '',
    data.length === 0 ? '' : folded(`${data.length} metrics of the data stages (not fed by ${trainingNames(report)})`, cards(data), { open: results.length === 0 }),
    foldOthers(keys.others.length, 'metrics', cards(keys.others)),
  ].join('\n');
}

/** The run's params in one table; those of other stages folded, one fold per experiment. */
function paramsTables(report: RunReport, keys: { ofRun: string[]; others: string[] }): string {
  const parts = [keys.ofRun.length > 0 ? valuesTable(report.params, keys.ofRun) : note("no params of the run's stages")];
  for (const [experiment, members] of byExperiment([...keys.others].sort())) {
    parts.push(folded(`${experiment}: ${members.length} params of stages not in this run`, valuesTable(report.params, members)));
  }
  return parts.join('\n');
}

function valuesTable(values: Readonly<Record<string, unknown>>, keys: readonly string[], headers: readonly string[] = ['key', 'value']): string {
  return table(headers, [...keys].sort().map((k) => [`<span class="key">${escapeHtml(k)}</span>`, escapeHtml(formatValue(values[k]))]));
}

function curves(report: RunReport): string {
  if (report.plots.length === 0) return note('this run has no plots');
  const plots = splitBy(downstreamFirst(report, report.plots, (p) => stageOfKey(p.key)), (p) => roleOf(report, stageOfKey(p.key)) !== undefined);
  const charts = (list: readonly PlotData[]) => `<div class="charts">${list.map(chart).join('\n')}</div>`;
  return [plots.ofRun.length > 0 ? charts(plots.ofRun) : note("the run's stages have no plots"), foldOthers(plots.others.length, 'plots', charts(plots.others))].join('\n');
}

function chart(plot: PlotData): string {
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
}

/**
 * Newest first: the last grid of each folder of samples (the last epoch trained), then the grid files
 * of the training and after it (selection grids), downstream stages first. Folded below them: the earlier
 * epochs, the data stages' grids (faces, masks, previews), and the grids of stages the run was not of.
 */
function grids(report: RunReport): string {
  if (report.grids.length === 0) return note('this run has no sample grids');
  const { ofRun, others } = splitBy(report.grids, (g) => roleOf(report, g.stage) !== undefined);
  const latest = new Map<string, RunGrid>();
  for (const g of ofRun) if (g.folder !== null && g.path > (latest.get(g.folder)?.path ?? '')) latest.set(g.folder, g);
  const files = downstreamFirst(report, ofRun.filter((g) => g.folder === null), (g) => g.stage);
  const lead = [...downstreamFirst(report, [...latest.values()], (g) => g.stage), ...files.filter((g) => roleOf(report, g.stage) !== 'data')];
  const data = files.filter((g) => !lead.includes(g));
  const earlier = ofRun.filter((g) => g.folder !== null && !lead.includes(g)).reverse();
  const figures = (list: readonly RunGrid[]) => `<div class="grids wrap">${list.map(figure).join('\n')}</div>`;
  return [
    lead.length > 0 ? figures(lead) : note("the run's stages have no sample grids"),
    earlier.length === 0 ? '' : folded(`${earlier.length} earlier sample grids`, figures(earlier)),
    data.length === 0 ? '' : folded(`${data.length} grids of the data stages (not fed by ${trainingNames(report)})`, figures(data)),
    foldOthers(others.length, 'sample grids', figures(others)),
  ].join('\n');
}

function figure(g: RunGrid): string {
  const scale = Math.max(1, Math.floor(320 / Math.max(1, g.width)));
  const img = g.image ? `<img loading="lazy" src="${escapeHtml(g.image)}" width="${g.width * scale}" height="${g.height * scale}" alt="${escapeHtml(g.path)}">` : '';
  return `<figure>\n<figcaption><span class="key">${escapeHtml(g.path)}</span><span class="badge">${g.width}×${g.height}</span><span class="badge">${escapeHtml(g.stage)}</span></figcaption>\n${img}\n</figure>`;
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
      return `${heading}\n${valuesTable(flat, Object.keys(flat), ['what', 'value'])}`;
    })
    .join('\n');
}
