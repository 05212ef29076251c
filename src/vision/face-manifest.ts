/**
 * The face manifest the `filter` stage writes (`manifest.jsonl`, one JSON line per photo or face) and
 * later stages read — `warp` for each crop's landmarks (no second face detection), `progressive-train` for
 * the scores its data-refinement rules drop faces by. This module is the format's only reader and writer.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { Landmarks68 } from './types.js';

/** One line of manifest.jsonl. */
export interface ManifestEntry {
  /** photo file name inside the input folder */
  source: string;
  /** index of the face in the photo, null for photo-level rejects (unreadable, no face, several faces) */
  face: number | null;
  status: 'kept' | 'rejected';
  reason?: string;
  /** crop file name inside the aligned folder (kept faces) */
  output?: string;
  /** face box in photo pixels */
  box?: { x: number; y: number; width: number; height: number };
  /** 68 landmarks in crop coordinates, rounded to 0.01 px */
  landmarks?: [number, number][];
  /**
   * what the rules measured, as far as they got: detection, faceSize, yaw, roll, outsideShare (share of
   * the aligned crop's pixels whose source point lies outside the photo, 0..1, to 1e-4), sharpness,
   * exposureMean, clipped, maskScore/masked, nearestHamming
   */
  scores?: Record<string, number | boolean>;
}

/** Writes one JSON line per entry, in order (an empty file for no entries). */
export async function writeManifest(path: string, entries: readonly ManifestEntry[]): Promise<void> {
  await writeFile(path, entries.map((e) => JSON.stringify(e)).join('\n') + (entries.length ? '\n' : ''));
}

/** Every entry of a manifest, in file order; a line that is not JSON is named by its number. */
export async function readManifest(path: string): Promise<ManifestEntry[]> {
  const entries: ManifestEntry[] = [];
  for (const [i, line] of (await readFile(path, 'utf8')).split('\n').entries()) {
    if (line.trim() === '') continue;
    try {
      entries.push(JSON.parse(line) as ManifestEntry);
    } catch {
      throw new Error(`expected JSON on line ${i + 1} of '${path}', received '${line.slice(0, 60)}'`);
    }
  }
  return entries;
}

/** Kept faces by crop file name, with their crop landmarks. */
export async function readKeptLandmarks(path: string): Promise<Map<string, Landmarks68>> {
  const kept = new Map<string, Landmarks68>();
  for (const entry of await readManifest(path)) {
    if (entry.status === 'kept' && entry.output && entry.landmarks?.length === 68) kept.set(entry.output, entry.landmarks);
  }
  return kept;
}

/** Faces with a crop, by crop file name, with their numeric scores (booleans left out). */
export async function readManifestScores(path: string): Promise<Map<string, Record<string, number>>> {
  const scores = new Map<string, Record<string, number>>();
  for (const entry of await readManifest(path)) {
    if (!entry.output) continue;
    scores.set(entry.output, Object.fromEntries(Object.entries(entry.scores ?? {}).filter(([, v]) => typeof v === 'number')) as Record<string, number>);
  }
  return scores;
}
