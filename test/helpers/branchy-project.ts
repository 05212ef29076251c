/**
 * The `branchy` experiment for the parallel and Slurm run tests: two independent stages over the lab
 * project's data/raw and one that joins them —
 *
 *   data/raw ──► slow (waits `ms`, honours abort) ──► join
 *          └───► flaky (throws when `fail`) ───────┘
 *
 * so a test can have one branch fail, or be interrupted or cancelled, while the other finishes.
 */

/** Waits (until aborted), then writes 'slow'. */
export const SLOW_TS = `/** Writes 'slow' after a pause. */
import { writeFile } from 'node:fs/promises';
import { defineStage, dir, file, Type } from '../dsl/index.js';

export const slow = defineStage({
  id: 'slow',
  params: Type.Object({ ms: Type.Integer() }),
  inputs: { dir: dir() },
  outputs: { note: file({ fileName: 'note.txt' }) },
  async run({ params, outputs, signal }) {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, params.ms);
      signal.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason); });
    });
    await writeFile(outputs.note, 'slow\\n');
  },
});
`;

/** Throws when told to, else writes 'flaky'. */
export const FLAKY_TS = `/** Throws when told to, else writes 'flaky'. */
import { writeFile } from 'node:fs/promises';
import { defineStage, dir, file, Type } from '../dsl/index.js';

export const flaky = defineStage({
  id: 'flaky',
  params: Type.Object({ fail: Type.Boolean() }),
  inputs: { dir: dir() },
  outputs: { note: file({ fileName: 'note.txt' }) },
  async run({ params, outputs }) {
    if (params.fail) throw new Error('flaky stage told to fail');
    await writeFile(outputs.note, 'flaky\\n');
  },
});
`;

/** Concatenates two notes. */
export const JOIN_TS = `/** Concatenates two notes. */
import { readFile, writeFile } from 'node:fs/promises';
import { defineStage, file, Type } from '../dsl/index.js';

export const join = defineStage({
  id: 'join',
  params: Type.Object({}),
  inputs: { a: file(), b: file() },
  outputs: { both: file({ fileName: 'both.txt' }) },
  async run({ inputs, outputs }) {
    await writeFile(outputs.both, (await readFile(inputs.a, 'utf8')) + (await readFile(inputs.b, 'utf8')));
  },
});
`;

/** experiments/branchy.ts with the slow stage's pause and whether flaky fails. */
export function branchyExperiment(options: { slowMs: number; fail: boolean }): string {
  return `import { defineExperiment } from '../src/dsl/index.js';
import { slow } from '../src/lab/slow.js';
import { flaky } from '../src/lab/flaky.js';
import { join } from '../src/lab/join.js';

export default defineExperiment('branchy', (x) => {
  const raw = x.data('data/raw');
  const a = x.stage(slow, { inputs: { dir: raw }, params: { ms: ${options.slowMs} } });
  const b = x.stage(flaky, { inputs: { dir: raw }, params: { fail: ${options.fail} } });
  x.stage(join, { inputs: { a: a.outputs.note, b: b.outputs.note }, params: {} });
});
`;
}

/** The branchy stage files, to add to a lab project. */
export function branchyFiles(options: { slowMs: number; fail: boolean }): Record<string, string> {
  return { 'src/lab/slow.ts': SLOW_TS, 'src/lab/flaky.ts': FLAKY_TS, 'src/lab/join.ts': JOIN_TS, 'experiments/branchy.ts': branchyExperiment(options) };
}
