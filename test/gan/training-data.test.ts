/**
 * Domain loading and batches: images are read sorted and keep maps paired by file name (not by position),
 * resized nearest-neighbour when their size differs, and a missing map is an error naming the image;
 * refinement keeps or drops by name; a keep map derived from an image's own pixels still matches the
 * augmented image pixel-for-pixel after resize, crop and flip; the same rng seed gives the same batch;
 * an epoch walks every A image once before repeating and draws B uniformly.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { detectBackendKind, loadTensorflow } from '../../src/kit/tf-backend.js';
import { epochOrder, loadDomain, makeBatch, refineDomain, type Domain } from '../../src/gan/training-data.js';
import { createRng } from '../../src/kit/prng.js';

const tf = await loadTensorflow(detectBackendKind());
const SIZE = 8;
const NAMES = ['c.png', 'a.png', 'b.png']; // written unsorted on purpose

/** Random RGB pixels whose red channel is 0 or 255, so a keep map can be derived from the image itself. */
function makePixels(seed: number, size = SIZE): Uint8Array {
  const rng = createRng(seed);
  return Uint8Array.from({ length: size * size * 3 }, (_, i) => (i % 3 === 0 ? (rng.next() < 0.5 ? 0 : 255) : rng.int(256)));
}

/** keep = 1 where red is high: the map each image carries. */
const keepOf = (pixels: Uint8Array): Float32Array => Float32Array.from({ length: pixels.length / 3 }, (_, p) => (pixels[3 * p]! > 127 ? 1 : 0));

/** A folder of PNGs plus a nonmask-tensor style maps folder; maps listed in `mapNames` order, at `mapScale`× size. */
async function makeDomainDirs(options: { mapNames?: readonly string[]; mapScale?: number } = {}): Promise<{ images: string; maps: string; pixels: Map<string, Uint8Array> }> {
  const root = await mkdtemp(join(tmpdir(), 'repro-training-data-'));
  const pixels = new Map<string, Uint8Array>();
  for (const [i, name] of NAMES.entries()) {
    const data = makePixels(i + 1);
    pixels.set(name, data);
    await sharp(Buffer.from(data), { raw: { width: SIZE, height: SIZE, channels: 3 } }).png().toFile(join(root, name));
  }
  const mapNames = options.mapNames ?? ['b.png', 'c.png', 'a.png', 'extra.png'];
  const scale = options.mapScale ?? 1;
  const side = SIZE * scale;
  const packed = new Float32Array(mapNames.length * side * side);
  mapNames.forEach((name, m) => {
    const keep = keepOf(pixels.get(name) ?? new Uint8Array(SIZE * SIZE * 3));
    for (let y = 0; y < side; y += 1) {
      for (let x = 0; x < side; x += 1) packed[m * side * side + y * side + x] = keep[Math.floor(y / scale) * SIZE + Math.floor(x / scale)]!;
    }
  });
  const maps = await mkdtemp(join(tmpdir(), 'repro-training-maps-'));
  await writeFile(join(maps, 'maps.bin'), Buffer.from(packed.buffer));
  await writeFile(join(maps, 'index.json'), JSON.stringify({ dtype: 'float32', shape: [mapNames.length, side, side], names: mapNames, mode: 'binary' }));
  return { images: root, maps, pixels };
}

// ---
const loadSuite = suite('loadDomain');

loadSuite('~> reads images sorted and pairs keep maps by file name, not position', async () => {
  const dirs = await makeDomainDirs();
  const domain = await loadDomain(dirs.images, { size: SIZE, keepMaps: { dir: dirs.maps } });
  assert.equal(domain.names, ['a.png', 'b.png', 'c.png'], '~> names');
  domain.names.forEach((name, i) => {
    assert.equal(Array.from(domain.pixels[i]!), Array.from(dirs.pixels.get(name)!), `~> pixels of ${name}`);
    assert.equal(Array.from(domain.keep![i]!), Array.from(keepOf(dirs.pixels.get(name)!)), `~> keep of ${name}`);
  });
});

