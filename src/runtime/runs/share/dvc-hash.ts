/**
 * Hashes files and folders exactly as DVC 3 records them in dvc.lock (`hash: md5`), so a run's outputs
 * can be checked without DVC and without recomputing a stage: a file's hash is the md5 of its bytes; a
 * folder's is the md5 of its `.dir` listing — every file below it as `{"md5": …, "relpath": …}` sorted by
 * relpath, serialised the way Python's `json.dumps(…, sort_keys=True)` does — with `.dir` appended.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** One file of a folder output, as DVC's `.dir` object lists it. */
export interface DirEntry {
  readonly md5: string;
  /** POSIX path below the folder */
  readonly relpath: string;
}

/** md5 (hex) of a file's bytes, streamed. */
export async function md5File(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** md5 (hex) of bytes in memory. */
export function md5Bytes(bytes: string | Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

/** Every file below `dir` with its md5, sorted by relpath as DVC sorts them. */
export async function listDirEntries(dir: string): Promise<DirEntry[]> {
  const entries: DirEntry[] = [];
  const visit = async (rel: string): Promise<void> => {
    for (const entry of await readdir(join(dir, rel), { withFileTypes: true })) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) await visit(child);
      else entries.push({ md5: await md5File(join(dir, child)), relpath: child });
    }
  };
  await visit('');
  return entries.sort((a, b) => (a.relpath < b.relpath ? -1 : a.relpath > b.relpath ? 1 : 0));
}

/** The bytes of DVC's `.dir` object for `entries` (already sorted). */
export function dirObjectBytes(entries: readonly DirEntry[]): string {
  // NOTE: Python's json.dumps: ", " and ": " separators, keys sorted (md5 < relpath), non-ASCII escaped.
  return `[${entries.map((e) => `{"md5": ${pythonJsonString(e.md5)}, "relpath": ${pythonJsonString(e.relpath)}}`).join(', ')}]`;
}

/** DVC's hash of a folder with these entries: `<md5 of the .dir object>.dir`. */
export function dirHash(entries: readonly DirEntry[]): string {
  return `${md5Bytes(dirObjectBytes(entries))}.dir`;
}

/** Parses a `.dir` object's JSON into entries; undefined when it is not one. */
export function parseDirObject(text: string): DirEntry[] | undefined {
  try {
    const raw = JSON.parse(text) as unknown;
    if (!Array.isArray(raw)) return undefined;
    const entries = raw.map((e: { md5?: unknown; relpath?: unknown }) => ({ md5: String(e.md5), relpath: String(e.relpath) }));
    return entries.every((e) => /^[0-9a-f]{32}$/.test(e.md5)) ? entries : undefined;
  } catch {
    return undefined;
  }
}

/** A JSON string literal as Python's json.dumps writes it with ensure_ascii (the default). */
function pythonJsonString(value: string): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
