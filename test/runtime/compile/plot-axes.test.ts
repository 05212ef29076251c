/**
 * Plots declared with axes: the stage still lists the file under its own `plots:` (cache: false), and the
 * compiled dvc.yaml gains a top-level `plots:` entry with x and all y fields — the only place DVC accepts
 * several y fields — so `dvc plots show` draws one multi-series plot. Plain plot names get no such entry.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { defineExperiment, defineStage, dir, Type } from '../../../src/dsl/index.js';
import { resolveStageSchemas } from '../../../src/dsl/params-schema.js';
import { validateExperiments } from '../../../src/dsl/validate.js';
import { compilePipeline } from '../../../src/runtime/compile/index.js';
import { PROJECT_ROOT } from '../../helpers/tmp-repo.js';

const curves = defineStage({
  id: 'curves',
  params: Type.Object({}),
  inputs: {},
  outputs: { out: dir() },
  plots: ['plain', { name: 'losses', x: 'epoch', y: ['g', 'd'], title: 'losses' }],
  async run() {
    return { plots: { plain: [], losses: [] } };
  },
});

const axes = suite('plot axes');

axes('~> a top-level multi-series entry for plots with axes only', async () => {
  const experiment = defineExperiment('p', (x) => {
    x.stage(curves, { inputs: {}, params: {} });
  });
  const { issues, params } = validateExperiments([experiment], { root: PROJECT_ROOT, schemas: await resolveStageSchemas([experiment]) });
  assert.equal(issues, []);
  const { pipeline } = compilePipeline([experiment], params, { root: PROJECT_ROOT, sources: [] });
  assert.match(pipeline, /    plots:\n      - reports\/p\/curves\/plots\/losses\.json:\n          cache: false\n      - reports\/p\/curves\/plots\/plain\.json:\n          cache: false\n/);
  assert.match(pipeline, /\nplots:\n  - reports\/p\/curves\/plots\/losses\.json:\n      x: epoch\n      y:\n        - g\n        - d\n      title: losses\n$/);
});

axes.run();
