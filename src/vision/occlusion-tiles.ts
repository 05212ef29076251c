/**
 * The auxiliary multi-face task `pretrain-from-multi-face` trains on when no checkpoint is given: square
 * tiles cut from group photos (scenes with several faces), in two unpaired domains. Domain A tiles carry
 * one to three flat-coloured ellipses — stand-ins for the flat look of a rule-based mask — and a keep map
 * (1 outside the ellipses, 0 inside) for the NMC loss; domain B tiles are clean tiles from other places.
 * A translator that learns A→B learns to repaint a flat region with plausible scene texture and to leave
 * everything else alone, which is the skill the fake→real mask translator starts from. Every draw comes
 * from the seeded Rng, so the same photos and seed give the same tiles.
 */
import sharp from 'sharp';
import type { Rng } from '../kit/prng.js';
import type { RawImage } from './types.js';

export interface OcclusionTileOptions {
  /** tile side, px */
  readonly size: number;
  /** tiles per domain */
  readonly count: number;
  /** tile side as a fraction of the photo's shorter side: [min, max) */
  readonly scale: readonly [number, number];
  /** ellipse semi-axes as a fraction of the tile side: [min, max) */
  readonly occluderScale: readonly [number, number];
}

export interface OcclusionTiles {
  /** domain A: tiles with flat ellipses, RGB */
  readonly a: readonly RawImage[];
  /** per A tile, [size·size] keep map: 1 = may not change (outside the ellipses), 0 inside */
  readonly keepA: readonly Float32Array[];
  /** domain B: clean tiles, RGB */
  readonly b: readonly RawImage[];
}

/** Cuts `count` A tiles and `count` B tiles from the photos, round-robin over photos. */
export async function makeOcclusionTiles(photos: readonly RawImage[], options: OcclusionTileOptions, rng: Rng): Promise<OcclusionTiles> {
  if (photos.length === 0) throw new Error('expected at least one photo to cut tiles from, received none');
  const a: RawImage[] = [];
  const keepA: Float32Array[] = [];
  const b: RawImage[] = [];
  for (let i = 0; i < 2 * options.count; i += 1) {
    const photo = photos[i % photos.length]!;
    const tile = await cutTile(photo, options, rng);
    if (i % 2 === 1) {
      b.push(tile);
      continue;
    }
    const { image, keep } = occlude(tile, options, rng);
    a.push(image);
    keepA.push(keep);
  }
  return { a, keepA, b };
}

/** A random square of the photo, resized to size×size (bilinear), RGB. */
async function cutTile(photo: RawImage, options: OcclusionTileOptions, rng: Rng): Promise<RawImage> {
  const short = Math.min(photo.width, photo.height);
  const side = Math.max(8, Math.min(short, Math.round(short * rng.range(options.scale[0], options.scale[1]))));
  const left = rng.int(photo.width - side + 1);
  const top = rng.int(photo.height - side + 1);
  const { data, info } = await sharp(Buffer.from(photo.data), { raw: { width: photo.width, height: photo.height, channels: photo.channels } })
    .removeAlpha()
    .extract({ left, top, width: side, height: side })
    .resize(options.size, options.size, { kernel: 'linear' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data) };
}

/** Paints 1–3 flat-coloured ellipses; returns the painted tile and its keep map. */
function occlude(tile: RawImage, options: OcclusionTileOptions, rng: Rng): { image: RawImage; keep: Float32Array } {
  const { width, height } = tile;
  const data = Uint8Array.from(tile.data);
  const keep = new Float32Array(width * height).fill(1); // [H·W]
  const ellipses = 1 + rng.int(3);
  for (let e = 0; e < ellipses; e += 1) {
    const rx = width * rng.range(options.occluderScale[0], options.occluderScale[1]);
    const ry = height * rng.range(options.occluderScale[0], options.occluderScale[1]);
    const cx = rng.range(rx * 0.5, width - rx * 0.5);
    const cy = rng.range(ry * 0.5, height - ry * 0.5);
    const colour = [rng.int(256), rng.int(256), rng.int(256)];
    for (let y = Math.max(0, Math.floor(cy - ry)); y < Math.min(height, Math.ceil(cy + ry)); y += 1) {
      for (let x = Math.max(0, Math.floor(cx - rx)); x < Math.min(width, Math.ceil(cx + rx)); x += 1) {
        const dx = (x + 0.5 - cx) / rx;
        const dy = (y + 0.5 - cy) / ry;
        if (dx * dx + dy * dy > 1) continue;
        const p = y * width + x;
        keep[p] = 0;
        data.set(colour, p * 3);
      }
    }
  }
  return { image: { width, height, channels: 3, data }, keep };
}
