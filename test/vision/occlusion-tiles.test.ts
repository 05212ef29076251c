/**
 * The auxiliary pretraining tiles: every A tile's keep map is 0 exactly where a flat ellipse was painted
 * (those pixels hold one colour each) and 1 elsewhere (pixels untouched, so equal to some crop of the
 * photo); B tiles are clean; the same seed gives the same tiles, another seed different ones.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeOcclusionTiles } from '../../src/vision/occlusion-tiles.js';
import { createRng } from '../../src/kit/prng.js';
import type { RawImage } from '../../src/vision/types.js';

/** A 96×64 gradient "photo" whose pixels all differ from flat colours in a predictable way. */
function gradientPhoto(): RawImage {
  const width = 96;
  const height = 64;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) data.set([x * 2, y * 3, (x + y) % 256], (y * width + x) * 3);
  }
  return { width, height, channels: 3, data };
}

const OPTIONS = { size: 32, count: 4, scale: [0.5, 1] as const, occluderScale: [0.15, 0.3] as const };
const tiles = suite('makeOcclusionTiles');

tiles('~> A tiles: keep 0 inside painted ellipses, 1 outside; B tiles clean; sizes as asked', async () => {
  const set = await makeOcclusionTiles([gradientPhoto()], OPTIONS, createRng(7));
  assert.is(set.a.length, 4);
  assert.is(set.b.length, 4);
  for (const [i, tile] of set.a.entries()) {
    assert.is(tile.width, 32);
    const keep = set.keepA[i]!;
    const inside = keep.filter((v) => v === 0).length;
    assert.ok(inside > 0 && inside < keep.length, `~> tile ${i} has an occluded part and a free part (${inside})`);
    assert.ok(keep.every((v) => v === 0 || v === 1), '~> binary');
    const colours = new Set<string>();
    keep.forEach((v, p) => v === 0 && colours.add(tile.data.slice(p * 3, p * 3 + 3).join(',')));
    assert.ok(colours.size >= 1 && colours.size <= 3, `~> occluded pixels hold one flat colour per ellipse (${colours.size})`);
  }
  assert.ok(set.b.every((t) => t.width === 32 && t.height === 32 && t.channels === 3));
});

tiles('~> same seed, same tiles; another seed, others', async () => {
  const one = await makeOcclusionTiles([gradientPhoto()], OPTIONS, createRng(7));
  const two = await makeOcclusionTiles([gradientPhoto()], OPTIONS, createRng(7));
  const other = await makeOcclusionTiles([gradientPhoto()], OPTIONS, createRng(8));
  assert.equal(Buffer.from(one.a[0]!.data), Buffer.from(two.a[0]!.data));
  assert.equal(Buffer.from(one.keepA[1]!.buffer), Buffer.from(two.keepA[1]!.buffer));
  assert.not.equal(Buffer.from(one.a[0]!.data), Buffer.from(other.a[0]!.data));
});

tiles('~> no photos: a clear error', async () => {
  try {
    await makeOcclusionTiles([], OPTIONS, createRng(1));
    assert.unreachable('should throw');
  } catch (error) {
    assert.match(String(error), /expected at least one photo to cut tiles from, received none/);
  }
});

tiles.run();
