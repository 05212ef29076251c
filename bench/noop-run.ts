/**
 * A no-op `repro run` against DVC on the same stages, measured in one run with the samples interleaved so
 * machine load hits both:
 *   repro run            vs  dvc exp run <the experiment's stages>   (goal: ratio <= 0.2)
 *   repro run --no-exp   vs  dvc repro <the experiment's stages>
 * With nothing changed, repro proves it from dvc.lock and the workspace hashes and starts nothing, while
 * DVC starts Python, collects the pipeline and — for `dvc exp run` — records yet another experiment (the
 * ones this benchmark makes are removed again; it also checks that repro made none).
 * Default project: the lab project (3 stages) in a temp repo. `--project <dir> <experiment>` measures an
 * existing project whose experiment has run, e.g. a clone of this repository after `repro run demo`.
 * Usage: npx tsx bench/noop-run.ts [--project <dir> <experiment>] [--repeats 7]
 */
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { labFiles } from '../test/helpers/lab-project.js';
import { DVC, ENV, makeTmpRepo, must, type TmpRepo } from '../test/helpers/tmp-repo.js';
import { describe, median, timeCommand } from './timing.js';

const args = process.argv.slice(2);
const at = (flag: string) => args.indexOf(flag);
const repeats = at('--repeats') >= 0 ? Number(args[at('--repeats') + 1]) : 7;
const given = at('--project') >= 0 ? { root: resolve(args[at('--project') + 1]!), experiment: args[at('--project') + 2]! } : undefined;

let temp: TmpRepo | undefined;
let root: string;
let experiment: string;
if (given) {
  ({ root, experiment } = given);
} else {
  temp = await makeTmpRepo({ files: await labFiles(), dvcAdd: ['data/raw'] });
  await must(temp.repro('run', 'lab'));
  await must(temp.git('add', '-A'));
  await must(temp.git('commit', '-qm', 'ran'));
  ({ root } = temp);
  experiment = 'lab';
}

const git = async (...a: string[]) => (await execa('git', a, { cwd: root })).stdout;
const experimentRefs = async () => (await git('for-each-ref', '--format=%(refname)', 'refs/exps')).split('\n').filter(Boolean);
const repro = (...a: string[]) => timeCommand(process.execPath, [join(root, 'bin', 'repro.mjs'), ...a], root, ENV);
const dvc = (...a: string[]) => timeCommand(DVC, a, root, ENV);

try {
  const listed = (await execa(DVC, ['stage', 'list', '--name-only'], { cwd: root })).stdout.split('\n');
  const targets = listed.filter((name) => name.startsWith(`${experiment}_`));
  const before = await experimentRefs();
  const samples = { reproExp: [] as number[], dvcExp: [] as number[], reproRepro: [] as number[], dvcRepro: [] as number[] };
  await repro('run', experiment); // warm the OS file cache, the compile stamp and the hash state
  let reproMade = 0;
  for (let i = 0; i < repeats; i += 1) {
    const refs = (await experimentRefs()).length;
    samples.reproExp.push(await repro('run', experiment));
    reproMade += (await experimentRefs()).length - refs;
    samples.dvcExp.push(await dvc('exp', 'run', ...targets));
    samples.reproRepro.push(await repro('run', experiment, '--no-exp'));
    samples.dvcRepro.push(await dvc('repro', ...targets));
  }
  const made = (await experimentRefs()).filter((ref) => !before.includes(ref));
  if (made.length > 0) await execa(DVC, ['exp', 'remove', ...made.map((ref) => ref.split('/').pop()!)], { cwd: root, reject: false });
  console.log(`no-op run of '${experiment}' (${targets.length} stages, nothing changed) in ${temp ? 'a temp lab project' : root}`);
  console.log(describe('repro run', samples.reproExp));
  console.log(describe(`dvc exp run (${targets.length} stages)`, samples.dvcExp));
  console.log(describe('repro run --no-exp', samples.reproRepro));
  console.log(describe(`dvc repro (${targets.length} stages)`, samples.dvcRepro));
  console.log(`DVC experiments made: repro run ${reproMade}, dvc exp run ${made.length} (removed again)`);
  console.log(`ratio repro run / dvc exp run:        ${(median(samples.reproExp) / median(samples.dvcExp)).toFixed(2)} (goal <= 0.2)`);
  console.log(`ratio repro run --no-exp / dvc repro: ${(median(samples.reproRepro) / median(samples.dvcRepro)).toFixed(2)}`);
} finally {
  await temp?.remove();
}
