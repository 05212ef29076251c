/**
 * No-op overhead of `repro run` over DVC on the same compiled pipeline (the lab project: 3 stages over
 * DVC-tracked images), measured in one run with the samples interleaved so machine load hits both:
 *   repro run --no-exp  vs  dvc repro       (goal: ratio <= 1.2)
 *   repro run           vs  dvc exp run
 * Usage: npx tsx bench/noop-run.ts [repeats=7]
 */
import { join } from 'node:path';
import { labFiles } from '../test/helpers/lab-project.js';
import { DVC, makeTmpRepo, must } from '../test/helpers/tmp-repo.js';
import { describe, median, timeCommand } from './timing.js';

const repeats = Number(process.argv[2] ?? 7);
const repo = await makeTmpRepo({ files: await labFiles(), dvcAdd: ['data/raw'] });
const env = { REPRO_DVC: DVC, DVC_NO_ANALYTICS: '1', GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b.invalid', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b.invalid' };
const repro = (...args: string[]) => timeCommand(process.execPath, [join(repo.root, 'bin', 'repro.mjs'), ...args], repo.root, env);
const dvc = (...args: string[]) => timeCommand(DVC, args, repo.root, env);
try {
  await must(repo.repro('run', 'lab'));
  await must(repo.git('add', '-A'));
  await must(repo.git('commit', '-qm', 'ran'));
  const samples = { reproRepro: [] as number[], dvcRepro: [] as number[], reproExp: [] as number[], dvcExp: [] as number[] };
  await repro('run', 'lab', '--no-exp'); // warm the OS file cache and the compile stamp
  for (let i = 0; i < repeats; i += 1) {
    samples.reproRepro.push(await repro('run', 'lab', '--no-exp'));
    samples.dvcRepro.push(await dvc('repro'));
    samples.reproExp.push(await repro('run', 'lab'));
    samples.dvcExp.push(await dvc('exp', 'run'));
  }
  console.log('no-op run of the 3-stage lab pipeline (nothing changed)');
  console.log(describe('repro run --no-exp', samples.reproRepro));
  console.log(describe('dvc repro', samples.dvcRepro));
  console.log(describe('repro run (dvc exp run)', samples.reproExp));
  console.log(describe('dvc exp run', samples.dvcExp));
  console.log(`ratio repro run --no-exp / dvc repro: ${(median(samples.reproRepro) / median(samples.dvcRepro)).toFixed(2)} (goal <= 1.2)`);
  console.log(`ratio repro run / dvc exp run:        ${(median(samples.reproExp) / median(samples.dvcExp)).toFixed(2)}`);
} finally {
  await repo.remove();
}
