/**
 * `validateExperiments` returns every issue at once, each with the file and line of the call that
 * caused it. Experiments are built right here, so their call sites point into this file.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Artifact } from '../../src/dsl/artifact.js';
import { defineExperiment, type Experiment } from '../../src/dsl/experiment.js';
import { resolveStageSchemas } from '../../src/dsl/params-schema.js';
import { validateExperiments } from '../../src/dsl/validate.js';
import { PROJECT_ROOT } from '../helpers/tmp-repo.js';
import { imageGrid, resizeImages } from '../../src/stages/index.js';

async function validate(...experiments: Experiment[]) {
  return validateExperiments(experiments, { root: PROJECT_ROOT, schemas: await resolveStageSchemas(experiments) });
}

/** A handle nobody made with x.stage(): how a cycle or a foreign handle can sneak in. */
function handMade(experiment: string, stage: string, output = 'images'): Artifact<'dir'> {
  return { kind: 'dir', source: { type: 'output', experiment, stage, output } };
}

const all = suite('validateExperiments');

all('a valid experiment has no issues and gets defaults applied', async () => {
  const experiment = defineExperiment('good', (x) => {
    const small = x.stage(resizeImages, { inputs: { images: x.data('data/photos') }, params: { width: 8, height: 8 } });
    x.stage(imageGrid, { inputs: { images: small.outputs.images }, params: { cell: 8, columns: 2 } });
  });
  const { issues, params } = await validate(experiment);
  assert.equal(issues, []);
  assert.equal(params.get('good')?.get('image-grid'), { cell: 8, columns: 2, gap: 2, limit: 64 });
});

all('returns every issue of an experiment with several mistakes, with file and line', async () => {
  const line = (offset: number) => Number(new Error().stack!.split('\n')[2]!.match(/:(\d+):\d+\)?$/)![1]) + offset;
  let first = 0;
  const experiment = defineExperiment('many-mistakes', (x) => {
    first = line(1);
    const small = x.stage(resizeImages, { inputs: { images: x.data('data/photos') }, params: { width: 0, height: 8 } });
    x.stage(resizeImages, { inputs: { images: x.data('/abs/photos') }, params: { width: 8, height: 8 } });
    // @ts-expect-error -- 'colour' is not a param of image-grid
    x.stage(imageGrid, { id: 'Bad_Id', inputs: { images: small.outputs.images }, params: { cell: 8, columns: 2, colour: 'red' } });
    // @ts-expect-error -- a missing input
    x.stage(imageGrid, { id: 'no-input', inputs: {}, params: { cell: 8, columns: 2 } });
    x.stage(imageGrid, { id: 'in-out', inputs: { images: x.data('out/other/thing') }, params: { cell: 8, columns: 2 } });
  });
  const { issues } = await validate(experiment);
  const summary = issues.map((i) => `${i.code} ${i.line} ${i.message}`);
  assert.is(issues.length, 7, summary.join('\n'));
  assert.ok(issues.every((i) => i.file === 'test/dsl/validate.test.ts'), '~> file');
  const find = (pattern: RegExp) => issues.find((i) => pattern.test(i.message));
  assert.is(find(/param 'width' must be >= 1, received 0 \(number\)/)?.line, first, '~> param line');
  assert.is(find(/param 'width'/)?.code, 'PARAMS_INVALID');
  assert.is(find(/two stages write 'out\/many-mistakes\/resize-images\/'/)?.code, 'OUTPUT_CONFLICT');
  assert.is(find(/two stages write/)?.line, first + 1);
  assert.ok(find(/data '\/abs\/photos' expected a path inside the project/));
  assert.ok(find(/Bad_Id': id expected to match/));
  assert.ok(find(/unknown param 'colour', expected one of 'cell', 'columns', 'gap', 'limit'/));
  assert.ok(find(/input 'images' expected a dir handle, received nothing/));
  assert.is(find(/data 'out\/other\/thing' is inside 'out\/'/)?.code, 'OUTPUT_CONFLICT');
});

all('reports a cycle as a → b → a', async () => {
  const experiment = defineExperiment('loop', (x) => {
    const a = x.stage(resizeImages, { id: 'a', inputs: { images: handMade('loop', 'b') }, params: { width: 8, height: 8 } });
    x.stage(resizeImages, { id: 'b', inputs: { images: a.outputs.images }, params: { width: 8, height: 8 } });
  });
  const { issues } = await validate(experiment);
  assert.equal(issues.map((i) => i.code), ['GRAPH_CYCLE']);
  assert.match(issues[0]!.message, /experiment 'loop' has a cycle: a → b → a/);
});

all('rejects a handle from another experiment, an unknown producer and a wrong kind', async () => {
  const experiment = defineExperiment('mixed', (x) => {
    x.stage(imageGrid, { id: 'foreign', inputs: { images: handMade('other', 'resize-images') }, params: { cell: 8, columns: 1 } });
    x.stage(imageGrid, { id: 'ghost', inputs: { images: handMade('mixed', 'nope') }, params: { cell: 8, columns: 1 } });
    const grid = x.stage(imageGrid, { id: 'grid', inputs: { images: x.data('data/p') }, params: { cell: 8, columns: 1 } });
    // @ts-expect-error -- a file handle where a folder is expected does not type-check
    x.stage(imageGrid, { id: 'kind', inputs: { images: grid.outputs.grid }, params: { cell: 8, columns: 1 } });
  });
  const messages = (await validate(experiment)).issues.map((i) => i.message);
  assert.ok(messages.some((m) => /is a handle from experiment 'other', expected one from 'mixed'/.test(m)), messages.join('\n'));
  assert.ok(messages.some((m) => /names stage 'nope', which is not in experiment 'mixed'/.test(m)));
  assert.ok(messages.some((m) => /input 'images' expected a dir, received a file \(output 'mixed\/grid\.grid'\)/.test(m)));
});

all('reports an exception thrown while defining, a bad name and a name used twice', async () => {
  const broken = defineExperiment('Broken', () => {
    throw new Error('boom');
  });
  const again = defineExperiment('Broken', () => {});
  const messages = (await validate(broken, again)).issues.map((i) => i.message);
  assert.ok(messages.some((m) => /experiment 'Broken' threw while being defined: boom/.test(m)));
  assert.ok(messages.some((m) => /experiment name 'Broken' expected to match/.test(m)));
  assert.ok(messages.some((m) => /experiment name 'Broken' is defined twice/.test(m)));
});

all.run();
