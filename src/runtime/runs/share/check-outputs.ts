/**
 * Checks a run's outputs against the hashes its manifest pins, without DVC and without running a stage:
 * each workspace file (or every file of a folder output, listed against the folder's `.dir` object) is
 * md5-hashed as DVC does, and each cache object the output is restored from is hashed too and must match
 * its own name — so a damaged cache is caught even when the workspace copy is still intact. Every
 * difference names the output file, what was expected and what was found.
 */
import { readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { cacheObjectPath } from '../dvc-cache.js';
import { dirHash, listDirEntries, md5Bytes, md5File, parseDirObject, type DirEntry } from './dvc-hash.js';
import type { OutputPin } from './manifest.js';

/** `expected` of a file found in a folder output that the run's folder did not have. */
export const EXTRA_FILE = 'no such file';

/** One difference between the workspace or cache and the manifest. */
export interface OutputMismatch {
  readonly kind: 'output' | 'cache';
  /** project-relative path of the output file concerned */
  readonly path: string;
  /** the md5 pinned, or `EXTRA_FILE` */
  readonly expected: string;
  /** the md5 found, or `missing` */
  readonly found: string;
  /** for `cache`: the object's path, project-relative when inside the project */
  readonly object?: string;
}

export interface OutputCheck {
  readonly mismatches: OutputMismatch[];
  /** workspace files hashed */
  readonly files: number;
  /** cache objects hashed */
  readonly cacheObjects: number;
}

/** Checks every output of `outputs` in the project at `root` and the cache at `cacheDir`. */
export async function checkOutputs(root: string, cacheDir: string, outputs: Readonly<Record<string, OutputPin>>): Promise<OutputCheck> {
  const checker = new Checker(root, cacheDir);
  for (const [path, pin] of Object.entries(outputs).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (pin.md5.endsWith('.dir')) await checker.folder(path, pin);
    else await checker.file(path, pin.md5, pin.cached);
  }
  return { mismatches: checker.mismatches, files: checker.files, cacheObjects: checker.objects };
}

class Checker {
  readonly mismatches: OutputMismatch[] = [];
  files = 0;
  objects = 0;
  /** md5 by inode, so a workspace file linked to its cache object is read once */
  private readonly byInode = new Map<string, string>();

  constructor(
    private readonly root: string,
    private readonly cacheDir: string,
  ) {}

  async file(path: string, md5: string, cached: boolean): Promise<void> {
    const found = await this.hash(join(this.root, path));
    this.files += 1;
    if (found !== md5) this.mismatches.push({ kind: 'output', path, expected: md5, found: found ?? 'missing' });
    if (cached) await this.object(path, md5);
  }

  async folder(path: string, pin: OutputPin): Promise<void> {
    // The folder's listing comes from its .dir object, which must itself hash to the pinned name.
    let expected: DirEntry[] | undefined;
    if (pin.cached) {
      const object = cacheObjectPath(this.cacheDir, pin.md5);
      const bytes = await readFile(object).catch(() => undefined);
      this.objects += 1;
      const found = bytes === undefined ? 'missing' : `${md5Bytes(bytes)}.dir`;
      if (found !== pin.md5) this.mismatches.push({ kind: 'cache', path, expected: pin.md5, found, object: this.show(object) });
      else expected = parseDirObject(bytes!.toString('utf8'));
    }
    const full = join(this.root, path);
    const isDir = (await stat(full).catch(() => undefined))?.isDirectory() === true;
    if (!isDir) {
      this.mismatches.push({ kind: 'output', path, expected: pin.md5, found: 'missing' });
      return;
    }
    const entries = await listDirEntries(full);
    this.files += entries.length;
    if (expected === undefined) {
      const found = dirHash(entries);
      if (found !== pin.md5) this.mismatches.push({ kind: 'output', path, expected: pin.md5, found });
      return;
    }
    const here = new Map(entries.map((e) => [e.relpath, e.md5]));
    for (const entry of expected) {
      const found = here.get(entry.relpath);
      if (found !== entry.md5) this.mismatches.push({ kind: 'output', path: `${path}/${entry.relpath}`, expected: entry.md5, found: found ?? 'missing' });
      await this.object(`${path}/${entry.relpath}`, entry.md5);
    }
    const listed = new Set(expected.map((e) => e.relpath));
    for (const entry of entries) {
      if (!listed.has(entry.relpath)) this.mismatches.push({ kind: 'output', path: `${path}/${entry.relpath}`, expected: EXTRA_FILE, found: entry.md5 });
    }
  }

  private async object(path: string, md5: string): Promise<void> {
    const object = cacheObjectPath(this.cacheDir, md5);
    const found = await this.hash(object);
    this.objects += 1;
    if (found !== md5) this.mismatches.push({ kind: 'cache', path, expected: md5, found: found ?? 'missing', object: this.show(object) });
  }

  private async hash(path: string): Promise<string | undefined> {
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const key = `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}`;
    const known = this.byInode.get(key);
    if (known !== undefined) return known;
    const md5 = await md5File(path);
    this.byInode.set(key, md5);
    return md5;
  }

  private show(object: string): string {
    const rel = relative(this.root, object);
    return rel.startsWith('..') ? object : rel;
  }
}
