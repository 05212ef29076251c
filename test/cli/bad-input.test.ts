/**
 * Bad input end to end, through the real CLI in a temp git + DVC repo: each mistake gets exit code 1, a
 * message that names the thing (file:line where there is one), what was expected and what was received,
 * a hint, no stack trace — and nothing is written: the generated files keep their bytes.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { labFiles } from '../helpers/lab-project.js';
import { makeTmpRepo, must, type CommandOutput, type TmpRepo } from '../helpers/tmp-repo.js';

const GENERATED = ['dvc.yaml', 'params.yaml', '.repro/fp/lab_resize-images.json'];

const BAD_HEADER = `import { defineExperiment, type Artifact } from '../src/dsl/index.js';
import { imageGrid, resizeImages } from '../src/stages/index.js';
`;

/** A bad experiment: the header takes lines 1-3, `defineExperiment` line 4, the body starts on line 5. */
function badExperiment(body: string): string {
  return `${BAD_HEADER}
export default defineExperiment('bad', (x) => {
${body}
});
`;
}

async function snapshot(repo: TmpRepo): Promise<string[]> {
  return Promise.all(GENERATED.map((f) => repo.read(f)));
}

function assertCleanFailure(result: CommandOutput, pattern: RegExp): void {
  assert.is(result.exitCode, 1, `~> exit code 1\n${result.stderr}`);
  assert.match(result.stderr, pattern);
  assert.match(result.stderr, /^hint /m, '~> a hint with the next command');
  assert.not.match(result.stderr, /^\s+at .+:\d+:\d+\)?$/m, '~> no stack trace');
}

const bad = suite<{ repo: TmpRepo; before: string[] }>('bad input: clear errors, nothing written');

bad.before(async (context) => {
  context.repo = await makeTmpRepo({ files: await labFiles(), dvcAdd: ['data/raw'] });
  await must(context.repo.repro('compile'));
  context.before = await snapshot(context.repo);
});
bad.after(async ({ repo }) => repo.remove());
bad.after.each(async ({ repo, before }) => {
  await repo.write('experiments/bad.ts', '');
  await repo.git('rm', '-q', '--cached', '--ignore-unmatch', 'experiments/bad.ts');
  await import('node:fs/promises').then((fs) => fs.rm(`${repo.root}/experiments/bad.ts`, { force: true }));
  assert.equal(await snapshot(repo), before, '~> generated files unchanged');
});

bad('a type error in an experiment file, at file:line', async ({ repo }) => {
  await repo.write('experiments/bad.ts', badExperiment(`  const grid = x.stage(imageGrid, { inputs: { images: x.data('data/raw') }, params: { cell: 8, columns: 2 } });
  x.stage(resizeImages, { inputs: { images: grid.outputs.grid }, params: { width: 8, height: 8 } });`));
  const result = await repo.repro('compile');
  assertCleanFailure(result, /experiments\/bad\.ts:6 +type error TS2322: Type 'Artifact<"file">' is not assignable to type 'Artifact<"dir">'/);
});

bad('an unknown param (past the type checker), named with the allowed keys', async ({ repo }) => {
  await repo.write('experiments/bad.ts', badExperiment(`  // @ts-expect-error -- a typo the type checker would catch
  x.stage(resizeImages, { inputs: { images: x.data('data/raw') }, params: { width: 8, height: 8, colour: 'red' } });`));
  const result = await repo.repro('compile');
  assertCleanFailure(result, /experiments\/bad\.ts:6 +stage 'bad\/resize-images': unknown param 'colour', expected one of 'background', 'fit', 'grayscale', 'height', 'width'/);
});

bad('two stages writing one output', async ({ repo }) => {
  await repo.write('experiments/bad.ts', badExperiment(`  x.stage(resizeImages, { inputs: { images: x.data('data/raw') }, params: { width: 8, height: 8 } });
  x.stage(resizeImages, { inputs: { images: x.data('data/raw') }, params: { width: 9, height: 9 } });`));
  const result = await repo.repro('compile');
  assertCleanFailure(result, /experiments\/bad\.ts:6 +stage 'bad\/resize-images': two stages write 'out\/bad\/resize-images\/' \(the other is at experiments\/bad\.ts:5\)/);
});

bad('a cycle', async ({ repo }) => {
  await repo.write('experiments/bad.ts', badExperiment(`  const later: Artifact<'dir'> = { kind: 'dir', source: { type: 'output', experiment: 'bad', stage: 'b', output: 'images' } };
  const a = x.stage(resizeImages, { id: 'a', inputs: { images: later }, params: { width: 8, height: 8 } });
  x.stage(resizeImages, { id: 'b', inputs: { images: a.outputs.images }, params: { width: 8, height: 8 } });`));
  const result = await repo.repro('compile');
  assertCleanFailure(result, /experiment 'bad' has a cycle: a → b → a/);
});

bad('a file that does not parse', async ({ repo }) => {
  await repo.write('experiments/bad.ts', badExperiment(`  x.stage(resizeImages, { inputs: { images: x.data('data/raw') }, params: { width: 8, height: 8 }`));
  const result = await repo.repro('run', 'lab');
  assertCleanFailure(result, /experiments\/bad\.ts(:\d+)? +experiments\/bad\.ts failed to load/);
});

bad('an unknown experiment or stage name', async ({ repo }) => {
  assertCleanFailure(await repo.repro('run', 'nope'), /experiment 'nope' expected in experiments\/ \(one of 'lab'\), received no such experiment/);
  assertCleanFailure(await repo.repro('status', 'nope'), /experiment 'nope' expected in experiments\//);
  assertCleanFailure(await repo.repro('exec', 'lab', 'nope'), /stage 'nope' expected in experiment 'lab' \(one of 'count-files', 'resize-images', 'summarize'\), received no such stage/);
  assertCleanFailure(await repo.repro('exec', 'nope', 'x'), /experiment 'nope' expected among the compiled experiments \('lab'\), received no such experiment/);
});

bad.run();

// ---

const edited = suite('bad input: a hand-edited params.yaml');

edited('a schema violation stops the stage before it writes anything; compile refuses to overwrite the edit', async () => {
  const repo = await makeTmpRepo({ files: await labFiles(), dvcAdd: ['data/raw'] });
  try {
    await must(repo.repro('compile', 'lab')); // lab's stages go into dvc.yaml before they ever ran, for `dvc repro`
    const params = await repo.read('params.yaml');
    const broken = params.replace(/( {4}width:) 4/, '$1 -5');
    assert.not.equal(broken, params);
    await repo.write('params.yaml', broken);

    const exec = await repo.repro('exec', 'lab', 'resize-images');
    assertCleanFailure(exec, /params\.yaml +param 'lab\.resize-images\.width' must be >= 1, received -5 \(number\)/);
    assert.not.ok(await repo.exists('out/lab/resize-images/images'), '~> no output');

    const viaDvc = await repo.dvc('repro', 'lab_resize-images');
    assert.is.not(viaDvc.exitCode, 0, '~> dvc repro fails too');
    assert.match(viaDvc.stdout + viaDvc.stderr, /param 'lab\.resize-images\.width' must be >= 1/);

    const run = await repo.repro('run', 'lab');
    assertCleanFailure(run, /params\.yaml expected to hold what `repro compile` wrote, received a hand-edited file/);
    assert.is(await repo.read('params.yaml'), broken, '~> the edit is not lost');

    await must(repo.repro('compile', '--force'));
    assert.is(await repo.read('params.yaml'), params, '~> --force regenerates it');
  } finally {
    await repo.remove();
  }
});

edited.run();
