/**
 * `split`: a seeded, recorded split of a domain into a training part and a held-out part that training never
 * sees, for evaluation on faces the translator was not fitted to. Images and their region maps (warp's
 * `masked/` and `regions/`, paired by file name) are split together. Each name gets a rank from the seed
 * and the name alone (`deriveSeed(seed, 'split', name)`), and the `heldOut` share of lowest ranks is held
 * out — so the split does not depend on listing order, and adding files moves few others. The names of
 * both parts are written to `split.json`; a name in one part is never in the other.
 */
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Defaulted, defineStage, dir, file, Seed, Type, type Static } from '../dsl/index.js';
import { listImages } from '../kit/list-images.js';
import { deriveSeed } from '../kit/prng.js';

export const params = Type.Object({
  seed: Type.Ref(Seed),
  heldOut: Defaulted(Type.Number({ exclusiveMinimum: 0, maximum: 0.9, description: 'share of the images held out (rounded up; at least one, and at least one left to train on)' }), 0.2),
});
export type Params = Static<typeof params>;

/** split.json: which names went where. */
export interface SplitRecord {
  seed: number;
  heldOutShare: number;
  train: string[];
  heldOut: string[];
}

export const split = defineStage({
  id: 'split',
  description: 'a seeded split of images and their region maps into training and held-out parts',
  params,
  inputs: { images: dir('images (e.g. warp masked/)'), regions: dir('region maps with the same file names (warp regions/)') },
  outputs: {
    trainImages: dir('images to train on'),
    trainRegions: dir('their region maps'),
    heldOutImages: dir('images held out for evaluation'),
    heldOutRegions: dir('their region maps'),
    record: file({ fileName: 'split.json', description: 'seed, share and the names in each part' }),
  },
  metrics: ['split'],
  async run({ params, inputs, outputs, log, signal }) {
    const names = await listImages(inputs.images);
    const regions = new Set(await listImages(inputs.regions));
    const unpaired = names.filter((n) => !regions.has(n));
    if (unpaired.length > 0) {
      throw new Error(`expected a region map in '${inputs.regions}' for every image of '${inputs.images}', received none for ${unpaired.slice(0, 5).map((n) => `'${n}'`).join(', ')}${unpaired.length > 5 ? ` and ${unpaired.length - 5} more` : ''}`);
    }
    const { train, heldOut } = splitNames(names, params.seed, params.heldOut);
    for (const [part, images, maps] of [[train, outputs.trainImages, outputs.trainRegions], [heldOut, outputs.heldOutImages, outputs.heldOutRegions]] as const) {
      for (const name of part) {
        signal.throwIfAborted();
        await copyFile(join(inputs.images, name), join(images, name));
        await copyFile(join(inputs.regions, name), join(maps, name));
      }
    }
    const record: SplitRecord = { seed: params.seed, heldOutShare: params.heldOut, train, heldOut };
    await writeFile(outputs.record, `${JSON.stringify(record, null, 2)}\n`);
    log.info(`held out ${heldOut.length} of ${names.length} images; ${train.length} to train on`);
    return { metrics: { split: { images: names.length, train: train.length, heldOut: heldOut.length } } };
  },
});

/**
 * The held-out part: the ⌈share·n⌉ names (at least 1, at most n − 1) of lowest seeded rank; the rest train.
 * Both lists sorted. Throws for fewer than two names.
 */
export function splitNames(names: readonly string[], seed: number, share: number): { train: string[]; heldOut: string[] } {
  if (names.length < 2) throw new Error(`expected at least 2 images to split into training and held-out parts, received ${names.length}`);
  const count = Math.min(names.length - 1, Math.max(1, Math.ceil(share * names.length)));
  const ranked = [...names].sort((a, b) => deriveSeed(seed, 'split', a) - deriveSeed(seed, 'split', b) || (a < b ? -1 : 1));
  const held = new Set(ranked.slice(0, count));
  return { train: names.filter((n) => !held.has(n)).sort(), heldOut: names.filter((n) => held.has(n)).sort() };
}
