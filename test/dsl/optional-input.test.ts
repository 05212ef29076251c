/**
 * Optional inputs: a stage may declare an input with `optional()`; an experiment that leaves it out
 * validates, compiles without that dependency and hands `run` `undefined` for it, while a required input
 * left out is still an error (and a type error). A given optional input is a dependency like any other.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { defineExperiment, defineStage, dir, optional, Type, type Experiment } from '../../src/dsl/index.js';
import { resolveStageSchemas } from '../../src/dsl/params-schema.js';
import { validateExperiments } from '../../src/dsl/validate.js';
import { compilePipeline } from '../../src/runtime/compile/index.js';
import { PROJECT_ROOT } from '../helpers/tmp-repo.js';

const withOptional = defineStage({
  id: 'with-optional',
  params: Type.Object({}),
  inputs: { images: dir('required'), weights: optional(dir('initial weights, when there are any')) },
  outputs: { out: dir() },
  // never run: the two annotated lines are the type check (tsc fails if the input types change)
  async run({ inputs }) {
    const weights: string | undefined = inputs.weights;
    const images: string = inputs.images;
    void [weights, images];
  },
});

async function validate(experiment: Experiment) {
  const experiments = [experiment];
  return validateExperiments(experiments, { root: PROJECT_ROOT, schemas: await resolveStageSchemas(experiments) });
}

const optionalSuite = suite('optional inputs');

optionalSuite('~> left out: validates, and the compiled stage has no dependency for it', async () => {
  const experiment = defineExperiment('opt', (x) => {
    x.stage(withOptional, { inputs: { images: x.data('data/a') }, params: {} });
  });
  const { issues, params } = await validate(experiment);
  assert.equal(issues, []);
  const { pipeline } = compilePipeline([experiment], params, { root: PROJECT_ROOT, sources: [] });
  assert.match(pipeline, /- data\/a\n/);
  assert.not.match(pipeline, /weights/);
});

optionalSuite('~> given: it is a dependency', async () => {
  const experiment = defineExperiment('opt', (x) => {
    x.stage(withOptional, { inputs: { images: x.data('data/a'), weights: x.data('data/w') }, params: {} });
  });
  const { issues, params } = await validate(experiment);
  assert.equal(issues, []);
  assert.match(compilePipeline([experiment], params, { root: PROJECT_ROOT, sources: [] }).pipeline, /- data\/w\n/);
});

optionalSuite('~> a required input left out is still reported', async () => {
  const experiment = defineExperiment('opt', (x) => {
    // @ts-expect-error -- 'images' is required
    x.stage(withOptional, { inputs: { weights: x.data('data/w') }, params: {} });
  });
  const { issues } = await validate(experiment);
  assert.equal(issues.map((i) => i.message.replace(/^.*?: /, '')), ["input 'images' expected a dir handle, received nothing"]);
});

optionalSuite.run();
