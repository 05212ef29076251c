/**
 * The run report page, results first: metrics, sample grids and curves come before the params; the newest
 * epoch of a folder of samples leads; earlier epochs and the data stages' grids and metrics fold; params,
 * metrics, plots and grids of stages the run was not of are in closed `<details>`; the page has no script.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunGrid, RunReport } from '../../../../src/runtime/runs/run-report-data.js';
import { renderRunPage } from '../../../../src/runtime/runs/report/run-page.js';

const grid = (path: string, stage: string, folder: string | null): RunGrid => ({ path, stage, folder, width: 8, height: 8, image: `images/${path.replace(/\//g, '__')}` });

const REPORT: RunReport = {
  run: { label: 'wide', kind: 'experiment', rev: 'a'.repeat(40), experiment: 'wide', baseline: 'b'.repeat(40) },
  created: '2026-01-01T00:00:00Z',
  experiments: ['demo'],
  stages: [
    { name: 'demo_filter', role: 'data' },
    { name: 'demo_train', role: 'training' },
    { name: 'demo_select', role: 'result' },
  ],
  stagesFrom: 'record',
  params: { 'demo.train.seed': 1, 'demo.train.epochs': 3, 'ablation.filter-a.size': 256, 'ablation.filter-b.size': 128 },
  metrics: { 'demo.filter.counts.kept': 14, 'demo.train.summary.loss': 0.25, 'demo.train.summary.fid': 41.5, 'ablation.filter-a.counts.kept': 7 },
  plots: [
    { path: 'reports/demo/train/plots/losses.json', key: 'demo.train.losses', title: null, x: 'epoch', y: ['loss'], rows: [{ epoch: 1, loss: 2 }, { epoch: 2, loss: 1 }] },
    { path: 'reports/ablation/train/plots/losses.json', key: 'ablation.train.losses', title: null, x: 'epoch', y: ['loss'], rows: [{ epoch: 1, loss: 3 }] },
  ],
  grids: [
    grid('out/ablation/select/grid.png', 'ablation_select', null),
    grid('out/demo/filter/grid.png', 'demo_filter', null),
    grid('out/demo/select/grid.png', 'demo_select', null),
    grid('out/demo/train/samples/epoch-0001.png', 'demo_train', 'out/demo/train/samples'),
    grid('out/demo/train/samples/epoch-0002.png', 'demo_train', 'out/demo/train/samples'),
    grid('out/demo/train/samples/epoch-0010.png', 'demo_train', 'out/demo/train/samples'),
  ],
  timings: null,
  environments: {},
  report: 'reports/run-wide/index.html',
};

const page = suite('renderRunPage');

page('results lead: metrics, grids and curves before params, timings and environment', () => {
  const html = renderRunPage(REPORT);
  const order = [...html.matchAll(/<section id="([a-z]+)">/g)].map((m) => m[1]);
  assert.equal(order, ['metrics', 'grids', 'curves', 'params', 'timings', 'environment']);
  assert.is.not(html.includes('<script'), true, '~> static page');
});

page('the newest epoch of the samples leads, then grid files; earlier epochs and data grids are folded', () => {
  const html = renderRunPage(REPORT);
  const grids = html.slice(html.indexOf('<section id="grids">'), html.indexOf('<section id="curves">'));
  const open = grids.slice(0, grids.indexOf('<details'));
  assert.equal([...open.matchAll(/alt="([^"]+)"/g)].map((m) => m[1]), ['out/demo/train/samples/epoch-0010.png', 'out/demo/select/grid.png']);
  assert.match(grids, /<details><summary>2 earlier sample grids<\/summary>/);
  assert.ok(grids.indexOf('epoch-0002.png') < grids.indexOf('epoch-0001.png'), '~> earlier ones newest first');
  assert.match(grids, /<details><summary>1 grids of the data stages \(not fed by demo_train\)<\/summary>[^]*demo\/filter\/grid\.png[^]*<\/details>/);
  assert.match(grids, /<details><summary>1 sample grids of stages this run was not of<\/summary>[^]*ablation\/select\/grid\.png[^]*<\/details>/);
});

page("params, metrics and plots of stages the run was not of are folded closed; the run's are open", () => {
  const html = renderRunPage(REPORT);
  const params = html.slice(html.indexOf('<section id="params">'), html.indexOf('<section id="timings">'));
  const open = params.slice(0, params.indexOf('<details'));
  assert.match(open, /demo\.train\.seed/);
  assert.not.match(open, /ablation/);
  assert.match(params, /<details><summary>ablation: 2 params of stages not in this run<\/summary>[^]*ablation\.filter-b\.size/);
  assert.not.match(html, /<details open/);
  const metrics = html.slice(html.indexOf('<section id="metrics">'), html.indexOf('<section id="grids">'));
  assert.match(metrics.slice(0, metrics.indexOf('<details')), /<h3>demo\.train\.summary<\/h3>[^]*fid[^]*41\.5[^]*loss[^]*0\.25/);
  assert.match(metrics, /<details><summary>1 metrics of stages this run was not of<\/summary>[^]*kept/);
  const curves = html.slice(html.indexOf('<section id="curves">'), html.indexOf('<section id="params">'));
  assert.ok(curves.indexOf('demo.train.losses') < curves.indexOf('<details>'));
  assert.ok(curves.indexOf('ablation.train.losses') > curves.indexOf('<details>'));
});

page("metrics cards run downstream first; the data stages' fold", () => {
  const html = renderRunPage(REPORT);
  assert.match(html, /<details><summary>1 metrics of the data stages \(not fed by demo_train\)<\/summary>\n<div class="cards"><div class="card"><h3>demo\.filter\.counts/);
  assert.equal([...html.matchAll(/<div class="card"><h3>([^<]+)<\/h3>/g)].map((m) => m[1]), ['demo.train.summary', 'demo.filter.counts', 'ablation.filter-a.counts']);
});

page('a run of every stage folds nothing away but earlier epochs', () => {
  const stages = ['demo_filter', 'demo_train', 'demo_select', 'ablation_filter-a', 'ablation_filter-b', 'ablation_train', 'ablation_select'];
  const html = renderRunPage({ ...REPORT, experiments: ['ablation', 'demo'], stages: stages.map((name) => ({ name, role: 'result' })), stagesFrom: 'lock' });
  assert.not.match(html, /not in this run|this run was not of|data stages/);
  assert.match(html, /7 stages: every stage in dvc\.lock/);
});

page.run();
