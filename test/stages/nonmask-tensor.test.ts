/**
 * `nonmask-tensor` on small region maps made here: the packed float32 file holds one keep map per region
 * map in [N, H, W] order, the index says how to read it, and the maps are right for binary, dilated
 * and distance-weighted modes.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { nonmaskTensor, type NonMaskIndex } from '../../src/stages/nonmask-tensor.js';
import { runStageDirectly } from '../helpers/run-stage.js';

/** A width×height region map PNG, 255 inside [x0, x1) × [y0, y1). */
async function regionPng(width: number, height: number, [x0, y0, x1, y1]: [number, number, number, number]): Promise<Buffer> {
  const data = Buffer.alloc(width * height);
  for (let y = y0; y < y1; y += 1) for (let x = x0; x < x1; x += 1) data[y * width + x] = 255;
  return sharp(data, { raw: { width, height, channels: 1 } }).png().toBuffer();
}

async function runStage(params: object, regions: Record<string, Buffer>) {
  const dir = await mkdtemp(join(tmpdir(), 'repro-nonmask-'));
  try {
    return await runStageIn(dir, params, regions);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function runStageIn(dir: string, params: object, regions: Record<string, Buffer>) {
  await mkdir(join(dir, 'regions'));
  for (const [name, png] of Object.entries(regions)) await writeFile(join(dir, 'regions', name), png);
  const result = await runStageDirectly(nonmaskTensor, params, {
    inputs: { regions: join(dir, 'regions') },
    outputs: { maps: join(dir, 'maps'), preview: join(dir, 'preview.png') },
  });
  const index = JSON.parse(await readFile(join(dir, 'maps', 'index.json'), 'utf8')) as NonMaskIndex;
  const bytes = await readFile(join(dir, 'maps', 'maps.bin'));
  const maps = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  const preview = await sharp(join(dir, 'preview.png')).metadata();
  return { index, maps, result, preview };
}

const stage = suite('nonmaskTensor');

stage('binary: 1 outside the mask, 0 inside, packed as [N, H, W] in name order', async () => {
  const { index, maps, result, preview } = await runStage({}, { 'b.png': await regionPng(4, 3, [0, 0, 1, 1]), 'a.png': await regionPng(4, 3, [1, 1, 3, 2]) });
  assert.equal(index, { dtype: 'float32', shape: [2, 3, 4], names: ['a.png', 'b.png'], mode: 'binary' });
  assert.equal([...maps], [
    1, 1, 1, 1, /**/ 1, 0, 0, 1, /**/ 1, 1, 1, 1, // a.png
    0, 1, 1, 1, /**/ 1, 1, 1, 1, /**/ 1, 1, 1, 1, // b.png
  ]);
  assert.ok(preview.width && preview.width > 0, '~> a preview sheet');
  assert.equal((result.metrics?.maps as Record<string, number>).count, 2);
});

stage('dilate grows the mask by a disc before the keep map', async () => {
  const { maps } = await runStage({ dilate: 1 }, { 'a.png': await regionPng(5, 5, [2, 2, 3, 3]) });
  const expected = [
    1, 1, 1, 1, 1,
    1, 1, 0, 1, 1,
    1, 0, 0, 0, 1,
    1, 1, 0, 1, 1,
    1, 1, 1, 1, 1,
  ];
  assert.equal([...maps], expected);
});

stage('distance mode: 0 inside, rising linearly to 1 at rampPx', async () => {
  const { maps, index } = await runStage({ mode: 'distance', rampPx: 2, power: 1, floor: 0 }, { 'a.png': await regionPng(5, 1, [0, 0, 1, 1]) });
  assert.is(index.mode, 'distance');
  assert.equal([...maps].map((v) => Math.round(v * 1000) / 1000), [0, 0.5, 1, 1, 1]);
});

stage('refuses region maps of different sizes, naming the file', async () => {
  try {
    await runStage({}, { 'a.png': await regionPng(4, 4, [0, 0, 1, 1]), 'b.png': await regionPng(5, 4, [0, 0, 1, 1]) });
    assert.unreachable();
  } catch (error) {
    assert.match(String(error), /expected every region map to be 4x4, received 5x4 for 'b\.png'/);
  }
});

stage.run();
