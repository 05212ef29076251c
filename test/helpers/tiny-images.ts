/**
 * Tiny real images for tests, made with sharp: solid or two-tone PNGs whose colour is derived from an
 * index, so each file differs and every run makes the same pixels.
 */
import sharp from 'sharp';

/** A `size`×`size` PNG whose colours depend on `index`. */
export async function makePng(index: number, size = 8): Promise<Buffer> {
  const colour = { r: (index * 53) % 256, g: (index * 97) % 256, b: (index * 151) % 256 };
  const half = Math.max(1, Math.floor(size / 2));
  const stripe = await sharp({ create: { width: size, height: half, channels: 3, background: { r: 255 - colour.r, g: colour.g, b: 255 - colour.b } } }).png().toBuffer();
  return sharp({ create: { width: size, height: size, channels: 3, background: colour } })
    .composite([{ input: stripe, top: 0, left: 0 }])
    .png()
    .toBuffer();
}

/** `{ 'data/raw/img-0.png': <png>, ... }` for `count` images under `folder`. */
export async function makePngFiles(folder: string, count: number, size = 8): Promise<Record<string, Buffer>> {
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < count; i += 1) files[`${folder}/img-${i}.png`] = await makePng(i, size);
  return files;
}
