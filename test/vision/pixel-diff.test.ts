/**
 * Pixel difference and image comparison: the changed fraction counts pixels whose largest channel
 * difference exceeds the threshold (equal to it does not count), the heat map is black where images agree,
 * and `compareImages` on PNGs scores identical images SSIM 1 / change 0, a changed half below 1, and lays
 * out a | b | heat map.
 */
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { compareImages, SIDE_BY_SIDE_GAP } from '../../src/vision/compare-images.js';
import { CHANGE_THRESHOLD, heatMap, pixelDifference } from '../../src/vision/pixel-diff.js';
import type { RawImage } from '../../src/vision/types.js';

const rgb = (width: number, height: number, pixels: number[][]): RawImage => ({ width, height, channels: 3, data: Uint8Array.from(pixels.flat()) });

// ---
const difference = suite('pixelDifference');

difference('counts a pixel as changed only above the threshold, on its largest channel', () => {
  const a = rgb(4, 1, [[0, 0, 0], [0, 0, 0], [0, 0, 0], [100, 100, 100]]);
  const b = rgb(4, 1, [[0, 0, CHANGE_THRESHOLD], [0, CHANGE_THRESHOLD + 1, 0], [0, 0, 0], [100, 100, 40]]);
  const d = pixelDifference(a, b);
  assert.is(d.changedFraction, 0.5, '~> two of four');
  assert.equal(Array.from(d.delta), [CHANGE_THRESHOLD, CHANGE_THRESHOLD + 1, 0, 60]);
  assert.is(d.maxDelta, 60);
  assert.throws(() => pixelDifference(a, rgb(1, 1, [[0, 0, 0]])), /one shape, received 4x1x3 and 1x1x3/);
});

// ---
const heat = suite('heatMap');

heat('black where equal, white at 255 apart', () => {
  const map = heatMap(Uint8Array.from([0, 255]), 2, 1);
  assert.equal(Array.from(map.data), [0, 0, 0, 255, 255, 255]);
});

// ---
const compare = suite('compareImages');

const png = (colour: { r: number; g: number; b: number }, overlay?: { r: number; g: number; b: number }) =>
  sharp({ create: { width: 16, height: 16, channels: 3, background: colour } })
    .composite(overlay ? [{ input: { create: { width: 16, height: 8, channels: 3, background: overlay } }, top: 8, left: 0 }] : [])
    .png()
    .toBuffer();

compare('identical PNGs: SSIM 1, nothing changed; a changed half: lower SSIM, half changed', async () => {
  const base = await png({ r: 40, g: 90, b: 200 }, { r: 200, g: 200, b: 30 });
  const same = await compareImages(base, Buffer.from(base));
  assert.is(same.ssim, 1);
  assert.is(same.changedFraction, 0);
  const other = await compareImages(base, await png({ r: 40, g: 90, b: 200 }, { r: 10, g: 10, b: 10 }));
  assert.ok(other.ssim < 1, `~> ssim ${other.ssim}`);
  assert.is(other.changedFraction, 0.5);
  const meta = await sharp(other.sideBySide).metadata();
  assert.equal([meta.width, meta.height], [3 * 16 + 2 * SIDE_BY_SIDE_GAP, 16], '~> a | b | heat');
});

compare('b of another size is resized to a and flagged', async () => {
  const a = await png({ r: 40, g: 90, b: 200 });
  const b = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 40, g: 90, b: 200 } } }).png().toBuffer();
  const result = await compareImages(a, b);
  assert.equal(result.resizedFrom, { width: 8, height: 8 });
  assert.is(result.changedFraction, 0);
});

difference.run();
heat.run();
compare.run();
