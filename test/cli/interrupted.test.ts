/**
 * A stage that fails or is interrupted leaves no output behind — not the final path, not a temp
 * sibling — and the CLI says so with exit code 1 (failure) or 130 (SIGINT), through the real CLI.
 * A stage killed outright (SIGKILL, no cleanup at all) keeps what it put in its work folder: the rerun
 * resumes from it, removes the temp output the killed run left, and removes the work folder on success.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeTmpRepo, must, type TmpRepo } from '../helpers/tmp-repo.js';

const HALTING_STAGE = `/** Writes half its output, then fails or waits to be interrupted, as params say. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineStage, dir, Type } from '../dsl/index.js';

export const resumable = defineStage({
  id: 'resumable',
  params: Type.Object({ killAt: Type.Integer() }),
  inputs: {},
  outputs: { result: dir() },
  async run({ params, outputs, workDir, resuming }) {
    const checkpoint = join(workDir, 'epoch.txt');
    const start = resuming ? Number(await readFile(checkpoint, 'utf8')) : 0;
    await writeFile(join(outputs.result, 'partial.txt'), 'partial\\n');
    for (let epoch = start + 1; epoch <= 3; epoch += 1) {
      await writeFile(checkpoint, String(epoch));
      if (epoch === params.killAt && !resuming) process.kill(process.pid, 'SIGKILL');
    }
    await writeFile(join(outputs.result, 'done.txt'), \`resumed from epoch \${start}\\n\`);
  },
});

export const halting = defineStage({
  id: 'halting',
  params: Type.Object({ mode: Type.Union([Type.Literal('fail'), Type.Literal('wait')]) }),
  inputs: {},
  outputs: { result: dir() },
  async run({ params, outputs, log, signal }) {
    await writeFile(join(outputs.result, 'half.txt'), 'half\\n');
    if (params.mode === 'fail') throw new Error('the model diverged (loss is NaN)');
    log.info('waiting');
    await new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, 60_000);
      signal.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason); });
    });
  },
});
`;

function experiment(mode: 'fail' | 'wait'): string {
  return `import { defineExperiment } from '../src/dsl/index.js';
import { halting, resumable } from '../src/lab/halting.js';

export default defineExperiment('halt', (x) => {
  x.stage(halting, { inputs: {}, params: { mode: '${mode}' } });
  x.stage(resumable, { inputs: {}, params: { killAt: 2 } });
});
`;
}

async function leftovers(repo: TmpRepo): Promise<string[]> {
  return readdir(join(repo.root, 'out', 'halt', 'halting')).catch(() => []);
}

const halt = suite<{ repo: TmpRepo }>('exec: failed and interrupted stages');

halt.before(async (context) => {
  context.repo = await makeTmpRepo({ files: { 'src/lab/halting.ts': HALTING_STAGE, 'experiments/halt.ts': experiment('fail') } });
  await must(context.repo.repro('compile'));
});
halt.after(async ({ repo }) => repo.remove());

halt('a stage that throws: exit 1, its message, no output and no temp folder', async ({ repo }) => {
  const result = await repo.repro('exec', 'halt', 'halting');
  assert.is(result.exitCode, 1);
  assert.match(result.stderr, /error stage 'halt_halting' failed: the model diverged \(loss is NaN\)/);
  assert.match(result.stderr, /hint .*repro run halt/);
  assert.equal(await leftovers(repo), []);
});

halt('the same failure through `repro run` reports DVC failing and leaves nothing', async ({ repo }) => {
  // -j 1: DVC runs the stages one by one and stops at the failure (test/cli/parallel-run has -j 2)
  const result = await repo.repro('run', 'halt', '--no-exp', '-j', '1');
  assert.is(result.exitCode, 1);
  assert.match(result.stderr, /the model diverged/);
  assert.match(result.stderr, /error .*dvc/i);
  assert.equal(await leftovers(repo), []);
});

halt('SIGINT while the stage runs: exit 130, no output and no temp folder', async ({ repo }) => {
  await repo.write('experiments/halt.ts', experiment('wait'));
  await must(repo.repro('compile'));
  const child = execa(process.execPath, [join(repo.root, 'bin', 'repro.mjs'), 'exec', 'halt', 'halting'], {
    cwd: repo.root,
    reject: false,
    env: { NO_COLOR: '1' },
  });
  await new Promise<void>((resolve) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('waiting')) resolve();
    });
  });
  assert.ok((await leftovers(repo)).some((name) => name.startsWith('result.tmp-')), '~> the temp output exists while running');
  child.kill('SIGINT');
  const result = await child;
  assert.is(result.exitCode, 130);
  assert.match(String(result.stderr), /stage 'halt_halting' was interrupted; its outputs were not written/);
  assert.equal(await leftovers(repo), []);
});

halt('SIGKILL mid-run: the rerun resumes from the work folder, then leaves neither it nor temp outputs', async ({ repo }) => {
  const killed = await repo.repro('exec', 'halt', 'resumable');
  assert.is(killed.exitCode, -1, `~> killed by a signal, no exit code: ${killed.stderr}`);
  const work = join(repo.root, '.repro', 'work', 'halt_resumable');
  assert.is((await readdir(work)).length, 1, '~> one work folder survived the kill');
  const stage = join(repo.root, 'out', 'halt', 'resumable');
  assert.ok((await readdir(stage)).some((name) => name.startsWith('result.tmp-')), '~> the killed run left its temp output');

  const rerun = await must(repo.repro('exec', 'halt', 'resumable'));
  assert.match(rerun.stderr, /resuming from unfinished work in \.repro\/work\/halt_resumable\//);
  assert.is(await readFile(join(stage, 'result', 'done.txt'), 'utf8'), 'resumed from epoch 2\n');
  assert.equal(await readdir(stage), ['result'], '~> the stale temp output is gone');
  assert.equal(await readdir(work).catch(() => 'absent'), 'absent', '~> the work folder is removed after success');
});

halt.run();
