/**
 * `split` on small PNGs made here: the held-out part is the asked share (rounded up, at least one), the two
 * parts are disjoint and together hold every name, each image travels with its region map, the split is
 * the same for the same seed whatever the listing order and differs for another seed, `split.json`
 * records it, and an image without a region map is named.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { split, splitNames, type SplitRecord } from '../../src/stages/split.js';
import { runStageDirectly } from '../helpers/run-stage.js';

const NAMES = Array.from({ length: 23 }, (_, i) => `face-${String(i).padStart(2, '0')}.png`);
const png = (value: number) => sharp(Buffer.alloc(8 * 8 * 3, value), { raw: { width: 8, height: 8, channels: 3 } }).png().toBuffer();

const test = suite('split');

test('splitNames: share rounded up, disjoint, complete, seeded, independent of order', () => {
  const { train, heldOut } = splitNames(NAMES, 7, 0.2);
  assert.is(heldOut.length, 5, '~> ⌈0.2 · 23⌉');
  assert.is(train.length, 18);
  assert.equal([...train, ...heldOut].sort(), NAMES, '~> every name once');
  assert.ok(heldOut.every((n) => !train.includes(n)), '~> disjoint');
  assert.equal(splitNames([...NAMES].reverse(), 7, 0.2), { train, heldOut }, '~> listing order does not matter');
  assert.not.equal(splitNames(NAMES, 8, 0.2).heldOut, heldOut, '~> another seed, another split');
  assert.is(splitNames(['a.png', 'b.png'], 1, 0.05).heldOut.length, 1, '~> at least one held out');
  assert.is(splitNames(['a.png', 'b.png'], 1, 0.9).train.length, 1, '~> at least one to train on');
  assert.throws(() => splitNames(['a.png'], 1, 0.2), /at least 2 images to split/);
});

test('the stage copies images with their region maps into both parts and records the split', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'repro-split-'));
  try {
    await mkdir(join(dir, 'masked'));
    await mkdir(join(dir, 'regions'));
    for (const [i, name] of NAMES.entries()) {
      await writeFile(join(dir, 'masked', name), await png(i));
      await writeFile(join(dir, 'regions', name), await png(255 - i));
    }
    const outputs = { trainImages: join(dir, 'ti'), trainRegions: join(dir, 'tr'), heldOutImages: join(dir, 'hi'), heldOutRegions: join(dir, 'hr'), record: join(dir, 'split.json') };
    const result = await runStageDirectly(split, { seed: 3 }, { inputs: { images: join(dir, 'masked'), regions: join(dir, 'regions') }, outputs });
    const record = JSON.parse(await readFile(outputs.record, 'utf8')) as SplitRecord;
    assert.equal(record, { seed: 3, heldOutShare: 0.2, ...splitNames(NAMES, 3, 0.2) }, '~> split.json');
    assert.equal((await readdir(outputs.heldOutImages)).sort(), record.heldOut);
    assert.equal((await readdir(outputs.heldOutRegions)).sort(), record.heldOut);
    assert.equal((await readdir(outputs.trainImages)).sort(), record.train);
    assert.equal((await readdir(outputs.trainRegions)).sort(), record.train);
    const name = record.heldOut[0]!;
    assert.equal(await readFile(join(outputs.heldOutRegions, name)), await readFile(join(dir, 'regions', name)), '~> the map travels with its image');
    assert.equal(result.metrics, { split: { images: 23, train: 18, heldOut: 5 } });

    await rm(join(dir, 'regions', NAMES[4]!));
    const missing = await runStageDirectly(split, { seed: 3 }, { inputs: { images: join(dir, 'masked'), regions: join(dir, 'regions') }, outputs }).catch((e: Error) => e);
    assert.instance(missing, Error);
    assert.match((missing as Error).message, /expected a region map in '.*regions' for every image of '.*masked', received none for 'face-04.png'/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
