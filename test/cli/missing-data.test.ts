/**
 * An experiment whose data has not arrived must not block the others: `repro compile` succeeds and warns
 * with file:line, `repro run <that experiment>` fails naming the path and the next command, and
 * `repro run` of everything runs the experiments that have their data and names the skipped one.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { labFiles } from '../helpers/lab-project.js';
import { makeTmpRepo, type TmpRepo } from '../helpers/tmp-repo.js';

const WAITING = `import { defineExperiment } from '../src/dsl/index.js';
import { resizeImages } from '../src/stages/index.js';

export default defineExperiment('waiting', (x) => {
  x.stage(resizeImages, { inputs: { images: x.data('data/not-yet') }, params: { width: 8, height: 8 } });
});
`;

const missing = suite<{ repo: TmpRepo }>('missing data');

missing.before(async (context) => {
  context.repo = await makeTmpRepo({ files: { ...(await labFiles()), 'experiments/waiting.ts': WAITING }, dvcAdd: ['data/raw'] });
});
missing.after(async ({ repo }) => repo.remove());

missing('~> compile warns with file:line and succeeds', async ({ repo }) => {
  const compiled = await repo.repro('compile');
  assert.is(compiled.exitCode, 0, compiled.stderr);
  assert.match(compiled.stderr, /warning: experiment 'waiting' cannot run yet: experiments\/waiting\.ts:5 data 'data\/not-yet' expected a folder in the project or a 'data\/not-yet\.dvc' file, received nothing/);
});

missing('~> running that experiment fails, naming the path and what to do', async ({ repo }) => {
  const result = await repo.repro('run', 'waiting');
  assert.is(result.exitCode, 1);
  assert.match(result.stderr, /experiment 'waiting' expected 1 data path that is not here; nothing ran/);
  assert.match(result.stderr, /experiments\/waiting\.ts:5 +data 'data\/not-yet' expected a folder/);
  assert.match(result.stderr, /^hint .*dvc add <path>/m);
});

missing('~> running everything runs the others and names the skipped experiment', async ({ repo }) => {
  const result = await repo.repro('run', '--no-exp');
  assert.is(result.exitCode, 0, result.stderr);
  assert.match(result.stderr, /warning: skipped experiment 'waiting': data 'data\/not-yet' expected a folder/);
  assert.match(result.stdout, /ran \d+ stages?: lab_/);
  assert.not.match(result.stdout, /waiting_/);
});

missing.run();
