/**
 * What the two step-1 benchmarks (step1-speed.ts, step1-floor.ts) share: MaskTheFace's yardstick, the first
 * N unmasked development photos by name (`$REPRO_DEV_DATA/faces-unmasked`, never committed; the script
 * exits saying so when the variable is unset), and a temp project holding them as DVC-tracked
 * `data/photos` with its experiments compiled.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { makeTmpRepo, must, type TmpRepo } from '../test/helpers/tmp-repo.js';

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

/** A temp project with `files` and the photos as DVC-tracked `data/photos`, compiled. The caller removes it. */
export async function makeStep1Project(files: Record<string, string>, photos: { source: string; names: readonly string[] }): Promise<TmpRepo> {
  const images = await Promise.all(photos.names.map(async (n) => [`data/photos/${n}`, await readFile(join(photos.source, n))] as const));
  const repo = await makeTmpRepo({ files: { ...files, ...Object.fromEntries(images) }, dvcAdd: ['data/photos'] });
  try {
    await must(repo.repro('compile'));
    return repo;
  } catch (error) {
    await repo.remove();
    throw error;
  }
}
