/**
 * The other commands end to end on the lab project: `dag`, `schema`, `status --why`, and `run -S` (a
 * named DVC experiment with a param override, bad overrides rejected by the stage's schema).
 */
import { join } from 'node:path';
import { Ajv } from 'ajv';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { labFiles, UTIL_TS } from '../helpers/lab-project.js';
import { makeTmpRepo, must, type TmpRepo } from '../helpers/tmp-repo.js';

const commands = suite<{ repo: TmpRepo }>('cli commands');

commands.before(async (context) => {
  context.repo = await makeTmpRepo({ files: await labFiles(), dvcAdd: ['data/raw'] });
});
commands.after(async ({ repo }) => repo.remove());

commands('dag prints each stage with its resources, inputs and outputs; --json gives the edges', async ({ repo }) => {
  const text = (await must(repo.repro('dag', 'lab'))).stdout;
  assert.match(text, /^lab_summarize {2}\[summarize\] {2}\(1 cpu, 2 GiB\)\n {2}← images: out\/lab\/resize-images\/images\n {2}← listing: out\/lab\/count-files\/list\.txt\n {2}→ summary: out\/lab\/summarize\/summary\.json$/m);
  const graph = JSON.parse((await must(repo.repro('dag', '--json'))).stdout) as { name: string; upstream: string[] }[];
  assert.equal(graph.find((s) => s.name === 'lab_summarize')?.upstream, ['lab_count-files', 'lab_resize-images']);
});

commands('an experiment overrides a stage\'s resources; a bad value names the field, what it expected and the line', async ({ repo }) => {
  const original = await repo.read('experiments/lab.ts');
  const withResources = (value: string) => original.replace("params: { prefix: '> ' } }", `params: { prefix: '> ' }, resources: ${value} }`);
  try {
    await repo.write('experiments/lab.ts', withResources('{ cpus: 2, memoryGiB: 0.5 }'));
    const graph = JSON.parse((await must(repo.repro('dag', 'lab', '--json'))).stdout) as { name: string; resources: unknown }[];
    assert.equal(graph.find((s) => s.name === 'lab_count-files')?.resources, { cpus: 2, memoryGiB: 0.5, gpus: 0 });
    assert.equal(graph.find((s) => s.name === 'lab_summarize')?.resources, { cpus: 1, memoryGiB: 2, gpus: 0 }, '~> the others keep the default');
    await repo.write('experiments/lab.ts', withResources('{ cpus: 0 }'));
    const bad = await repo.repro('dag', 'lab');
    assert.is(bad.exitCode, 1);
    assert.match(bad.stderr, /experiments\/lab\.ts:\d+.*stage 'lab\/count-files': resources 'cpus' expected a whole number ≥ 1 or 'all', received 0/);
  } finally {
    await repo.write('experiments/lab.ts', original);
  }
});

commands('schema describes params.yaml, and params.yaml validates against it', async ({ repo }) => {
  const schema = JSON.parse((await must(repo.repro('schema'))).stdout) as Record<string, never>;
  const params = parse(await repo.read('params.yaml')) as unknown;
  const validate = new Ajv({ strict: false }).compile(schema);
  assert.ok(validate(params), JSON.stringify(validate.errors));
  assert.not.ok(validate({ lab: { 'resize-images': { width: 0, height: 4 } } }), '~> rejects a bad width');
  assert.not.ok(validate({ lab: { 'count-files': { prefix: 'x', extra: 1 } } }), '~> rejects an unknown key');
});

commands('status --why names what changed', async ({ repo }) => {
  await must(repo.repro('run', 'lab'));
  assert.match((await must(repo.repro('status'))).stdout, /^all 3 stages up to date$/m);
  await repo.write('src/lab/util.ts', UTIL_TS.replace("'file:' + name", "'name:' + name"));
  const text = (await must(repo.repro('status', '--why'))).stdout;
  assert.match(text, /^lab_count-files\n {2}code 'src\/lab\/util\.ts#describeName' changed$/m);
  assert.match(text, /^lab_summarize {2}\(if upstream outputs change\)\n {2}reruns if 'lab_count-files' changes its outputs$/m);
  await must(repo.repro('run', 'lab'));
});

commands('run -S makes a named experiment with the override; the next plain run goes back', async ({ repo }) => {
  const result = JSON.parse((await must(repo.repro('run', 'lab', '-S', 'lab.resize-images.width=5', '-n', 'wider', '--json'))).stdout) as { ran: string[] };
  assert.equal(result.ran.sort(), ['lab_resize-images', 'lab_summarize']);
  const exps = (await must(repo.dvc('exp', 'list', '--name-only'))).stdout;
  assert.match(exps, /^wider$/m);
  const text = (await must(repo.dvc('params', 'diff', '--all', '--json'))).stdout;
  assert.ok(text.length > 0);
  const shown = JSON.parse(text) as Record<string, Record<string, { new?: unknown }>>;
  assert.is(shown['params.yaml']?.['lab.resize-images.width']?.new, 5, '~> dvc params diff shows the override in the workspace');
  assert.is((await sharp(join(repo.root, 'out/lab/resize-images/images/img-0.png')).metadata()).width, 5);
  // Back to the experiment file's width 4: DVC's run cache has those outputs, so nothing executes.
  const again = JSON.parse((await must(repo.repro('run', 'lab', '--json'))).stdout) as { ran: string[] };
  assert.equal(again.ran, [], '~> restored from the run cache, not executed');
  assert.match(await repo.read('params.yaml'), / {4}width: 4\n/);
  assert.is((await sharp(join(repo.root, 'out/lab/resize-images/images/img-0.png')).metadata()).width, 4);
});

commands('run -S with a value the schema rejects fails in the stage with the key named', async ({ repo }) => {
  const result = await repo.repro('run', 'lab', '-S', 'lab.resize-images.width=-1');
  assert.is(result.exitCode, 1);
  assert.match(result.stderr, /param 'lab\.resize-images\.width' must be >= 1, received -1 \(number\)/);
});

commands.run();
