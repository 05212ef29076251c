/**
 * Fixed cost of `repro exec` per stage: the wall time of running the lab project's `count-files` stage
 * (a readdir of three names and one small write, so nearly all of it is overhead: Node start, the CLI,
 * reading the resolved stage, importing the stage module through the TypeScript loader, validating its
 * params) against the bare start of the CLI (`repro --version`) measured in the same run, interleaved.
 * Goal: exec ≤ 0.2 s. Also prints how long the loader and the stage module import take inside one process.
 * Usage: npx tsx bench/exec-cost.ts [repeats=9]
 */
import { join } from 'node:path';
import { execa } from 'execa';
import { labFiles } from '../test/helpers/lab-project.js';
import { ENV, makeTmpRepo, must } from '../test/helpers/tmp-repo.js';
import { describe, median, timeCommand } from './timing.js';

const repeats = Number(process.argv[2] ?? 9);
const repo = await makeTmpRepo({ files: await labFiles(), dvcAdd: ['data/raw'] });
const cli = join(repo.root, 'bin', 'repro.mjs');
try {
  await must(repo.repro('compile'));
  const samples = { exec: [] as number[], start: [] as number[] };
  await timeCommand(process.execPath, [cli, 'exec', 'lab', 'count-files'], repo.root, ENV); // warm caches (tsx, OS)
  for (let i = 0; i < repeats; i += 1) {
    samples.exec.push(await timeCommand(process.execPath, [cli, 'exec', 'lab', 'count-files'], repo.root, ENV));
    samples.start.push(await timeCommand(process.execPath, [cli, '--version'], repo.root, ENV));
  }
  const inside = await execa(process.execPath, ['--input-type=module', '-e', `
    const t0 = performance.now();
    const { register } = await import('tsx/esm/api'); register();
    const t1 = performance.now();
    await import(${JSON.stringify(join(repo.root, 'src/lab/count-files.ts'))});
    const t2 = performance.now();
    console.log(JSON.stringify({ loader: t1 - t0, module: t2 - t1 }));`], { cwd: repo.root, env: ENV });
  const parts = JSON.parse(inside.stdout) as { loader: number; module: number };
  console.log('repro exec of a trivial stage (lab count-files), wall time per process');
  console.log(describe('repro exec lab count-files', samples.exec));
  console.log(describe('repro --version (node + CLI start)', samples.start));
  console.log(`exec beyond the CLI start: ${(median(samples.exec) - median(samples.start)).toFixed(0)} ms`);
  console.log(`inside one process: TypeScript loader ${parts.loader.toFixed(0)} ms, stage module import ${parts.module.toFixed(0)} ms`);
  console.log(`exec fixed cost: ${(median(samples.exec) / 1000).toFixed(2)} s (goal <= 0.20 s)`);
} finally {
  await repo.remove();
}
