/**
 * Compile + fingerprint time for a generated experiment of 30 stages over 200 source files (170
 * libraries + 30 stage modules), through the real CLI, in one run:
 *   cold   — no caches: type-check, parse every file, fingerprint every stage, write everything
 *   warm   — `repro compile` again: experiments loaded, type-check and per-file caches hit (goal < 1 s)
 *   stamp  — `repro status`-style no-op path: the compile stamp answers, nothing is loaded
 *   one edit — a library function two stages reach changes: re-parse one file, rewrite two fingerprints
 * Usage: npx tsx bench/compile-fingerprint.ts [repeats=5]
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DVC, makeTmpRepo, must } from '../test/helpers/tmp-repo.js';
import { generateProject } from './generated-project.js';
import { describe, timeCommand } from './timing.js';

const repeats = Number(process.argv[2] ?? 5);
const project = generateProject(30, 170);
const repo = await makeTmpRepo({ files: project.files });
const env = { REPRO_DVC: DVC, DVC_NO_ANALYTICS: '1' };
const repro = (...args: string[]) => timeCommand(process.execPath, [join(repo.root, 'bin', 'repro.mjs'), ...args], repo.root, env);
try {
  const cold: number[] = [];
  const warm: number[] = [];
  const edit: number[] = [];
  for (let i = 0; i < repeats; i += 1) {
    await rm(join(repo.root, '.repro'), { recursive: true, force: true });
    await rm(join(repo.root, 'dvc.yaml'), { force: true });
    await rm(join(repo.root, 'params.yaml'), { force: true });
    cold.push(await repro('compile'));
    warm.push(await repro('compile'));
  }
  const dag = await must(repo.repro('dag', '--json'));
  const stages = (JSON.parse(dag.stdout) as unknown[]).length;
  for (let i = 0; i < repeats; i += 1) {
    const lib = `src/gen/lib-${i}.ts`;
    await repo.write(lib, (await repo.read(lib)).replace(/% 97/, `% ${89 + i}`));
    edit.push(await repro('compile'));
  }
  const version: number[] = [];
  for (let i = 0; i < repeats; i += 1) version.push(await repro('--version'));
  console.log(`generated experiment: ${stages} stages, ${project.sourceCount} source files (+ the DSL)`);
  console.log(describe('repro compile, cold (no caches)', cold));
  console.log(describe('repro compile, warm (caches hit)', warm));
  console.log(describe('repro compile after one library edit', edit));
  console.log(describe('repro --version (process start, baseline)', version));
} finally {
  await repo.remove();
}
