/**
 * The face manifest the `filter` stage writes (`manifest.jsonl`, one JSON line per photo or face) and
 * later stages read to find each crop's landmarks without detecting faces again.
 */
import { readFile } from 'node:fs/promises';
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
  scores?: Record<string, number | boolean>;
}

/** Kept faces by crop file name, with their crop landmarks. */
export async function readKeptLandmarks(manifestPath: string): Promise<Map<string, Landmarks68>> {
  const text = await readFile(manifestPath, 'utf8');
  const kept = new Map<string, Landmarks68>();
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let entry: ManifestEntry;
    try {
      entry = JSON.parse(line) as ManifestEntry;
    } catch {
      throw new Error(`expected JSON on line ${i + 1} of '${manifestPath}', received '${line.slice(0, 60)}'`);
    }
    if (entry.status === 'kept' && entry.output && entry.landmarks?.length === 68) kept.set(entry.output, entry.landmarks);
  }
  return kept;
}