loadSuite('~> resizes maps of another size nearest-neighbour and images to the size asked', async () => {
  const dirs = await makeDomainDirs({ mapScale: 2 });
  const domain = await loadDomain(dirs.images, { size: SIZE, keepMaps: { dir: dirs.maps } });
  assert.equal(Array.from(domain.keep![0]!), Array.from(keepOf(dirs.pixels.get('a.png')!)), '~> 16×16 map back to 8×8');
  const small = await loadDomain(dirs.images, { size: 4 });
  assert.is(small.pixels[0]!.length, 4 * 4 * 3, '~> 4×4 RGB');
  assert.is(small.keep, undefined, '~> no keep without keepMaps');
});

loadSuite('~> an image without a map is an error naming it and the counts', async () => {
  const dirs = await makeDomainDirs({ mapNames: ['a.png', 'c.png'] });
  try {
    await loadDomain(dirs.images, { size: SIZE, keepMaps: { dir: dirs.maps } });
    assert.unreachable('should throw');
  } catch (error) {
    assert.match((error as Error).message, /received none for 1 of 3 images \('b\.png'\); the maps hold 2 names for 3 images/);
  }
});

loadSuite.run();

// ---
const refineSuite = suite('refineDomain');

refineSuite('~> keeps, drops or filters by name, keep maps follow, unknown names are an error', async () => {
  const dirs = await makeDomainDirs();
  const domain = await loadDomain(dirs.images, { size: SIZE, keepMaps: { dir: dirs.maps } });
  const kept = refineDomain(domain, { keep: ['c.png', 'a.png'] });
  assert.equal(kept.names, ['a.png', 'c.png'], '~> keep list, original order');
  assert.is(kept.keep![1], domain.keep![2], '~> map follows its image');
  assert.equal(refineDomain(domain, { drop: ['a.png'] }).names, ['b.png', 'c.png'], '~> drop list');
  assert.equal(refineDomain(domain, (name) => name !== 'b.png').names, ['a.png', 'c.png'], '~> predicate');
  assert.throws(() => refineDomain(domain, { drop: ['z.png'] }), /1 unknown \('z\.png'\)/, '~> unknown name');
  assert.throws(() => refineDomain(domain, () => false), /at least one image to remain of 3/, '~> nothing kept');
});

refineSuite.run();

// ---
const batchSuite = suite('makeBatch');

/** Checks that keep == (red > 0) at every pixel of the batch. */
function assertKeepFollowsImage(images: Float32Array, keep: Float32Array, label: string): void {
  assert.is(images.length, keep.length * 3, `${label} ~> sizes`);
  for (let p = 0; p < keep.length; p += 1) {
    if (keep[p] !== (images[3 * p]! > 0 ? 1 : 0)) assert.unreachable(`${label} ~> pixel ${p}: keep ${keep[p]}, red ${images[3 * p]}`);
  }
}

async function loadTestDomain(): Promise<Domain> {
  const dirs = await makeDomainDirs();
  return loadDomain(dirs.images, { size: SIZE, keepMaps: { dir: dirs.maps } });
}

batchSuite('~> the keep map gets exactly the crop and flip of its image (no resize, and 2× resize)', async () => {
  const domain = await loadTestDomain();
  const before = tf.memory().numTensors;
  for (const [loadSize, cropSize] of [[SIZE, 5], [2 * SIZE, 11]] as const) {
    for (let seed = 1; seed <= 4; seed += 1) {
      const batch = makeBatch(tf, domain, [0, 1, 2, 1], { loadSize, cropSize, flip: true }, createRng(seed));
      assert.equal(batch.images.shape, [4, cropSize, cropSize, 3], '~> image shape');
      assert.equal(batch.keep!.shape, [4, cropSize, cropSize, 1], '~> keep shape');
      const images = batch.images.dataSync() as Float32Array;
      assert.ok(images.every((v) => v >= -1 && v <= 1), '~> in [−1, 1]');
      assertKeepFollowsImage(images, batch.keep!.dataSync() as Float32Array, `load ${loadSize} seed ${seed}`);
      tf.dispose([batch.images, batch.keep!]);
    }
  }
  assert.is(tf.memory().numTensors, before, '~> no leaked tensors');
});

