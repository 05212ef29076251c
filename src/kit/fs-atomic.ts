/**
 * Writes that never leave a half-written file behind: content goes to a temporary sibling first and is
 * renamed into place on success. `writeIfChanged` also leaves an unchanged file untouched, so its mtime
 * (and DVC's and our caches' view of it) stays stable across no-op compiles.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatJson } from './canonical-json.js';

/** A temp path next to `target`, on the same file system so rename is atomic. */
export function tempSibling(target: string): string {
  return `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Writes `content` to `target` atomically. */
export async function writeFileAtomic(target: string, content: string | Uint8Array): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const temp = tempSibling(target);
  try {
    await writeFile(temp, content);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Writes only when the bytes differ; returns whether it wrote. */
export async function writeIfChanged(target: string, content: string): Promise<boolean> {
  const current = await readFile(target, 'utf8').catch(() => undefined);
  if (current === content) return false;
  await writeFileAtomic(target, content);
  return true;
}

/** The one JSON format of tracked outputs: sorted keys, 2-space indent, final newline. */
export async function writeJson(target: string, value: unknown): Promise<void> {
  await writeFileAtomic(target, formatJson(value));
}

/** Reads a file or returns undefined when it does not exist. */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
