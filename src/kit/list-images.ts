/**
 * Which files of a folder are images, in the order stages process them. One definition, so every stage
 * that walks an image folder sees the same files in the same (sorted) order — order is part of a result.
 */
import { readdir } from 'node:fs/promises';
import { extname } from 'node:path';

/** Extensions sharp decodes that stages pick up. */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif', '.tif', '.tiff', '.avif']);

/** Image file names directly in `folder`, sorted. */
export async function listImages(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase()))
    .map((e) => e.name)
    .sort();
}
