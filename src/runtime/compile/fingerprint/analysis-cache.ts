/**
 * The on-disk cache of per-file analyses (`.repro/cache/fingerprint-files.json`), so that an unchanged project is
 * fingerprinted without loading the TypeScript parser at all. Entries are keyed by the file's root-relative path
 * and are valid only while its mtime and size are unchanged. The file is written atomically (temp file, then
 * rename) and only when something changed; an unreadable file or one written by another format version is
 * treated as empty, since the cache can always be rebuilt.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FileAnalysis, FileAnalysisCache } from './types.js';

/** Bump when `FileAnalysis` or the way it is computed changes; older cache files are then ignored. */
export const ANALYSIS_FORMAT = 1;

interface CacheEntry {
  mtimeMs: number;
  size: number;
  analysis: FileAnalysis;
}

interface CacheFile {
  format: number;
  files: Record<string, CacheEntry>;
}

/** Opens (lazily: see `load`) the cache stored at `cacheFile`, e.g. '<root>/.repro/cache/fingerprint-files.json'. */
export function openFileAnalysisCache(cacheFile: string): FileAnalysisCache {
  let entries = new Map<string, CacheEntry>();
  let loading: Promise<void> | undefined;
  let dirty = false;
  const stats = { hits: 0, misses: 0 };
  return {
    stats,
    load() {
      loading ??= readCacheFile(cacheFile).then((loaded) => {
        // entries set before the load finished are newer than the file's
        for (const [rel, entry] of entries) loaded.set(rel, entry);
        entries = loaded;
      });
      return loading;
    },
    get(relPath, mtimeMs, size) {
      const entry = entries.get(relPath);
      if (entry !== undefined && entry.mtimeMs === mtimeMs && entry.size === size) {
        stats.hits += 1;
        return entry.analysis;
      }
      stats.misses += 1;
      return undefined;
    },
    set(relPath, mtimeMs, size, analysis) {
      entries.set(relPath, { mtimeMs, size, analysis });
      dirty = true;
    },
    async save() {
      if (!dirty) return;
      const files: Record<string, CacheEntry> = {};
      for (const rel of [...entries.keys()].sort()) files[rel] = entries.get(rel)!;
      const body: CacheFile = { format: ANALYSIS_FORMAT, files };
      await writeFileAtomically(cacheFile, JSON.stringify(body));
      dirty = false;
    },
  };
}

/** Reads the cache file; anything unexpected gives an empty map. */
async function readCacheFile(cacheFile: string): Promise<Map<string, CacheEntry>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(cacheFile, 'utf8'));
  } catch {
    return new Map(); // missing or corrupt: rebuild
  }
  const file = parsed as Partial<CacheFile> | null;
  if (file === null || typeof file !== 'object' || file.format !== ANALYSIS_FORMAT || typeof file.files !== 'object') {
    return new Map();
  }
  return new Map(Object.entries(file.files ?? {}));
}

/** Writes `text` to a sibling temp file and renames it over `file`, so readers never see half a file. */
async function writeFileAtomically(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await writeFile(temp, text);
  await rename(temp, file);
}
