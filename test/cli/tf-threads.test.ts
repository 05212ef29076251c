/**
 * A TensorFlow stage's thread pools follow its declared cores, through the real CLI, git and dvc: an
 * experiment that gives a TensorFlow stage fewer cores than the machine has records the thread counts in
 * the stage's fingerprint, `repro run` (sequential and `-j 2`) runs it with TensorFlow's pools sized to
 * them, `repro status --why` names the change as a backend change when the cores change, and a stage
 * left at `'all'` keeps TensorFlow's own default. Needs a machine with 2 or more cores (says so otherwise).
 */
import { availableParallelism } from 'node:os';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makePngFiles } from '../helpers/tiny-images.js';
import { makeTmpRepo, must, type TmpRepo } from '../helpers/tmp-repo.js';

/** Reports the thread counts TensorFlow started with, and ctx.cpus, after one op on the backend. */
const TF_THREADS_TS = `/** What TensorFlow's pools were sized to in this stage's process: a TensorFlow stage for the thread test. */
import { readdir, writeFile } from 'node:fs/promises';
import type * as tfjs from '@tensorflow/tfjs';
import { defineStage, dir, file, Type } from '../dsl/index.js';

export const tfThreads = defineStage({
  id: 'tf-threads',
  params: Type.Object({}),
  inputs: { images: dir() },
  outputs: { threads: file({ fileName: 'threads.json' }) },
  packages: ['@tensorflow/tfjs-core'],
  resources: { cpus: 'all' },
  async run({ inputs, outputs, tf, cpus }) {
    const count = (await readdir(inputs.images)).length;
    const sum = tf.tidy(() => (tf.sum(tf.ones([count])) as tfjs.Scalar).dataSync()[0]!);
    const env = process.env;
    await writeFile(outputs.threads, JSON.stringify({ sum, intraOp: env.TF_NUM_INTRAOP_THREADS ?? 'default', interOp: env.TF_NUM_INTEROP_THREADS ?? 'default', cpus }) + '\\n');
  },
});
`;

const experiment = (resources: string) => `import { defineExperiment } from '../src/dsl/index.js';
import { tfThreads } from '../src/lab/tf-threads.js';

export default defineExperiment('threads', (x) => {
  const raw = x.data('data/raw');
  x.stage(tfThreads, { id: 'one', inputs: { images: raw }, params: {}, resources: ${resources} });
  x.stage(tfThreads, { id: 'every', inputs: { images: raw }, params: {} });
});
`;

const threads = suite<{ repo: TmpRepo }>('TensorFlow threads from declared cores');
const enoughCores = availableParallelism() >= 2;

threads.before(async (context) => {
  if (!enoughCores) return;
  context.repo = await makeTmpRepo({
    files: { 'src/lab/tf-threads.ts': TF_THREADS_TS, 'experiments/threads.ts': experiment('{ cpus: 1 }'), ...(await makePngFiles('data/raw', 2)) },
    dvcAdd: ['data/raw'],
  });
});
threads.after(async ({ repo }) => repo?.remove());

threads('one core: the fingerprint records one thread per pool and the stage runs with them; every core: TensorFlow\'s default', async ({ repo }) => {
  if (!enoughCores) return console.log(`  skipped: this machine has ${availableParallelism()} core; a stage given fewer cores than the machine needs 2 or more`);
  await must(repo.repro('run', 'threads', '--no-exp', '-j', '1'));
  const fingerprint = (name: string) => repo.read(`.repro/fp/threads_${name}.json`).then((t) => (JSON.parse(t) as { backend: string }).backend);
  assert.match(await fingerprint('one'), /^tensorflow \(.*, 1 intra-op thread, 1 inter-op thread\)$/);
  assert.not.match(await fingerprint('every'), /thread/, '~> cpus \'all\' (the default) leaves the pools to TensorFlow');
  const report = async (name: string) => JSON.parse(await repo.read(`out/threads/${name}/threads.json`)) as { sum: number; intraOp: string; interOp: string; cpus: number };
  assert.equal(await report('one'), { sum: 2, intraOp: '1', interOp: '1', cpus: 1 });
  assert.equal(await report('every'), { sum: 2, intraOp: 'default', interOp: 'default', cpus: availableParallelism() });

  // In parallel the stage gets the same pools: they follow the declaration, not the run's grant.
  await must(repo.repro('run', 'threads', '--no-exp', '--force', '-j', '2'));
  assert.equal(await report('one'), { sum: 2, intraOp: '1', interOp: '1', cpus: 1 });
  assert.match((await must(repo.dvc('status'))).stdout, /up to date/);
});

threads('changing a TensorFlow stage\'s cores is a backend change: status says so and only that stage reruns', async ({ repo }) => {
  if (!enoughCores) return;
  // As many cores as the machine has: TensorFlow's default pools (not 'all', which would make it 'every' again).
  await repo.write('experiments/threads.ts', experiment(`{ cpus: ${availableParallelism()} }`));
  const why = (await must(repo.repro('status', '--why'))).stdout;
  assert.match(why, /^threads_one\n {2}backend tensorflow \(.*, 1 intra-op thread, 1 inter-op thread\) -> tensorflow \([^)]*\)$/m);
  assert.not.match(why, /^threads_every/m);
  const ran = JSON.parse((await must(repo.repro('run', 'threads', '--no-exp', '--json'))).stdout) as { ran: string[] };
  assert.equal(ran.ran, ['threads_one']);
  assert.equal(JSON.parse(await repo.read('out/threads/one/threads.json')), { sum: 2, intraOp: 'default', interOp: 'default', cpus: availableParallelism() });
});

threads.run();
