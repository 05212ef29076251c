/**
 * PNG encoding: `encodePng` gives back exactly the pixels it was given (1 channel as gray, 3 and 4 channels; pictures and
 * flat maps), the same bytes on every call (no metadata), a filter byte of 0 on every row of a flat map
 * and adaptive row filters on a picture; a contact sheet holds its cells in order, RGB and gray alike, on white.
 */
import { inflateSync } from 'node:zlib';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeContactSheet, encodePng, type RawImage } from '../../src/kit/image-io.js';
import { createRng } from '../../src/kit/prng.js';

/** A smooth gradient with seeded grain, like a photo crop: [size, size, channels]. */
function picture(size: number, channels: 1 | 3 | 4, seed: number): RawImage {
  const rng = createRng(seed);
  const data = new Uint8Array(size * size * channels);
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      for (let c = 0; c < channels; c += 1) data[(y * size + x) * channels + c] = Math.max(0, Math.min(255, Math.round(((x + y + 40 * c) * 255) / (2 * size + 120) + 12 * (rng.next() - 0.5))));
    }
  }
  return { width: size, height: size, channels, data };
}

/** A region map: 255 inside a disc, 0 outside, 3 channels as warp writes them. */
function regionMap(size: number): RawImage {
  const data = new Uint8Array(size * size * 3);
  for (let i = 0; i < size * size; i += 1) {
    const [x, y] = [i % size, Math.floor(i / size)];
    if ((x - size / 2) ** 2 + (y - size / 2) ** 2 < (size / 3) ** 2) data.fill(255, i * 3, i * 3 + 3);
  }
  return { width: size, height: size, channels: 3, data };
}

/** The filter type byte of every row: the inflated IDAT stream, unfiltered rows of `width·channels` bytes. */
function rowFilters(png: Buffer, image: RawImage): number[] {
  const chunks: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT') chunks.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(chunks));
  const stride = image.width * image.channels + 1;
  return Array.from({ length: image.height }, (_, row) => raw[row * stride]!);
}

/** The PNG's own pixels: sharp would turn a gray PNG into RGB unless told to keep it gray. */
async function decode(png: Buffer): Promise<RawImage> {
  const gray = (await sharp(png).metadata()).channels === 1;
  const { data, info } = await (gray ? sharp(png).toColourspace('b-w') : sharp(png)).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels as 1 | 3 | 4, data: new Uint8Array(data) };
}

const pngSuite = suite('encodePng');

pngSuite('~> pictures and flat maps come back pixel for pixel, 1, 3 and 4 channels', async () => {
  for (const image of [picture(48, 1, 1), picture(48, 3, 2), picture(48, 4, 3), regionMap(48)]) {
    for (const flat of [false, true]) {
      const back = await decode(await encodePng(image, { flat }));
      assert.equal([back.width, back.height, back.channels], [image.width, image.height, image.channels], `~> ${image.channels} channels, flat ${flat}: shape`);
      assert.ok(Buffer.from(back.data).equals(Buffer.from(image.data)), `~> ${image.channels} channels, flat ${flat}: pixels`);
    }
  }
});

pngSuite('~> the same bytes on every call; row filters on pictures, none on flat maps', async () => {
  const image = picture(64, 3, 4);
  const [first, second] = await Promise.all([encodePng(image), encodePng(image)]);
  assert.ok(first.equals(second), '~> same bytes');
  assert.ok(!first.includes(Buffer.from('tEXt')) && !first.includes(Buffer.from('eXIf')), '~> no metadata chunks');
  assert.ok(rowFilters(first, image).some((f) => f !== 0), '~> a picture gets row filters');
  const map = regionMap(64);
  assert.ok(rowFilters(await encodePng(map, { flat: true }), map).every((f) => f === 0), '~> a flat map gets none');
});

pngSuite('~> a contact sheet lays its cells out in order', async () => {
  const black: RawImage = { width: 8, height: 8, channels: 3, data: new Uint8Array(8 * 8 * 3) };
  const white: RawImage = { ...black, data: new Uint8Array(8 * 8 * 3).fill(255) };
  const gray: RawImage = { width: 8, height: 8, channels: 1, data: new Uint8Array(64).fill(100) };
  const sheet = await decode(await encodeContactSheet([black, white, gray], { cell: 8, columns: 2, gap: 2 }));
  assert.equal([sheet.width, sheet.height, sheet.channels], [2 * (8 + 2) + 2, 2 * (8 + 2) + 2, 3], '~> size, RGB without alpha');
  const at = (x: number, y: number) => Array.from(sheet.data.subarray((y * sheet.width + x) * 3, (y * sheet.width + x) * 3 + 3));
  assert.equal(at(2 + 4, 2 + 4), [0, 0, 0], '~> first cell black');
  assert.equal(at(12 + 4, 2 + 4), [255, 255, 255], '~> second cell white');
  assert.equal(at(2 + 4, 12 + 4), [100, 100, 100], '~> a gray cell on the next row, gray in every channel');
  assert.equal(at(12 + 4, 12 + 4), [255, 255, 255], '~> no fourth cell: the white background');
  assert.equal(at(0, 0), [255, 255, 255], '~> white gaps');
});

pngSuite.run();
