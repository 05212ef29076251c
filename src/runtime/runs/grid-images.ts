/**
 * The sample grids of a run, as DVC cache objects: every PNG file output (image-grid's and
 * checkpoint-select's `grid.png`, nonmask-tensor's `preview.png`) and every PNG inside a folder output
 * named in `GRID_FOLDERS` (progressive-train's `samples/epoch-NNNN.png`). Other folders of PNGs (resized
 * or augmented data sets) are data, not grids, and are left out. Paths are what the run had on disk, so
 * two runs' grids match by path. Every object the cache lacks is reported in one `CACHE_MISSING` error.
 */
import { basename } from 'node:path';
import { ReproError, type Issue } from '../../errors.js';
import { readCacheObject, readDirListing, type CacheContext, type CachedFile } from './dvc-cache.js';
import type { RunSnapshot } from './run-snapshot.js';

/** Folder outputs whose PNG files are sample grids. */
export const GRID_FOLDERS: readonly string[] = ['samples'];

/** The grids of `snapshot`, sorted by path. */
export async function listGridImages(context: CacheContext, snapshot: RunSnapshot): Promise<CachedFile[]> {
  const grids: CachedFile[] = [];
  const missing: ReproError[] = [];
  for (const [stage, outputs] of Object.entries(snapshot.outputs)) {
    for (const output of outputs) {
      if (!output.md5) continue;
      if (!output.md5.endsWith('.dir')) {
        if (output.path.toLowerCase().endsWith('.png')) grids.push({ path: output.path, md5: output.md5, stage });
        continue;
      }
      if (!GRID_FOLDERS.includes(basename(output.path))) continue;
      try {
        for (const entry of await readDirListing(context, output)) {
          if (entry.relpath.toLowerCase().endsWith('.png')) grids.push({ path: `${output.path}/${entry.relpath}`, md5: entry.md5, stage });
        }
      } catch (error) {
        if (!(error instanceof ReproError) || error.code !== 'CACHE_MISSING') throw error;
        missing.push(error);
      }
    }
  }
  if (missing.length > 0) throw combineMissing(missing);
  return grids.sort((a, b) => a.path.localeCompare(b.path));
}

/** Reads every grid's bytes; all missing objects are named together. */
export async function readGridImages(context: CacheContext, grids: readonly CachedFile[]): Promise<Map<string, Buffer>> {
  const bytes = new Map<string, Buffer>();
  const missing: ReproError[] = [];
  for (const grid of grids) {
    try {
      bytes.set(grid.path, await readCacheObject(context, grid.path, grid.md5));
    } catch (error) {
      if (!(error instanceof ReproError) || error.code !== 'CACHE_MISSING') throw error;
      missing.push(error);
    }
  }
  if (missing.length > 0) throw combineMissing(missing);
  return bytes;
}

/** One error for several missing objects: a headline, one issue per object, the first one's hint. */
export function combineMissing(errors: readonly ReproError[]): ReproError {
  if (errors.length === 1) return errors[0]!;
  const issues: Issue[] = errors.map((e) => ({ code: 'CACHE_MISSING', message: e.message }));
  return new ReproError('CACHE_MISSING', `${errors.length} outputs expected in the DVC cache, received none of them`, { issues, hint: errors[0]!.hint });
}
