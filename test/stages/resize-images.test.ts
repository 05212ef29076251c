/**
 * `resize-images` and `image-grid` on real images with real sharp: sizes, order, unreadable files
 * skipped and counted, metrics. Images are compared by metadata, never by bytes.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { imageGrid } from '../../src/stages/image-grid.js';
import { resizeImages } from '../../src/stages/resize-images.js';
import { runStageDirectly } from '../helpers/run-stage.js';
import { makePng } from '../helpers/tiny-images.js';

async function folderWith(files: Record<string, Buffer | string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'repro-stage-'));
  await mkdir(join(dir, 'in'));
  await mkdir(join(dir, 'out'));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, 'in', name), content);
  return dir;
}

const resize = suite('resizeImages');

resize('resizes every image to the target size as PNG; skips and counts an unreadable file', async () => {
  const dir = await folderWith({ 'b.png': await makePng(1, 20), 'a.png': await makePng(2, 12), 'broken.jpg': 'not a jpeg', 'notes.txt': 'x' });
  const warnings: string[] = [];
  try {
    const result = await runStageDirectly(resizeImages, { width: 6, height: 4 }, { inputs: { images: join(dir, 'in') }, outputs: { images: join(dir, 'out') }, log: { info: () => {}, warn: (m) => warnings.push(m) } });
    assert.equal((await readdir(join(dir, 'out'))).sort(), ['a.png', 'b.png']);
    for (const name of ['a.png', 'b.png']) {
      const meta = await sharp(join(dir, 'out', name)).metadata();
      assert.equal([meta.width, meta.height, meta.format], [6, 4, 'png'], `~> ${name}`);
    }
    assert.equal(result.metrics?.summary, { images: 3, written: 2, unreadable: 1, width: 6, height: 4 });
    assert.equal(warnings, ["skipped 'broken.jpg': not a readable image"]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

resize('refuses two inputs that would become one output', async () => {
  const dir = await folderWith({ 'a.jpg': await makePng(1), 'a.png': await makePng(2) });
  try {
    await runStageDirectly(resizeImages, { width: 4, height: 4 }, { inputs: { images: join(dir, 'in') }, outputs: { images: join(dir, 'out') } });
    assert.unreachable('expected a refusal');
  } catch (error) {
    assert.match(String(error), /received 'a\.jpg' and 'a\.png' both becoming 'a\.png'/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

resize('stops when aborted', async () => {
  const dir = await folderWith({ 'a.png': await makePng(1) });
  const controller = new AbortController();
  controller.abort(new Error('stop'));
  try {
    await runStageDirectly(resizeImages, { width: 4, height: 4 }, { inputs: { images: join(dir, 'in') }, outputs: { images: join(dir, 'out') }, signal: controller.signal });
    assert.unreachable('expected an abort');
  } catch (error) {
    assert.match(String(error), /stop/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

resize.run();

// ---

const grid = suite('imageGrid');

grid('lays out cells in rows with gaps and reports the layout', async () => {
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 5; i += 1) files[`img-${i}.png`] = await makePng(i, 10);
  const dir = await folderWith(files);
  try {
    const result = await runStageDirectly(imageGrid, { cell: 10, columns: 3, gap: 1 }, { inputs: { images: join(dir, 'in') }, outputs: { grid: join(dir, 'out', 'grid.png') } });
    const meta = await sharp(join(dir, 'out', 'grid.png')).metadata();
    assert.equal([meta.width, meta.height], [3 * 11 + 1, 2 * 11 + 1]);
    assert.equal(result.metrics?.grid, { images: 5, columns: 3, rows: 2 });
    const { data } = await sharp(join(dir, 'out', 'grid.png')).raw().toBuffer({ resolveWithObject: true });
    assert.equal([...data.subarray(0, 3)], [255, 255, 255], '~> the gap is white');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

grid.run();
