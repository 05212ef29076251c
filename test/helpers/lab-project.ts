/**
 * The `lab` project used by end-to-end tests: three stages over DVC-tracked images —
 *
 *   data/raw ──► resize-images (sharp) ──► summarize
 *          └───► count-files (util.ts) ──┘
 *
 * `count-files` reaches `describeName` in src/lab/util.ts; nothing reaches `unusedHelper` in the same
 * file; only resize-images imports sharp. That is what the rerun matrix needs to tell edits apart.
 */
import { makePngFiles } from './tiny-images.js';

export const UTIL_TS = `/** Helpers shared by lab stages. */
export function describeName(name: string): string {
  return 'file:' + name;
}

export function unusedHelper(n: number): number {
  return n * 2;
}
`;

export const COUNT_FILES_TS = `/** Lists a folder's file names, one a line. */
import { readdir, writeFile } from 'node:fs/promises';
import { defineStage, dir, file, Type } from '../dsl/index.js';
import { describeName } from './util.js';

export const countFiles = defineStage({
  id: 'count-files',
  params: Type.Object({ prefix: Type.String() }),
  inputs: { dir: dir() },
  outputs: { list: file({ fileName: 'list.txt' }) },
  async run({ params, inputs, outputs }) {
    const names = (await readdir(inputs.dir)).sort();
    await writeFile(outputs.list, names.map((n) => params.prefix + describeName(n)).join('\\n') + '\\n');
  },
});
`;

export const SUMMARIZE_TS = `/** Counts resized images and listed names. */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { defineStage, dir, file, Type } from '../dsl/index.js';

export const summarize = defineStage({
  id: 'summarize',
  params: Type.Object({}),
  inputs: { images: dir(), listing: file() },
  outputs: { summary: file({ fileName: 'summary.json' }) },
  metrics: ['counts'],
  async run({ inputs, outputs }) {
    const images = (await readdir(inputs.images)).length;
    const listed = (await readFile(inputs.listing, 'utf8')).trim().split('\\n').length;
    await writeFile(outputs.summary, JSON.stringify({ images, listed }) + '\\n');
    return { metrics: { counts: { images, listed } } };
  },
});
`;

/** The experiment; `width` is the middle stage's param the tests change. */
export function labExperiment(width = 4): string {
  return `import { defineExperiment } from '../src/dsl/index.js';
import { resizeImages } from '../src/stages/index.js';
import { countFiles } from '../src/lab/count-files.js';
import { summarize } from '../src/lab/summarize.js';

export default defineExperiment('lab', (x) => {
  const raw = x.data('data/raw');
  const small = x.stage(resizeImages, { inputs: { images: raw }, params: { width: ${width}, height: 4 } });
  const listing = x.stage(countFiles, { inputs: { dir: raw }, params: { prefix: '> ' } });
  x.stage(summarize, { inputs: { images: small.outputs.images, listing: listing.outputs.list }, params: {} });
});
`;
}

/** Every file of the lab project, images included. */
export async function labFiles(): Promise<Record<string, string | Uint8Array>> {
  return {
    'src/lab/util.ts': UTIL_TS,
    'src/lab/count-files.ts': COUNT_FILES_TS,
    'src/lab/summarize.ts': SUMMARIZE_TS,
    'experiments/lab.ts': labExperiment(),
    ...(await makePngFiles('data/raw', 3)),
  };
}