batchSuite('~> without a crop, a flipped image is the mirror of the source', async () => {
  const domain = await loadTestDomain();
  let flips = 0;
  for (let seed = 1; seed <= 6; seed += 1) {
    const batch = makeBatch(tf, domain, [0], { loadSize: SIZE, cropSize: SIZE, flip: true }, createRng(seed));
    const got = Array.from(batch.images.dataSync(), (v) => Math.round(((v + 1) / 2) * 255));
    const source = domain.pixels[0]!;
    const mirrored = Array.from(source, (_, i) => {
      const [p, c] = [Math.floor(i / 3), i % 3];
      const [y, x] = [Math.floor(p / SIZE), p % SIZE];
      return source[(y * SIZE + (SIZE - 1 - x)) * 3 + c]!;
    });
    const isMirror = got.every((v, i) => v === mirrored[i]);
    assert.ok(isMirror || got.every((v, i) => v === source[i]), '~> either the image or its mirror');
    if (isMirror) flips += 1;
    tf.dispose([batch.images, batch.keep!]);
  }
  assert.ok(flips > 0 && flips < 6, `~> some flipped, some not (${flips} of 6)`);
});

batchSuite('~> the same rng seed gives the same batch, another seed another', async () => {
  const domain = await loadTestDomain();
  const spec = { loadSize: 2 * SIZE, cropSize: 12, flip: true };
  const [a, b, c] = [7, 7, 8].map((seed) => makeBatch(tf, domain, [2, 0, 1], spec, createRng(seed)));
  assert.equal(Array.from(a!.images.dataSync()), Array.from(b!.images.dataSync()), '~> same seed');
  assert.equal(Array.from(a!.keep!.dataSync()), Array.from(b!.keep!.dataSync()), '~> same keep');
  assert.not.equal(Array.from(a!.images.dataSync()), Array.from(c!.images.dataSync()), '~> other seed');
  tf.dispose([a!, b!, c!].flatMap((x) => [x.images, x.keep!]));
  assert.throws(() => makeBatch(tf, domain, [3], spec, createRng(1)), /indices expected integers in \[0, 3\), received 3/, '~> bad index');
  assert.throws(() => makeBatch(tf, domain, [0], { loadSize: 8, cropSize: 9, flip: false }, createRng(1)), /cropSize 9, loadSize 8/, '~> bad spec');
});

batchSuite.run();

// ---
const epochSuite = suite('epochOrder');

epochSuite('~> A is shuffled and cycled, B uniform, length max(|A|, |B|) or itemsPerEpoch', () => {
  const order = epochOrder(createRng(3), 4, 10);
  assert.is(order.a.length, 10, '~> length max');
  assert.is(order.b.length, 10, '~> b length');
  assert.equal([...order.a.slice(0, 4)].sort(), [0, 1, 2, 3], '~> first cycle is a permutation');
  assert.equal([...order.a.slice(4, 8)].sort(), [0, 1, 2, 3], '~> second cycle too');
  assert.ok(order.b.every((i) => Number.isInteger(i) && i >= 0 && i < 10), '~> b in range');
  assert.equal(epochOrder(createRng(3), 4, 10), order, '~> same seed, same order');
  assert.is(epochOrder(createRng(3), 50, 2).a.length, 50, '~> |A| larger');
  assert.is(epochOrder(createRng(3), 4, 10, 3).a.length, 3, '~> itemsPerEpoch');
  assert.throws(() => epochOrder(createRng(3), 0, 10), /sizeA expected a positive integer, received 0/);
});

epochSuite.run();
