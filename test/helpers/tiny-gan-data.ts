/**
 * Tiny two-domain data for GAN stage tests, made here with sharp: domain A faces with a flat "mask"
 * rectangle and the nonmask-tensor files (maps.bin + index.json, keep 0 inside the rectangle), domain B
 * faces with a textured rectangle, and a filter-style manifest of B with a `sharpness` score per face.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

export interface TinyGanData {
  readonly domainA: string;
  readonly keepMaps: string;
  readonly domainB: string;
  readonly manifestB: string;
  readonly namesA: readonly string[];
  readonly namesB: readonly string[];
}

/** Writes `count` A and B images of `size`² under `root`. */
export async function writeTinyGanData(root: string, options: { size: number; countA: number; countB: number }): Promise<TinyGanData> {
  const { size } = options;
  const paths = { domainA: join(root, 'a'), keepMaps: join(root, 'keep'), domainB: join(root, 'b'), manifestB: join(root, 'manifest-b.jsonl') };
  for (const dir of [paths.domainA, paths.keepMaps, paths.domainB]) await mkdir(dir, { recursive: true });
  const namesA: string[] = [];
  const maps = new Float32Array(options.countA * size * size); // [N, H, W]
  for (let i = 0; i < options.countA; i += 1) {
    const name = `face-${String(i).padStart(2, '0')}.png`;
    const pixels = Buffer.alloc(size * size * 3);
    const top = Math.floor(size / 2) + (i % 3);
    for (let y = 0; y < size; y += 1) {
      for (let x = 0; x < size; x += 1) {
        const p = y * size + x;
        const inMask = y >= top && x >= 2 && x < size - 2;
        maps[i * size * size + p] = inMask ? 0 : 1;
        pixels.set(inMask ? [120, 170, 220] : [(x * 13 + i * 29) % 256, (y * 17) % 256, 90 + i * 7], p * 3);
      }
    }
    await writeFile(join(paths.domainA, name), await sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer());
    namesA.push(name);
  }
  await writeFile(join(paths.keepMaps, 'maps.bin'), Buffer.from(maps.buffer));
  await writeFile(join(paths.keepMaps, 'index.json'), JSON.stringify({ dtype: 'float32', shape: [options.countA, size, size], names: namesA, mode: 'binary' }));
  const namesB: string[] = [];
  const manifest: string[] = [];
  for (let i = 0; i < options.countB; i += 1) {
    const name = `real-${String(i).padStart(2, '0')}.png`;
    const pixels = Buffer.alloc(size * size * 3);
    for (let y = 0; y < size; y += 1) {
      for (let x = 0; x < size; x += 1) {
        const inMask = y >= size / 2;
        pixels.set(inMask ? [200 - ((x * y + i) % 40), 200, 205] : [(x * 11 + i * 31) % 256, (y * 19) % 256, 80], (y * size + x) * 3);
      }
    }
    await writeFile(join(paths.domainB, name), await sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer());
    namesB.push(name);
    manifest.push(JSON.stringify({ source: `photo-${i}.jpg`, face: 0, status: 'kept', output: name, scores: { sharpness: 100 * (i + 1), frontal: true } }));
  }
  await writeFile(paths.manifestB, `${manifest.join('\n')}\n`);
  return { ...paths, namesA, namesB };
}
