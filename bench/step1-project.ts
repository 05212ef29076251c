/**
 * What the two step-1 benchmarks (step1-speed.ts, step1-floor.ts) share: MaskTheFace's yardstick, the first
 * N unmasked development photos by name (`$REPRO_DEV_DATA/faces-unmasked`, never committed; the script
 * exits saying so when the variable is unset), and a temp project holding them as DVC-tracked
 * `data/photos` with its experiments compiled.
 */
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { makeTmpRepo, type TmpRepo } from '../test/helpers/tmp-repo.js';

/** MaskTheFace on 200 photos of the same source, 2-core machine, end to end (issue 12). */
export const MASKTHEFACE_PHOTOS_PER_SECOND = 26.8;

/** The folder and the first `count` photo names by name; exits (code 2) when REPRO_DEV_DATA is unset. */
export async function firstUnmaskedPhotos(count: number): Promise<{ source: string; names: string[] }> {
  const data = process.env.REPRO_DEV_DATA;
  if (!data) {
    console.error('set REPRO_DEV_DATA to the folder holding faces-unmasked/ (development data, never committed)');
    process.exit(2);
  }
  const source = resolve(data, 'faces-unmasked');
  const names = (await readdir(source)).filter((n) => /\.(jpe?g|png|webp)$/i.test(n)).sort().slice(0, count);
  return { source, names };
}

/** A command's output, or an error naming it with the end of its stderr. */
export async function must(label: string, run: Promise<{ exitCode: number; stdout: string; stderr: string }>) {
  const result = await run;
  if (result.exitCode !== 0) throw new Error(`${label} failed:\n${result.stderr.split('\n').slice(-8).join('\n')}`);
  return result;
}

/** A temp project with `files`, the photos as DVC-tracked `data/photos`, compiled. The caller removes it. */
export async function makeStep1Project(files: Record<string, string>, photos: { source: string; names: readonly string[] }): Promise<TmpRepo> {
  const repo = await makeTmpRepo({ files });
  try {
    await mkdir(join(repo.root, 'data', 'photos'), { recursive: true });
    await Promise.all(photos.names.map((n) => copyFile(join(photos.source, n), join(repo.root, 'data', 'photos', n))));
    await must('dvc add', repo.dvc('add', 'data/photos'));
    await must('repro compile', repo.repro('compile'));
    return repo;
  } catch (error) {
    await repo.remove();
    throw error;
  }
}
