/**
 * Pretrained AttentionGAN generators from PyTorch checkpoints (MODEL.md §2.6, §2.7 item 5, §3). Conversion
 * runs scripts/convert-attentiongan.py, which needs only the Python standard library (the project's `.venv`
 * python, no torch) and writes the project's own generator files (`generator.json` + `generator.bin`,
 * scope-free tfjs names and layouts, the checkpoint recorded under `source`), so converted weights are read
 * and transferred like any other generator, by `generator-weights.ts`.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, ExecaError } from 'execa';
import { ReproError } from '../errors.js';
import { readGeneratorFile, type GeneratorFile } from './generator-weights.js';

/** This package's root (where .venv and scripts/ live), two levels above src/gan. */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CONVERTER = join(PACKAGE_ROOT, 'scripts', 'convert-attentiongan.py');

/** Options of `convertTorchCheckpoint`. */
export interface ConvertOptions {
  /** Python 3 interpreter; the standard library is enough. @default this package's `.venv/bin/python` */
  readonly python?: string;
}

/** Converts `pthPath` into generator files in `outDir` (created if needed) and returns the `generator.json` it wrote. */
export async function convertTorchCheckpoint(pthPath: string, outDir: string, options: ConvertOptions = {}): Promise<GeneratorFile> {
  const python = options.python ?? join(PACKAGE_ROOT, '.venv', 'bin', 'python');
  if (!existsSync(pthPath)) {
    throw new ReproError('DATA_MISSING', `checkpoint '${pthPath}' expected to exist, found nothing there`, { hint: 'check the path, e.g. `ls checkpoints/*_pretrained/`' });
  }
  try {
    await execa(python, [CONVERTER, pthPath, outDir], { stdin: 'ignore' });
  } catch (error) {
    if (error instanceof ExecaError && (error as { code?: string }).code === 'ENOENT') {
      throw new ReproError('STAGE_FAILED', `checkpoint conversion expected python at '${python}', found none`, {
        hint: 'run `npm install` (it creates .venv), or pass { python: \'python3\' }', cause: error,
      });
    }
    const stderr = error instanceof ExecaError ? String(error.stderr ?? '').trim() : String(error);
    const message = stderr.split('\n').filter((l) => l.startsWith('checkpoint ')).pop() ?? `checkpoint '${pthPath}' could not be converted`;
    throw new ReproError('CHECKPOINT_INVALID', `${message.replace(/^checkpoint '[^']*': /, `checkpoint '${pthPath}': `)}`, {
      hint: `run \`${python} scripts/convert-attentiongan.py ${pthPath} ${outDir}\` to see the converter's output`,
      cause: error,
    });
  }
  return readGeneratorFile(outDir);
}
