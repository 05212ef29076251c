/**
 * Writes a report folder: the old one is removed first (a report is regenerated whole), a `.gitignore`
 * holding `*` keeps git — and so every `dvc exp run` — from ever recording the folder, and files are
 * written atomically. The only I/O of the report code.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../kit/fs-atomic.js';

/** A report folder being written. */
export interface ReportFolder {
  /** absolute path */
  readonly path: string;
  /** writes `relative` (e.g. `images/x.png`, `index.html`) inside the folder */
  write(relative: string, content: string | Uint8Array): Promise<void>;
}

/** Empties and recreates `root/relativeDir` as a self-ignoring report folder. */
export async function openReportFolder(root: string, relativeDir: string): Promise<ReportFolder> {
  const path = join(root, relativeDir);
  await rm(path, { recursive: true, force: true });
  await mkdir(path, { recursive: true });
  await writeFileAtomic(join(path, '.gitignore'), '# written by repro: reports are never part of a run\n*\n');
  return { path, write: (relative, content) => writeFileAtomic(join(path, relative), content) };
}
