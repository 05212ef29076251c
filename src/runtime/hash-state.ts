/**
 * md5 hashes of workspace files and folders as DVC 3 records them in dvc.lock, remembered by each file's
 * (mtime, size, inode) in `.repro/cache/hashes.json` — the same key DVC's own state database uses — so
 * asking again after nothing changed reads no file bytes, only stats. A folder's hash is the md5 of its
 * `.dir` listing, built from its files' hashes (see share/dvc-hash.ts), so an edited, added or removed
 * file inside it changes the folder's hash as it does for DVC. Untracked cache: losing it costs one rehash.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readTextIfExists, writeFileAtomic } from '../kit/fs-atomic.js';
import { CACHE_DIR } from './compile/paths.js';
import { dirHash, md5File, type DirEntry } from './runs/share/dvc-hash.js';

const STATE_FILE = `${CACHE_DIR}/hashes.json`;

type Entry = [mtimeMs: number, size: number, ino: number, md5: string];

export interface HashState {
  /** DVC's hash of a project-relative file or folder; undefined when nothing is there */
  hashOf(path: string): Promise<string | undefined>;
  /** writes the remembered hashes back when any were added */
  save(): Promise<void>;
}

/** Opens the hash state of the project at `root`. */
export async function openHashState(root: string): Promise<HashState> {
  let entries: Record<string, Entry> = {};
  try {
    entries = JSON.parse((await readTextIfExists(join(root, STATE_FILE))) ?? '{}') as Record<string, Entry>;
  } catch {
    entries = {}; // a corrupt cache is only a slower check
  }
  const seen: Record<string, Entry> = {};
  let dirty = false;

  const fileHash = async (rel: string, info: { mtimeMs: number; size: number; ino: number }): Promise<string> => {
    const known = entries[rel];
    if (known && known[0] === info.mtimeMs && known[1] === info.size && known[2] === info.ino) {
      seen[rel] = known;
      return known[3];
    }
    const md5 = await md5File(join(root, rel));
    seen[rel] = [info.mtimeMs, info.size, info.ino, md5];
    dirty = true;
    return md5;
  };

  const dirEntries = async (rel: string): Promise<DirEntry[]> => {
    const found: DirEntry[] = [];
    const visit = async (below: string): Promise<void> => {
      for (const entry of await readdir(join(root, rel, below), { withFileTypes: true })) {
        const child = below === '' ? entry.name : `${below}/${entry.name}`;
        if (entry.isDirectory()) await visit(child);
        else found.push({ md5: await fileHash(`${rel}/${child}`, await lstat(join(root, rel, child))), relpath: child });
      }
    };
    await visit('');
    return found.sort((a, b) => (a.relpath < b.relpath ? -1 : a.relpath > b.relpath ? 1 : 0));
  };

  return {
    async hashOf(path) {
      const info = await lstat(join(root, path)).catch(() => undefined);
      if (!info) return undefined;
      return info.isDirectory() ? dirHash(await dirEntries(path)) : fileHash(path, info);
    },
    async save() {
      if (dirty) await writeFileAtomic(join(root, STATE_FILE), JSON.stringify({ ...entries, ...seen }));
    },
  };
}
